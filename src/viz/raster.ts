/**
 * Dense grids (a query × key heatmap, a model-view thumbnail) drawn as one
 * picture instead of one SVG <rect> per cell: one pixel per cell in an
 * ImageData, put into the SVG as an <image> scaled to the grid with
 * `image-rendering: pixelated`, so cells stay crisp squares.
 *
 * Why: at 128 tokens a heatmap is 16,384 cells; as rects (each with a <title>)
 * that was ~33,000 SVG nodes and 1–3 s of element creation, style and layout
 * on the main thread in Chromium. As one image it is one node and a few ms.
 *
 * The picture is a PNG data: URL, never a blob: URL, so the exported SVG is
 * self-contained and the PNG export (an <img> of the SVG, which may not load
 * anything outside itself) still shows the cells.
 *
 * Pure helpers (colour table, pixels, run paths) work in Node; only
 * `pixelsToDataUrl` needs a browser canvas, and `canRaster` says whether there
 * is one (jsdom has none: the views then fall back to rects).
 */
import * as d3 from 'd3';

/**
 * Grids with more cells than this on a side are drawn as an image. Measured in
 * Chromium (see report): at 16 tokens rects cost ~8–20 ms a redraw, at 64
 * already ~170–250 ms; below ~24 a side the two are alike and rects keep their
 * per-cell data-* attributes, which tests and people inspecting the page read.
 */
export const RASTER_MIN_SIDE = 24;

/** Steps in the colour table: the 8-bit colours the scale can give barely change between two of them. */
const LEVELS = 256;

/**
 * RGB bytes of `color` at LEVELS evenly spaced values from 0 to `max`: a
 * table, because calling a d3 colour scale and parsing its "rgb(…)" string per
 * cell costs ~20–40 ms for 16,384 cells, a table lookup well under one.
 */
export function colorTable(color: (value: number) => string, max: number): Uint8ClampedArray {
  const table = new Uint8ClampedArray(LEVELS * 3);
  for (let i = 0; i < LEVELS; i++) {
    const c = d3.rgb(color((i / (LEVELS - 1)) * max));
    table[i * 3] = c.r;
    table[i * 3 + 1] = c.g;
    table[i * 3 + 2] = c.b;
  }
  return table;
}

/** The table entry a value falls on: round(value / max × 255), clamped. */
export function colorLevel(value: number, max: number): number {
  if (!(max > 0) || !Number.isFinite(value)) return 0;
  return Math.max(0, Math.min(LEVELS - 1, Math.round((value / max) * (LEVELS - 1))));
}

/**
 * RGBA bytes, one pixel per cell, row-major like the matrix (row = query).
 * Cells where `hidden(i)` is true are transparent, so whatever is drawn under
 * the image (the hatching of masked cells) shows through.
 */
export function gridPixels(
  values: ArrayLike<number>,
  n: number,
  table: Uint8ClampedArray,
  max: number,
  hidden?: (index: number) => boolean,
): Uint8ClampedArray {
  const px = new Uint8ClampedArray(n * n * 4);
  for (let i = 0; i < n * n; i++) {
    if (hidden?.(i)) continue; // alpha stays 0
    const level = colorLevel(values[i], max) * 3;
    px[i * 4] = table[level];
    px[i * 4 + 1] = table[level + 1];
    px[i * 4 + 2] = table[level + 2];
    px[i * 4 + 3] = 255;
  }
  return px;
}

let probed: boolean | null = null;

/**
 * True where a 2D canvas can turn pixels into a PNG. OffscreenCanvas is checked
 * first only as a cheap sign of a real browser: jsdom has neither it nor a
 * working getContext (and logs an error when asked), so it is never asked.
 */
export function canRaster(): boolean {
  if (probed !== null) return probed;
  probed = false;
  if (typeof OffscreenCanvas === 'undefined' || typeof document === 'undefined') return probed;
  try {
    probed = document.createElement('canvas').getContext('2d') !== null;
  } catch {
    probed = false;
  }
  return probed;
}

/** A PNG data: URL of an n×n RGBA picture, or null without a canvas. */
export function pixelsToDataUrl(px: Uint8ClampedArray, n: number): string | null {
  if (n === 0 || !canRaster()) return null;
  const canvas = document.createElement('canvas');
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const image = ctx.createImageData(n, n);
  image.data.set(px);
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL('image/png');
}

/**
 * Pictures already made, per matrix: hovering only moves a highlight, and must
 * not re-encode a PNG each time. `deps` are what else shaped the picture
 * (colour scale, mask); entries die with their matrices (WeakMap).
 */
export type RasterCache = WeakMap<object, { deps: readonly unknown[]; url: string | null }>;

export function cachedRaster(cache: RasterCache | undefined, matrix: object, deps: readonly unknown[], make: () => string | null): string | null {
  const hit = cache?.get(matrix);
  if (hit && hit.deps.length === deps.length && hit.deps.every((d, i) => d === deps[i])) return hit.url;
  const url = make();
  cache?.set(matrix, { deps, url });
  return url;
}

/**
 * One SVG path covering the cells where `include(row, col)` holds, as one
 * rectangle per run of neighbouring cells in a row: a causal mask's hidden
 * triangle is n rectangles, not n²/2 elements.
 * `x(col)`, `y(row)` give a cell's top-left corner; `w`, `h` its size.
 */
export function runsPath(
  n: number,
  include: (row: number, col: number) => boolean,
  x: (col: number) => number,
  y: (row: number) => number,
  w: number,
  h: number,
): string {
  const parts: string[] = [];
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!include(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && include(r, c)) c++;
      const width = x(c - 1) + w - x(start);
      parts.push(`M${round(x(start))},${round(y(r))}h${round(width)}v${round(h)}h${round(-width)}Z`);
    }
  }
  return parts.join('');
}

/** Path numbers to 1/1000 of a unit: enough for any screen, and short. */
function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Which cell of an n×n grid of `cell`-sized squares a point (in the grid's coordinates) is on, or null outside. */
export function cellAt(px: number, py: number, cell: number, n: number): { row: number; col: number } | null {
  if (!(cell > 0)) return null;
  const row = Math.floor(py / cell);
  const col = Math.floor(px / cell);
  return row >= 0 && row < n && col >= 0 && col < n ? { row, col } : null;
}
