// @vitest-environment jsdom
/**
 * Long sentences in the renderers, on a detached <svg> in jsdom. jsdom has no
 * canvas, so heatmapView falls back to one rect per cell there; the picture's
 * own marks (the <image>, the hatched path, the one tooltip that follows the
 * pointer) are drawn through renderHeatmap with the picture asked for. The
 * picture's pixels and its export are checked in real Chromium
 * (e2e/longSentence.spec.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { causalMask, normalizeRows } from '../../src/viz/attentionMath';
import { heatmapView, layoutHeatmap, renderHeatmap } from '../../src/viz/heatmap';
import { headView, layoutHeadView } from '../../src/viz/headView';
import { maskView } from '../../src/viz/maskView';
import { canRaster } from '../../src/viz/raster';
import { HEAD_COLORS } from '../../src/viz/common';
import { svgToString } from '../../src/viz/export';
import { translatorFor } from '../../src/ui/i18n/translate';

const text = translatorFor('en');
const n = 40;
const tokens = Array.from({ length: n }, (_, i) => `w${i}`);

function stochastic(seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const m = new Float32Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = rand() ** 4 + 0.001;
  return normalizeRows(m, n);
}

function newSvg(): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  document.body.appendChild(svg);
  return svg;
}

/** A pointer move at (x, y) in the grid's units: jsdom lays nothing out, so client coordinates are the element's own. */
function pointAt(el: Element, x: number, y: number): void {
  el.dispatchEvent(new MouseEvent('pointermove', { clientX: x, clientY: y, bubbles: true }));
}

const parses = (markup: string) => new DOMParser().parseFromString(markup, 'image/svg+xml').querySelector('parsererror') === null;

describe('heatmap of a long sentence', () => {
  const matrix = stochastic(3);

  it('without a canvas (jsdom), the view falls back to one rect per cell', () => {
    expect(canRaster()).toBe(false);
    const svg = newSvg();
    heatmapView(svg, { tokens, matrix }, { text });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(n * n);
    expect(svg.querySelector('image')).toBeNull();
  });

  it('as a picture: one <image> over a hatched path of the masked cells; the tooltip follows the pointer', () => {
    const svg = newSvg();
    const onHover = vi.fn();
    const mask = causalMask(n);
    const layout = layoutHeatmap({ tokens, matrix }, { text, maskMatrix: mask, mode: 'image', title: 'Layer 1' });
    renderHeatmap(svg, layout, { onHover, hatchId: 'hatch-test' });
    expect(svg.querySelectorAll('rect.cell, rect.masked')).toHaveLength(0);
    const image = svg.querySelector('image.cells')!;
    const cell = layout.raster!.cell;
    expect(Number(image.getAttribute('width'))).toBeCloseTo(n * cell);
    expect(image.getAttribute('style')).toContain('pixelated');
    const hatched = svg.querySelector('path.masked-area')!;
    expect(hatched.getAttribute('fill')).toBe('url(#hatch-test)');
    expect(svg.querySelector('pattern#hatch-test')).not.toBeNull();
    // The path comes before the picture, so the picture's clear (masked) pixels show the hatching.
    expect(hatched.compareDocumentPosition(image) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(image.querySelector('title')!.textContent).toBe('Layer 1');

    pointAt(image, 3.5 * cell, 7.5 * cell); // query 7, key 3
    expect(image.querySelector('title')!.textContent).toBe(layout.cellTitle(7, 3));
    expect(image.querySelector('title')!.textContent).toMatch(/^w7 → w3: 0\.\d{3}$/);
    expect(onHover).toHaveBeenLastCalledWith(7, 3);
    pointAt(image, 9.5 * cell, 2.5 * cell); // query 2, key 9: masked
    expect(image.querySelector('title')!.textContent).toBe(text('view.cannotSee', { query: 'w2', key: 'w9' }));
    expect(onHover).toHaveBeenCalledTimes(2);

    // The caller highlights (2, 9): the band is drawn above the picture, and moving within that cell calls back no more.
    renderHeatmap(svg, layoutHeatmap({ tokens, matrix }, { text, maskMatrix: mask, mode: 'image', highlight: { query: 2, key: 9 } }), {
      onHover,
      hatchId: 'hatch-test',
    });
    pointAt(image, 9.2 * cell, 2.2 * cell);
    expect(onHover).toHaveBeenCalledTimes(2);
    const band = svg.querySelector('rect.band')!;
    expect(image.compareDocumentPosition(band) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(svg.querySelectorAll('image')).toHaveLength(1);

    // A short sentence again: back to rects, the picture gone.
    renderHeatmap(svg, layoutHeatmap({ tokens: ['a', 'b'], matrix: Float32Array.from([1, 0, 0.5, 0.5]) }, { text }), { hatchId: 'hatch-test' });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(4);
    expect(svg.querySelector('image, path.masked-area')).toBeNull();
    expect(parses(svgToString(svg))).toBe(true);
  });
});

describe('mask view of a long sentence', () => {
  it('two pattern-filled paths and one tooltip instead of n² cells; the export parses', () => {
    const svg = newSvg();
    const view = maskView(svg, { mask: causalMask(n), tokens }, { text, caption: 'Causal' });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(0);
    const areas = svg.querySelectorAll('path.area');
    expect(Array.from(areas).map((a) => a.getAttribute('class'))).toEqual(['area visible', 'area hidden']);
    for (const a of Array.from(areas)) {
      const id = /^url\(#(.+)\)$/.exec(a.getAttribute('fill')!)![1];
      expect(svg.querySelector(`pattern[id="${id}"] rect`)).not.toBeNull();
    }
    const hit = svg.querySelector('rect.hit')!;
    const step = Number(svg.querySelector('pattern')!.getAttribute('width'));
    pointAt(hit, 0.5 * step, 5.5 * step);
    expect(hit.querySelector('title')!.textContent).toBe(text('view.canSee', { query: 'w5', key: 'w0' }));
    pointAt(hit, 6.5 * step, 5.5 * step);
    expect(hit.querySelector('title')!.textContent).toBe(text('view.cannotSee', { query: 'w5', key: 'w6' }));
    expect(parses(svgToString(svg))).toBe(true);
    // Back to a short sentence: cells again, paths and patterns gone.
    view.update({ mask: causalMask(3) }, { text });
    expect(svg.querySelectorAll('rect.cell')).toHaveLength(9);
    expect(svg.querySelector('path.area, pattern, rect.hit')).toBeNull();
  });
});

describe('head view of a long sentence', () => {
  it('links as one path per head and opacity step; toggling a head removes its paths', () => {
    const heads = [stochastic(1), stochastic(2), stochastic(5), stochastic(6)];
    const data = { tokens, heads };
    const layout = layoutHeadView(data, { text, minWeight: 0 }); // 4 × 40² links: paths
    expect(layout.lines).toHaveLength(0);
    const svg = newSvg();
    const view = headView(svg, data, { text, minWeight: 0 });
    const paths = svg.querySelectorAll('path.link');
    expect(paths).toHaveLength(layout.paths.length);
    expect(svg.querySelectorAll('line.link')).toHaveLength(0);
    const total = Array.from(paths).reduce((s, p) => s + Number(p.getAttribute('data-links')), 0);
    expect(total).toBe(4 * n * n);
    view.update(data, { text, minWeight: 0, activeHeads: [true, false, true, true] });
    const after = layoutHeadView(data, { text, minWeight: 0, activeHeads: [true, false, true, true] });
    expect(svg.querySelectorAll('path.link')).toHaveLength(after.paths.length);
    expect(Array.from(svg.querySelectorAll('path.link')).every((p) => p.getAttribute('stroke') !== HEAD_COLORS[1])).toBe(true);
    expect(parses(svgToString(svg))).toBe(true);
  });
});
