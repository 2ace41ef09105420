/**
 * Long sentences: dense grids as one picture (raster.ts), the heatmap's and
 * mask view's large-grid marks, and the head view's links as paths. The
 * pixel encoding and the paths are pure and checked in Node; the renderers'
 * picture, fallback and pointer tooltip in raster.render.test.ts (jsdom).
 */
import { describe, expect, it } from 'vitest';
import * as d3 from 'd3';
import { causalMask, normalizeRows } from '../../src/viz/attentionMath';
import { heatmapPixels, layoutHeatmap } from '../../src/viz/heatmap';
import { MAX_LINE_ELEMENTS, OPACITY_STEPS, layoutHeadView } from '../../src/viz/headView';
import { layoutMaskView } from '../../src/viz/maskView';
import { RASTER_MIN_SIDE, cellAt, colorLevel, colorTable, gridPixels, runsPath } from '../../src/viz/raster';
import { translatorFor } from '../../src/ui/i18n/translate';

const text = translatorFor('en');

function stochastic(seed: number, n: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const m = new Float32Array(n * n);
  for (let i = 0; i < m.length; i++) m[i] = rand() ** 4 + 0.001; // a few large weights per row, like real heads
  return normalizeRows(m, n);
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`);
const color = d3.scaleSequential(d3.interpolateBlues).domain([0, 1]).clamp(true);

/** RGBA of cell (row, col) in one-pixel-per-cell bytes. */
const pixel = (px: Uint8ClampedArray, n: number, row: number, col: number) => Array.from(px.subarray((row * n + col) * 4, (row * n + col) * 4 + 4));

describe('colour table and pixels', () => {
  it('the table holds the scale at 256 steps from 0 to max', () => {
    const table = colorTable(color, 1);
    for (const i of [0, 1, 100, 255]) {
      const c = d3.rgb(color(i / 255));
      expect(Array.from(table.subarray(i * 3, i * 3 + 3))).toEqual([c.r, c.g, c.b]);
    }
    expect(colorLevel(0.5, 1)).toBe(128);
    expect(colorLevel(2, 1)).toBe(255); // clamped, like the scale
    expect(colorLevel(-1, 1)).toBe(0);
    expect(colorLevel(Number.NaN, 1)).toBe(0);
    expect(colorLevel(0.25, 0.5)).toBe(128); // relative to max
  });

  it('one pixel per cell, row-major, in the colour of its weight; hidden cells clear', () => {
    const n = 3;
    const values = Float32Array.from([0, 0.5, 1, 0.2, 0.4, 0.6, 0.9, 0.1, 0.3]);
    const table = colorTable(color, 1);
    const px = gridPixels(values, n, table, 1, (i) => i === 5);
    expect(px).toHaveLength(n * n * 4);
    for (const [row, col] of [[0, 0], [0, 2], [2, 0], [1, 1]]) {
      const v = values[row * n + col];
      const c = d3.rgb(color(Math.round(v * 255) / 255));
      expect(pixel(px, n, row, col)).toEqual([c.r, c.g, c.b, 255]);
      // Within a step of the exact colour: rounding to 1/255 of the scale is invisible.
      const exact = d3.rgb(color(v));
      expect(Math.abs(c.r - exact.r) + Math.abs(c.g - exact.g) + Math.abs(c.b - exact.b)).toBeLessThanOrEqual(6);
    }
    expect(pixel(px, n, 1, 2)).toEqual([0, 0, 0, 0]);
    expect(pixel(px, n, 0, 0)).not.toEqual(pixel(px, n, 0, 2)); // light vs dark
  });
});

describe('runs of cells as one path', () => {
  it('a causal mask’s hidden triangle: one rectangle per row, none on the last', () => {
    const n = 4;
    const mask = causalMask(n);
    const d = runsPath(n, (r, c) => mask[r * n + c] === 0, (c) => c * 10, (r) => r * 10, 10, 10);
    expect(d.match(/M/g)).toHaveLength(n - 1);
    expect(d).toBe('M10,0h30v10h-30ZM20,10h20v10h-20ZM30,20h10v10h-10Z');
  });

  it('splits a row into its runs and leaves gaps out', () => {
    const pattern = [1, 1, 0, 1];
    const d = runsPath(4, (r, c) => r === 0 && pattern[c] === 1, (c) => c * 12, (r) => r * 12, 10, 10);
    expect(d).toBe('M0,0h22v10h-22ZM36,0h10v10h-10Z');
    expect(runsPath(2, () => false, (c) => c, (r) => r, 1, 1)).toBe('');
  });

  it('cellAt maps a point to its cell, null outside', () => {
    expect(cellAt(25, 5, 10, 4)).toEqual({ row: 0, col: 2 });
    expect(cellAt(39.9, 39.9, 10, 4)).toEqual({ row: 3, col: 3 });
    expect(cellAt(40, 5, 10, 4)).toBeNull();
    expect(cellAt(-1, 5, 10, 4)).toBeNull();
  });
});

describe('heatmap of a long sentence', () => {
  const n = 128;
  const tokens = words(n);
  const matrix = stochastic(7, n);

  it('above RASTER_MIN_SIDE tokens: one picture, no per-cell marks; at or below: rects', () => {
    const big = layoutHeatmap({ tokens, matrix }, { text });
    expect(big.cells).toHaveLength(0);
    expect(big.raster).not.toBeNull();
    expect(big.raster!.n).toBe(n);
    expect(big.raster!.cell * n).toBeCloseTo(big.size);
    const m = RASTER_MIN_SIDE;
    const small = layoutHeatmap({ tokens: words(m), matrix: stochastic(1, m) }, { text });
    expect(small.raster).toBeNull();
    expect(small.cells).toHaveLength(m * m);
    // The caller can force either.
    expect(layoutHeatmap({ tokens, matrix }, { text, mode: 'rects' }).cells).toHaveLength(n * n);
    expect(layoutHeatmap({ tokens: words(m), matrix: stochastic(1, m) }, { text, mode: 'image' }).raster).not.toBeNull();
  });

  it('the picture’s pixels are the cells’ colours (row = query), masked cells clear over a hatched path', () => {
    const mask = causalMask(n);
    const l = layoutHeatmap({ tokens, matrix }, { text, maskMatrix: mask, colorMax: 0.5 });
    const px = heatmapPixels(l)!;
    expect(px).toHaveLength(n * n * 4);
    // The rects a small view would draw, for the same cells: same colour (to the table's step).
    const rects = layoutHeatmap({ tokens, matrix }, { text, maskMatrix: mask, colorMax: 0.5, mode: 'rects' });
    for (const [q, k] of [[0, 0], [5, 3], [127, 0], [127, 127], [64, 60]]) {
      const cell = rects.cells.find((c) => c.query === q && c.key === k)!;
      const level = Math.round((Math.min(cell.value, 0.5) / 0.5) * 255) / 255;
      const c = d3.rgb(l.color(level * 0.5));
      expect(pixel(px, n, q, k), `${q},${k}`).toEqual([c.r, c.g, c.b, 255]);
    }
    expect(pixel(px, n, 3, 5)).toEqual([0, 0, 0, 0]); // key after query: masked
    // The hatched path: one run per row but the last, starting right after the diagonal.
    const d = l.raster!.maskedPath;
    expect(d.match(/M/g)).toHaveLength(n - 1);
    expect(d.startsWith(`M${l.raster!.cell},0h`)).toBe(true);
    expect(layoutHeatmap({ tokens, matrix }, { text }).raster!.maskedPath).toBe('');
  });

  it('tooltips: any cell on demand, the highlighted one on the picture', () => {
    const l = layoutHeatmap({ tokens, matrix }, { text, highlight: { query: 9, key: 4 }, title: 'Layer 1' });
    expect(l.cellTitle(9, 4)).toBe(`w9 → w4: ${d3.format('.3f')(matrix[9 * n + 4])}`);
    expect(l.raster!.title).toBe(l.cellTitle(9, 4));
    expect([l.raster!.query, l.raster!.key]).toEqual([9, 4]);
    expect(l.rowBand).not.toBeNull();
    expect(layoutHeatmap({ tokens, matrix }, { text, title: 'Layer 1' }).raster!.title).toBe('Layer 1');
    const masked = layoutHeatmap({ tokens, matrix }, { text, maskMatrix: causalMask(n) });
    expect(masked.cellTitle(2, 7)).toBe(text('view.cannotSee', { query: 'w2', key: 'w7' }));
  });
});

describe('mask view of a long sentence', () => {
  it('two paths (may / may not attend) instead of n² cells, aligned with the grid', () => {
    const n = 100;
    const l = layoutMaskView({ mask: causalMask(n), tokens: words(n) }, { text });
    expect(l.cells).toHaveLength(0);
    expect(l.areas.map((a) => a.filled)).toEqual([true, false]);
    const [filled, hidden] = l.areas;
    expect(filled.d.match(/M/g)).toHaveLength(n); // row r sees keys 0..r: one run each
    expect(hidden.d.match(/M/g)).toHaveLength(n - 1);
    expect(filled.d.startsWith(`M0,0h${Math.round(l.cellSide * 1000) / 1000}v`)).toBe(true);
    expect(l.step * (n - 1) + l.cellSide).toBeCloseTo(l.size);
    expect(l.cellTitle(1, 0)).toBe(text('view.canSee', { query: 'w1', key: 'w0' }));
    expect(l.cellTitle(0, 1)).toBe(text('view.cannotSee', { query: 'w0', key: 'w1' }));
    // Bidirectional: everything filled, no empty path at all.
    expect(layoutMaskView({ mask: new Float32Array(n * n).fill(1) }, { text }).areas.map((a) => a.filled)).toEqual([true]);
    expect(layoutMaskView({ mask: causalMask(4) }, { text }).areas).toHaveLength(0);
  });
});

describe('head view of a long sentence', () => {
  const n = 128;
  const tokens = words(n);
  const heads = [stochastic(1, n), stochastic(2, n), stochastic(3, n), stochastic(4, n)];

  it('many links: one path per head and opacity step, every link kept, opacity within a step of weight / active heads', () => {
    const l = layoutHeadView({ tokens, heads }, { text });
    expect(l.lines).toHaveLength(0);
    let expected = 0;
    heads.forEach((m) => m.forEach((w) => (expected += w >= 0.01 ? 1 : 0)));
    expect(expected).toBeGreaterThan(MAX_LINE_ELEMENTS);
    expect(d3.sum(l.paths, (p) => p.count)).toBe(expected);
    expect(l.paths.length).toBeLessThanOrEqual(heads.length * OPACITY_STEPS);
    expect(l.paths.length).toBeLessThan(expected / 10);
    // Each path's segments are its links: count them, and check one link's opacity step.
    for (const p of l.paths) expect(p.d.match(/M/g)).toHaveLength(p.count);
    const w = heads[2][5 * n + 5];
    const step = Math.max(1, Math.round((w / 4) * OPACITY_STEPS));
    const holder = l.paths.find((p) => p.head === 2 && p.level === step)!;
    expect(Math.abs(holder.opacity - w / 4)).toBeLessThanOrEqual(0.5 / OPACITY_STEPS + 1e-9);
    const q5 = l.tokens.find((t) => t.side === 'query' && t.index === 5)!;
    expect(holder.d).toContain(`,${q5.y}L`);
  });

  it('turning a head off removes its paths; focusing a token goes back to lines', () => {
    const off = layoutHeadView({ tokens, heads }, { text, activeHeads: [true, false, true, true] });
    expect(off.paths.some((p) => p.head === 1)).toBe(false);
    const focused = layoutHeadView({ tokens, heads }, { text, focusToken: 3 });
    expect(focused.paths).toHaveLength(0);
    expect(focused.lines.length).toBeGreaterThan(0);
    expect(focused.lines.every((d) => d.query === 3)).toBe(true);
  });
});
