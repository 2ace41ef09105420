// @vitest-environment jsdom
/**
 * The D3 renderers on a detached <svg> in jsdom: the elements carry the data
 * the layouts computed (count of marks, weight → colour / opacity), update()
 * re-joins without leaking elements, callbacks fire with indices, and
 * destroy() leaves the caller's <svg> empty.
 */
import { describe, expect, it, vi } from 'vitest';
import * as d3 from 'd3';
import { causalMask, bidirectionalMask, normalizeRows } from '../../src/viz/attentionMath';
import { heatmapView } from '../../src/viz/heatmap';
import { headView } from '../../src/viz/headView';
import { modelView } from '../../src/viz/modelView';
import { maskView } from '../../src/viz/maskView';
import { barsView } from '../../src/viz/bars';
import { svgToString } from '../../src/viz/export';
import { translatorFor } from '../../src/ui/i18n/translate';

/** The views' words, in English, as the page passes them. */
const text = translatorFor('en');

const tokens = ['[CLS]', 'the', 'cat', 'sat', '[SEP]'];
const n = tokens.length;

function stochastic(seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const m = new Float32Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = rand() + 0.02;
  return normalizeRows(m, n);
}

function newSvg(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  document.body.appendChild(svg);
  return svg;
}

const color = d3.scaleSequential(d3.interpolateBlues).domain([0, 1]);

describe('heatmap render', () => {
  const matrix = stochastic(1);

  it('draws n² cells whose fill and data-value are the weights', () => {
    const svg = newSvg();
    heatmapView(svg, { tokens, matrix }, { text, title: 'Layer 1 head 2' });
    const cells = svg.querySelectorAll<SVGRectElement>('rect.cell');
    expect(cells).toHaveLength(n * n);
    const data = d3.selectAll<SVGRectElement, { query: number; key: number }>(cells).data();
    cells.forEach((el, i) => {
      const { query, key } = data[i];
      const w = matrix[query * n + key];
      expect(Number(el.getAttribute('data-value'))).toBeCloseTo(w, 6);
      expect(el.getAttribute('fill')).toBe(color(w));
      expect(el.querySelector('title')?.textContent).toContain(`${tokens[query]} → ${tokens[key]}`);
    });
    expect(svg.getAttribute('aria-label')).toBe('Layer 1 head 2');
    expect(svg.getAttribute('viewBox')).toMatch(/^0 0 \d/);
    expect(svg.querySelectorAll('text.row-label')).toHaveLength(n);
    expect(svg.querySelectorAll('text.col-label')[0].getAttribute('transform')).toContain('rotate(-90)');
  });

  it('causal: no coloured cell above the diagonal, hatched ones instead', () => {
    const svg = newSvg();
    heatmapView(svg, { tokens, matrix }, { text, maskMatrix: causalMask(n) });
    const cells = d3.select(svg).selectAll<SVGRectElement, { query: number; key: number }>('rect.cell').data();
    expect(cells).toHaveLength((n * (n + 1)) / 2);
    expect(cells.every((c) => c.key <= c.query)).toBe(true);
    const masked = svg.querySelectorAll('rect.masked');
    expect(masked).toHaveLength((n * (n - 1)) / 2);
    const pattern = svg.querySelector('pattern');
    expect(masked[0].getAttribute('fill')).toBe(`url(#${pattern?.id})`);
  });

  it('update() moves the highlight and swaps mask without duplicating marks; hover calls back', () => {
    const svg = newSvg();
    const onHover = vi.fn();
    const view = heatmapView(svg, { tokens, matrix }, { text, onHover });
    expect(svg.querySelectorAll('rect.band')).toHaveLength(0);
    view.update({ tokens, matrix }, { text, onHover, highlight: { query: 1, key: 3 } });
    expect(svg.querySelectorAll('rect.band')).toHaveLength(2);
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(n * n);
    expect(svg.querySelectorAll('g.viz-heatmap')).toHaveLength(1);
    expect(svg.querySelectorAll('text.row-label')[1].getAttribute('font-weight')).toBe('bold');
    view.update({ tokens, matrix }, { text, onHover, maskMatrix: causalMask(n) });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength((n * (n + 1)) / 2);
    expect(svg.querySelectorAll('rect.band')).toHaveLength(0);

    const target = d3.select(svg).selectAll<SVGRectElement, { query: number; key: number }>('rect.cell').filter((d) => d.query === 3 && d.key === 2);
    target.node()!.dispatchEvent(new MouseEvent('mouseenter'));
    expect(onHover).toHaveBeenLastCalledWith(3, 2);
    svg.querySelector('g.plot')!.dispatchEvent(new MouseEvent('mouseleave'));
    expect(onHover).toHaveBeenLastCalledWith(null, null);
  });

  it('a smaller sentence on update() removes the extra marks', () => {
    const svg = newSvg();
    const view = heatmapView(svg, { tokens, matrix }, { text });
    view.update({ tokens: ['a', 'b'], matrix: Float32Array.from([1, 0, 0.5, 0.5]) }, { text });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(4);
    expect(svg.querySelectorAll('text.row-label')).toHaveLength(2);
  });

  it('destroy() removes everything it drew', () => {
    const svg = newSvg();
    const view = heatmapView(svg, { tokens, matrix }, { text });
    view.destroy();
    expect(svg.childNodes).toHaveLength(0);
    expect(svg.getAttribute('viewBox')).toBeNull();
  });
});

describe('head view render', () => {
  const heads = [stochastic(1), stochastic(2), stochastic(3)];
  type LineDatum = { head: number; query: number; key: number; weight: number };

  it('line stroke-opacity = weight / active heads, stroke = head colour', () => {
    const svg = newSvg();
    headView(svg, { tokens, heads }, { text, minWeight: 0, activeHeads: [true, true, false] });
    const lines = d3.select(svg).selectAll<SVGLineElement, LineDatum>('line.link');
    expect(lines.size()).toBe(2 * n * n);
    lines.each(function (d) {
      const w = heads[d.head][d.query * n + d.key];
      expect(Number(this.getAttribute('stroke-opacity'))).toBeCloseTo(w / 2, 6);
      expect(this.getAttribute('stroke')).toBe(d3.schemeTableau10[d.head]);
    });
    expect(svg.querySelectorAll('text.token.query')).toHaveLength(n);
    expect(svg.querySelectorAll('text.token.key')).toHaveLength(n);
  });

  it('toggles are buttons that report the head; tokens report focus', () => {
    const svg = newSvg();
    const onToggleHead = vi.fn();
    const onFocusToken = vi.fn();
    const view = headView(svg, { tokens, heads }, { text, onToggleHead, onFocusToken });
    const toggles = svg.querySelectorAll('g.head-toggle');
    expect(toggles).toHaveLength(3);
    expect(toggles[1].getAttribute('aria-pressed')).toBe('true');
    toggles[1].dispatchEvent(new MouseEvent('click'));
    expect(onToggleHead).toHaveBeenCalledWith(1);
    toggles[2].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(onToggleHead).toHaveBeenLastCalledWith(2);

    svg.querySelectorAll('text.token.key')[3].dispatchEvent(new MouseEvent('mouseenter'));
    expect(onFocusToken).toHaveBeenLastCalledWith(3, 'key');

    // The caller turns head 1 off and focuses query 2: only head 0 and 2's lines from token 2 remain.
    view.update({ tokens, heads }, { text, minWeight: 0, activeHeads: [true, false, true], focusToken: 2, onToggleHead, onFocusToken });
    const lines = d3.select(svg).selectAll<SVGLineElement, LineDatum>('line.link').data();
    expect(lines).toHaveLength(2 * n);
    expect(lines.every((d) => d.query === 2 && d.head !== 1)).toBe(true);
    expect(svg.querySelectorAll('g.head-toggle')[1].getAttribute('aria-pressed')).toBe('false');
    expect(svg.querySelectorAll('g.head-toggle rect')[1].getAttribute('fill')).toBe('#fff');
  });
});

describe('model view render', () => {
  const attentions = [0, 1].map((l) => [0, 1, 2].map((h) => stochastic(10 * l + h + 1)));

  it('draws layer × head thumbnails of n² rects and outlines the selected one', () => {
    const svg = newSvg();
    const onSelect = vi.fn();
    const view = modelView(svg, { attentions, tokens }, { text, mode: 'rects', onSelect, selected: { layer: 1, head: 2 } });
    const thumbs = svg.querySelectorAll('g.thumb');
    expect(thumbs).toHaveLength(6);
    expect(thumbs[0].querySelectorAll('rect.cell')).toHaveLength(n * n);
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(6 * n * n);
    const firstFill = thumbs[0].querySelector('rect.cell')!.getAttribute('fill');
    expect(firstFill).toBe(color(attentions[0][0][0]));
    expect(Array.from(thumbs).map((t) => t.getAttribute('aria-pressed'))).toEqual(['false', 'false', 'false', 'false', 'false', 'true']);
    expect(thumbs[5].querySelector('rect.frame')!.getAttribute('stroke-width')).toBe('3');
    expect(Array.from(svg.querySelectorAll('text.layer-label')).map((t) => t.textContent)).toEqual(['Layer 1', 'Layer 2']);
    expect(Array.from(svg.querySelectorAll('text.head-label')).map((t) => t.textContent)).toEqual(['Head 1', 'Head 2', 'Head 3']);

    thumbs[4].dispatchEvent(new MouseEvent('click'));
    expect(onSelect).toHaveBeenCalledWith(1, 1);
    view.update({ attentions, tokens }, { text, mode: 'rects', onSelect, selected: { layer: 1, head: 1 } });
    expect(svg.querySelectorAll('g.thumb')[4].getAttribute('aria-pressed')).toBe('true');
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(6 * n * n);
  });
});

describe('mask view render', () => {
  it('fills may-attend cells, leaves the rest empty, and prints per-row counts', () => {
    const svg = newSvg();
    maskView(svg, { mask: causalMask(4), tokens: ['a', 'b', 'c', 'd'] }, { text, caption: 'Causal' });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(16);
    expect(svg.querySelectorAll('rect.cell.visible')).toHaveLength(10);
    expect(svg.querySelectorAll('rect.cell.hidden')).toHaveLength(6);
    const counts = Array.from(svg.querySelectorAll('text.count:not(.header)')).map((t) => t.textContent);
    expect(counts).toEqual(['1', '2', '3', '4']);
    expect(svg.querySelector('text.caption')!.textContent).toBe('Causal');

    const other = newSvg();
    maskView(other, { mask: bidirectionalMask(4) }, { text, caption: 'Bidirectional' });
    expect(other.querySelectorAll('rect.cell.visible')).toHaveLength(16);
  });
});

describe('bars render', () => {
  it('bar width = probability × full width, with a percentage label', () => {
    const svg = newSvg();
    barsView(svg, [
      { token: 'paris', score: 0.5 },
      { token: 'lyon', score: 0.25 },
    ], { text, barWidth: 300 });
    const widths = Array.from(svg.querySelectorAll('rect.value')).map((r) => Number(r.getAttribute('width')));
    expect(widths).toEqual([150, 75]);
    expect(Array.from(svg.querySelectorAll('text.percent')).map((t) => t.textContent)).toEqual(['50.0%', '25.0%']);
    expect(Array.from(svg.querySelectorAll('text.token')).map((t) => t.textContent)).toEqual(['paris', 'lyon']);
  });
});

describe('svgToString', () => {
  it('gives a standalone SVG document with namespace and size', () => {
    const svg = newSvg();
    heatmapView(svg, { tokens, matrix: stochastic(4) }, { text });
    const out = svgToString(svg);
    expect(out.startsWith('<?xml')).toBe(true);
    expect(out).toContain('xmlns="http://www.w3.org/2000/svg"');
    const [, , w, h] = svg.getAttribute('viewBox')!.split(' ');
    expect(out).toContain(`width="${w}"`);
    expect(out).toContain(`height="${h}"`);
    expect((out.match(/class="cell"/g) ?? []).length).toBe(n * n);
    const parsed = new DOMParser().parseFromString(out, 'image/svg+xml');
    expect(parsed.querySelector('parsererror')).toBeNull();
    // The page's <svg> is untouched.
    expect(svg.getAttribute('width')).toBeNull();
  });
});
