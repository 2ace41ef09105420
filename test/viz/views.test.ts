/**
 * The views' layouts are pure (data → mark objects), so the encoding is
 * tested here in Node without a DOM. The D3 renderers only copy these fields
 * onto elements.
 */
import { describe, expect, it } from 'vitest';
import * as d3 from 'd3';
import { bidirectionalMask, causalMask, normalizeRows } from '../../src/viz/attentionMath';
import { layoutHeatmap } from '../../src/viz/heatmap';
import { layoutHeadView } from '../../src/viz/headView';
import { layoutModelView, thumbnailCells, thumbnailPixels } from '../../src/viz/modelView';
import { layoutMaskView } from '../../src/viz/maskView';
import { layoutBars } from '../../src/viz/bars';
import { HEAD_COLORS } from '../../src/viz/common';
import { colorTable } from '../../src/viz/raster';
import { translatorFor } from '../../src/ui/i18n/translate';

/** The views' words, in English, as the page passes them. */
const text = translatorFor('en');

const tokens = ['[CLS]', 'the', 'cat', 'sat', '[SEP]'];
const n = tokens.length;

function stochastic(seed: number, size = n): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const m = new Float32Array(size * size);
  for (let i = 0; i < m.length; i++) m[i] = rand() + 0.02;
  return normalizeRows(m, size);
}

describe('heatmap layout', () => {
  const matrix = stochastic(1);

  it('draws one cell per query × key, coloured by its weight', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text });
    expect(l.cells).toHaveLength(n * n);
    for (const c of l.cells) {
      expect(c.value).toBe(matrix[c.query * n + c.key]);
      expect(c.fill).toBe(l.color(c.value)); // the encoding
    }
    expect(l.maskedCells).toHaveLength(0);
  });

  it('colours on a 0..colorMax sequential scale (darker = more)', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text, colorMax: 0.5 });
    expect(l.color(0)).toBe(d3.interpolateBlues(0));
    expect(l.color(0.5)).toBe(d3.interpolateBlues(1));
    expect(l.color(0.9)).toBe(d3.interpolateBlues(1)); // clamped
  });

  it('puts query on rows and key on columns', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text });
    const c = l.cells.find((d) => d.query === 3 && d.key === 1)!;
    const row = l.rowLabels[3];
    const col = l.colLabels[1];
    expect(c.y + c.height / 2).toBeCloseTo(row.y);
    expect(c.x + c.width / 2).toBeCloseTo(col.x);
    expect(c.title).toContain('sat → the');
    expect(l.cells.every((d) => d.width === d.height)).toBe(true);
  });

  it('in causal mode leaves nothing above the diagonal: those cells are hatched, not coloured', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text, maskMatrix: causalMask(n) });
    expect(l.cells).toHaveLength((n * (n + 1)) / 2);
    expect(l.cells.every((c) => c.key <= c.query)).toBe(true);
    expect(l.maskedCells).toHaveLength((n * (n - 1)) / 2);
    expect(l.maskedCells.every((c) => c.key > c.query)).toBe(true);
    expect(layoutHeatmap({ tokens, matrix }, { text, maskMatrix: bidirectionalMask(n) }).maskedCells).toHaveLength(0);
  });

  it('highlights the row and column given in options (state from outside)', () => {
    const none = layoutHeatmap({ tokens, matrix }, { text });
    expect(none.rowBand).toBeNull();
    expect(none.colBand).toBeNull();
    const l = layoutHeatmap({ tokens, matrix }, { text, highlight: { query: 2, key: 4 } });
    const c = l.cells.find((d) => d.query === 2 && d.key === 4)!;
    expect(l.rowBand).toEqual({ x: 0, y: c.y, width: l.size, height: c.height });
    expect(l.colBand).toEqual({ x: c.x, y: 0, width: c.width, height: l.size });
    expect(l.rowLabels.filter((d) => d.highlighted).map((d) => d.index)).toEqual([2]);
    expect(l.colLabels.filter((d) => d.highlighted).map((d) => d.index)).toEqual([4]);
    const rowOnly = layoutHeatmap({ tokens, matrix }, { text, highlight: { query: 1, key: null } });
    expect(rowOnly.rowBand).not.toBeNull();
    expect(rowOnly.colBand).toBeNull();
  });

  it('sizes the chart so labels fit and text stays legible', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text, title: 'Layer 1, head 1' });
    expect(l.title).toBe('Layer 1, head 1');
    expect(l.width).toBeCloseTo(l.margin.left + l.size + l.margin.right);
    expect(l.fontSize).toBeGreaterThanOrEqual(14);
    const long = layoutHeatmap({ tokens: Array(40).fill('token'), matrix: new Float32Array(1600) }, { text });
    expect(long.fontSize).toBeLessThanOrEqual(long.size / 40); // labels never taller than a row
    expect(long.fontSize).toBeGreaterThanOrEqual(12);
  });

  it('rejects a matrix that does not match the tokens', () => {
    expect(() => layoutHeatmap({ tokens, matrix: new Float32Array(16) }, { text })).toThrow(/25/);
    expect(() => layoutHeatmap({ tokens, matrix }, { text, maskMatrix: causalMask(3) })).toThrow(/mask/);
  });
});

describe('head view layout', () => {
  const heads = [stochastic(1), stochastic(2), stochastic(3)];

  it('draws a line per active head × query × key with opacity = weight / active heads', () => {
    const l = layoutHeadView({ tokens, heads }, { text, minWeight: 0 });
    expect(l.activeCount).toBe(3);
    expect(l.lines).toHaveLength(3 * n * n);
    for (const line of l.lines) {
      expect(line.weight).toBe(heads[line.head][line.query * n + line.key]);
      expect(line.opacity).toBeCloseTo(line.weight / 3, 7); // the encoding
      expect(line.stroke).toBe(HEAD_COLORS[line.head]);
    }
  });

  it('toggling a head off removes its lines and raises the others’ opacity', () => {
    const l = layoutHeadView({ tokens, heads }, { text, minWeight: 0, activeHeads: [true, false, true] });
    expect(l.activeCount).toBe(2);
    expect(l.lines.some((d) => d.head === 1)).toBe(false);
    for (const line of l.lines) expect(line.opacity).toBeCloseTo(line.weight / 2, 7);
    expect(l.toggles.map((t) => t.active)).toEqual([true, false, true]);
    expect(layoutHeadView({ tokens, heads }, { text, activeHeads: [false, false, false] }).lines).toHaveLength(0);
  });

  it('a single head alone draws its weights at full strength', () => {
    const l = layoutHeadView({ tokens, heads }, { text, minWeight: 0, activeHeads: [false, true, false] });
    for (const line of l.lines) expect(line.opacity).toBeCloseTo(line.weight, 7);
  });

  it('links query i on the left to key j on the right', () => {
    const l = layoutHeadView({ tokens, heads }, { text, minWeight: 0 });
    const line = l.lines.find((d) => d.query === 1 && d.key === 3)!;
    const left = l.tokens.find((t) => t.side === 'query' && t.index === 1)!;
    const right = l.tokens.find((t) => t.side === 'key' && t.index === 3)!;
    expect(line.y1).toBe(left.y);
    expect(line.y2).toBe(right.y);
    expect(line.x1).toBeGreaterThan(left.x);
    expect(line.x2).toBeLessThan(right.x);
    expect(left.anchor).toBe('end');
    expect(right.anchor).toBe('start');
  });

  it('focusing a query token keeps only its outgoing lines; a key token only its incoming', () => {
    const q = layoutHeadView({ tokens, heads }, { text, minWeight: 0, focusToken: 2 });
    expect(q.lines).toHaveLength(3 * n);
    expect(q.lines.every((d) => d.query === 2)).toBe(true);
    expect(q.tokens.filter((t) => t.focused).map((t) => `${t.side}${t.index}`)).toEqual(['query2']);
    expect(q.tokens.filter((t) => t.side === 'query' && t.dimmed)).toHaveLength(n - 1);
    const k = layoutHeadView({ tokens, heads }, { text, minWeight: 0, focusToken: 0, focusSide: 'key' });
    expect(k.lines.every((d) => d.key === 0)).toBe(true);
    expect(k.lines).toHaveLength(3 * n);
  });

  it('skips links below minWeight', () => {
    const m = new Float32Array(n * n);
    for (let i = 0; i < n; i++) m[i * n + i] = 1; // each token looks only at itself
    const l = layoutHeadView({ tokens, heads: [m] }, { text });
    expect(l.lines).toHaveLength(n);
    expect(l.lines.every((d) => d.query === d.key && d.opacity === 1)).toBe(true);
  });

  it('gives every head a numbered toggle in its colour', () => {
    const twelve = Array.from({ length: 12 }, (_, h) => stochastic(h + 10));
    const l = layoutHeadView({ tokens, heads: twelve }, { text });
    expect(l.toggles.map((t) => t.label)).toEqual(d3.range(1, 13).map(String));
    expect(l.toggles[10].color).toBe(HEAD_COLORS[0]); // colours cycle; the number disambiguates
    const xs = l.toggles.map((t) => t.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i] - xs[i - 1]).toBeGreaterThanOrEqual(l.toggles[0].size);
    expect(l.width).toBeGreaterThanOrEqual(xs[11] + l.toggles[11].size);
  });
});

describe('model view layout', () => {
  const L = 3;
  const H = 4;
  const attentions = Array.from({ length: L }, (_, l) => Array.from({ length: H }, (_, h) => stochastic(10 * l + h + 1)));

  it('lays out one thumbnail per layer × head, rows = layers, columns = heads', () => {
    const l = layoutModelView({ attentions, tokens }, { text });
    expect(l.thumbs).toHaveLength(L * H);
    expect(l.n).toBe(n);
    const t = l.thumbs.find((d) => d.layer === 2 && d.head === 1)!;
    expect(t.matrix).toBe(attentions[2][1]);
    expect(t.y).toBeGreaterThan(l.thumbs.find((d) => d.layer === 1 && d.head === 1)!.y);
    expect(t.x).toBeGreaterThan(l.thumbs.find((d) => d.layer === 2 && d.head === 0)!.x);
    expect(l.layerLabels.map((d) => d.text)).toEqual(['Layer 1', 'Layer 2', 'Layer 3']);
    expect(l.headLabels.map((d) => d.text)).toEqual(['Head 1', 'Head 2', 'Head 3', 'Head 4']);
  });

  it('outlines only the selected thumbnail', () => {
    expect(layoutModelView({ attentions }, { text }).thumbs.some((d) => d.selected)).toBe(false);
    const l = layoutModelView({ attentions }, { text, selected: { layer: 1, head: 3 } });
    expect(l.thumbs.filter((d) => d.selected).map((d) => [d.layer, d.head])).toEqual([[1, 3]]);
  });

  it('thumbnails do not overlap', () => {
    const l = layoutModelView({ attentions }, { text, thumbSize: 50, gap: 5 });
    const [a, b] = [l.thumbs[0], l.thumbs[1]];
    expect(b.x - a.x).toBeCloseTo(55);
    expect(a.size).toBeCloseTo(50);
  });

  it('thumbnail cells and pixels encode the weights with the shared colour scale', () => {
    const l = layoutModelView({ attentions }, { text });
    const t = l.thumbs[5];
    const cells = thumbnailCells(t, l.color);
    expect(cells).toHaveLength(n * n);
    for (const c of cells) expect(c.fill).toBe(l.color(t.matrix[c.query * n + c.key]));
    expect(cells[n * n - 1].x + cells[n * n - 1].size).toBeCloseTo(t.size);
    // Pixels come from a 256-step colour table: the colour of the weight rounded to 1/255 of the scale.
    const px = thumbnailPixels(t, colorTable(l.color, l.colorMax), l.colorMax);
    const c7 = d3.rgb(l.color(Math.round(t.matrix[7] * 255) / 255));
    expect([px[28], px[29], px[30], px[31]]).toEqual([c7.r, c7.g, c7.b, 255]);
  });

  it('takes n from the matrices when tokens are not given, and checks sizes', () => {
    expect(layoutModelView({ attentions }, { text }).n).toBe(n);
    expect(() => layoutModelView({ attentions, tokens: ['a', 'b'] }, { text })).toThrow(/expected 4/);
    expect(layoutModelView({ attentions: [] }, { text }).thumbs).toHaveLength(0);
  });
});

describe('mask view layout', () => {
  it('fills exactly the cells the mask allows and counts them per row', () => {
    const l = layoutMaskView({ mask: causalMask(4), tokens: ['a', 'b', 'c', 'd'] }, { text, caption: 'Causal (GPT)' });
    expect(l.cells).toHaveLength(16);
    for (const c of l.cells) expect(c.filled).toBe(c.key <= c.query);
    expect(l.countLabels.map((d) => d.text)).toEqual(['1', '2', '3', '4']);
    expect(l.caption).toBe('Causal (GPT)');
    expect(l.countLabels.every((d) => d.x > l.size)).toBe(true);
  });

  it('bidirectional: everything filled, every row sees n', () => {
    const l = layoutMaskView({ mask: bidirectionalMask(5) }, { text });
    expect(l.cells.every((c) => c.filled)).toBe(true);
    expect(l.countLabels.map((d) => d.text)).toEqual(['5', '5', '5', '5', '5']);
    expect(l.rowLabels.map((d) => d.text)).toEqual(['1', '2', '3', '4', '5']); // positions when no tokens
  });

  it('two masks of one size lay out alike, so side-by-side grids line up', () => {
    const a = layoutMaskView({ mask: causalMask(6) }, { text });
    const b = layoutMaskView({ mask: bidirectionalMask(6) }, { text });
    expect([a.width, a.height]).toEqual([b.width, b.height]);
  });
});

describe('bars layout', () => {
  const preds = [
    { token: 'paris', score: 0.62 },
    { token: 'lyon', score: 0.123 },
    { token: 'france', score: 0.004 },
  ];

  it('bar length is probability on a 0..1 linear scale', () => {
    const l = layoutBars(preds, { text, barWidth: 400 });
    expect(l.bars.map((b) => b.width)).toEqual(preds.map((p) => p.score * 400));
    expect(l.x(1)).toBe(400);
    expect(l.x(0)).toBe(0);
    expect(layoutBars([{ token: 'x', score: 1.2 }], { text, barWidth: 400 }).bars[0].width).toBe(400);
  });

  it('labels each bar with its token and percentage, best first as given', () => {
    const l = layoutBars(preds, { text });
    expect(l.bars.map((b) => b.label)).toEqual(['62.0%', '12.3%', '0.4%']);
    expect(l.bars.map((b) => b.token)).toEqual(['paris', 'lyon', 'france']);
    expect(l.bars[1].y).toBeGreaterThan(l.bars[0].y);
  });

  it('emphasises the highlighted bar', () => {
    const l = layoutBars(preds, { text, highlight: 1 });
    expect(l.bars.map((b) => b.highlighted)).toEqual([false, true, false]);
    expect(l.bars[1].fill).not.toBe(l.bars[0].fill);
  });

  it('handles no predictions', () => {
    expect(layoutBars([], { text }).bars).toEqual([]);
  });
});
