/**
 * Query × key heatmap of one attention matrix: row = the token that looks
 * (query), column = the token looked at (key), colour = the weight.
 *
 * Split in two, so the encoding is testable without a DOM:
 *   layoutHeatmap(data, options) → plain mark objects (pure),
 *   renderHeatmap(svg, layout, handlers) → D3 joins those marks.
 *
 * Small matrices are one <rect> per cell; above RASTER_MIN_SIDE tokens the
 * cells are one pixelated <image> (raster.ts: 16,384 rects at 128 tokens froze
 * the page for seconds), masked cells one hatched <path>, and the per-cell
 * tooltip one <title> that follows the pointer.
 */
import * as d3 from 'd3';
import {
  FONT_SIZE,
  WEIGHT_INTERPOLATOR,
  clearSvg,
  formatWeight,
  maxTextWidth,
  prepareSvg,
  truncate,
  uniqueId,
  withMargin,
  drawAxisLabels,
  plotGroup,
  placeBox,
  withTitle,
} from './common';
import { RASTER_MIN_SIDE, cachedRaster, canRaster, cellAt, colorTable, gridPixels, pixelsToDataUrl, runsPath, type RasterCache } from './raster';
import type { CellRef, Margin, MaskMatrix, Tokens, Translate, View } from './types';

export interface HeatmapData {
  /** Labels for both axes; length n. */
  tokens: Tokens;
  /** n×n, row-major, row = query, column = key. */
  matrix: Float32Array;
}

export interface HeatmapOptions {
  /** The page's words: the default title and axis names, the masked cells' tooltips. */
  text: Translate;
  title?: string;
  /** Side of one cell in viewBox units; by default the matrix is about 480 units wide. */
  cellSize?: number;
  margin?: Partial<Margin>;
  fontSize?: number;
  /** Weight mapped to the darkest colour. 1 keeps maps comparable across heads. */
  colorMax?: number;
  interpolator?: (t: number) => string;
  /** Row and/or column to emphasise (the caller's hover state). */
  highlight?: CellRef | null;
  /** 0 = the query may not see this key: drawn hatched, with no colour ("nothing above the diagonal"). */
  maskMatrix?: MaskMatrix | null;
  /** Cell → (query, key); row label → (query, null); column label → (null, key); leaving → (null, null). */
  onHover?: (query: number | null, key: number | null) => void;
  /** Axis names; by default text('att.query') and text('att.key'). */
  queryLabel?: string;
  keyLabel?: string;
  /**
   * 'rects': one <rect> per cell; 'image': one picture of all cells; 'auto' (default):
   * the picture above RASTER_MIN_SIDE tokens where the browser can make one, else rects.
   */
  mode?: GridMode;
}

export type GridMode = 'auto' | 'rects' | 'image';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface HeatmapCell extends Rect {
  query: number;
  key: number;
  value: number;
  fill: string;
  title: string;
}

export interface MaskedCell extends Rect {
  query: number;
  key: number;
  title: string;
}

/** All cells as one picture (one pixel per cell), for large matrices. */
export interface HeatmapRaster {
  n: number;
  /** Side of one cell; the picture is n × cell units square, at the plot's origin. */
  cell: number;
  matrix: Float32Array;
  mask: MaskMatrix | null;
  /** The masked cells as one path (hatched under the picture, which is clear there); '' when none. */
  maskedPath: string;
  /** The highlighted cell (the caller's hover state), so hovering it again does not call back again. */
  query: number | null;
  key: number | null;
  /** The picture's tooltip: the highlighted cell's, or the drawing's title when none is. */
  title: string;
}

export interface AxisLabel {
  index: number;
  text: string;
  /** Anchor point, in the plot's coordinates (origin = top-left cell). */
  x: number;
  y: number;
  highlighted: boolean;
}

export interface HeatmapLayout {
  width: number;
  height: number;
  margin: Margin;
  /** Side of the square matrix area. */
  size: number;
  fontSize: number;
  title: string;
  queryLabel: string;
  keyLabel: string;
  /** One per cell in 'rects' mode; empty when `raster` draws them. */
  cells: HeatmapCell[];
  maskedCells: MaskedCell[];
  raster: HeatmapRaster | null;
  /** Tooltip of the cell (query, key): "query → key: weight", or that the mask hides it. */
  cellTitle: (query: number, key: number) => string;
  rowLabels: AxisLabel[];
  colLabels: AxisLabel[];
  rowBand: Rect | null;
  colBand: Rect | null;
  /** The colour scale used for `fill`, for a legend or a test. */
  color: (value: number) => string;
  colorMax: number;
  interpolator: (t: number) => string;
}

const MAX_LABEL_CHARS = 14;

export function layoutHeatmap(data: HeatmapData, options: HeatmapOptions): HeatmapLayout {
  const { text } = options;
  const { tokens, matrix } = data;
  const n = tokens.length;
  if (matrix.length !== n * n) throw new Error(`heatmap: ${n} tokens need ${n * n} weights, got ${matrix.length}`);
  const mask = options.maskMatrix ?? null;
  if (mask && mask.length !== n * n) throw new Error(`heatmap: mask has ${mask.length} entries, expected ${n * n}`);

  // Cells between 18 and 40 units: big enough to hover, and the label font
  // below is never larger than a cell so rows stay separate.
  const cell = options.cellSize ?? Math.max(18, Math.min(40, 480 / Math.max(n, 1)));
  const size = cell * n;
  const fontSize = Math.min(options.fontSize ?? FONT_SIZE, cell * 0.9);
  const labels = tokens.map((t) => truncate(t, MAX_LABEL_CHARS));
  const labelWidth = maxTextWidth(labels, fontSize);
  const axisTitle = fontSize * 1.6;
  const margin = withMargin(
    { top: labelWidth + 10 + axisTitle, right: 12, bottom: 12, left: labelWidth + 10 + axisTitle },
    options.margin,
  );

  // Scales first: keys across, queries down.
  const x = d3.scaleBand<number>().domain(d3.range(n)).range([0, size]);
  const y = d3.scaleBand<number>().domain(d3.range(n)).range([0, size]);
  const colorMax = options.colorMax ?? 1;
  const interpolator = options.interpolator ?? WEIGHT_INTERPOLATOR;
  const color = d3
    .scaleSequential(interpolator)
    .domain([0, colorMax])
    .clamp(true);

  const masked = (q: number, k: number) => mask !== null && mask[q * n + k] === 0;
  const cellTitle = (q: number, k: number) =>
    masked(q, k)
      ? text('view.cannotSee', { query: tokens[q], key: tokens[k] })
      : `${tokens[q]} → ${tokens[k]}: ${formatWeight(matrix[q * n + k])}`;
  const hq = options.highlight?.query ?? null;
  const hk = options.highlight?.key ?? null;
  const title = options.title ?? text('view.heatmap.title');

  const mode = options.mode ?? 'auto';
  const asImage = mode === 'image' || (mode === 'auto' && n > RASTER_MIN_SIDE);
  const cells: HeatmapCell[] = [];
  const maskedCells: MaskedCell[] = [];
  for (let q = 0; q < n && !asImage; q++) {
    for (let k = 0; k < n; k++) {
      const rect = { x: x(k) ?? 0, y: y(q) ?? 0, width: x.bandwidth(), height: y.bandwidth() };
      if (masked(q, k)) {
        maskedCells.push({ query: q, key: k, ...rect, title: cellTitle(q, k) });
        continue;
      }
      const value = matrix[q * n + k];
      cells.push({
        query: q,
        key: k,
        ...rect,
        value,
        fill: color(value), // the encoding: colour = attention weight
        title: cellTitle(q, k),
      });
    }
  }
  const hovered = hq !== null && hk !== null && hq >= 0 && hq < n && hk >= 0 && hk < n;
  const raster: HeatmapRaster | null = asImage
    ? {
        n,
        cell,
        matrix,
        mask,
        maskedPath: mask ? runsPath(n, masked, (k) => x(k) ?? 0, (q) => y(q) ?? 0, x.bandwidth(), y.bandwidth()) : '',
        query: hq,
        key: hk,
        title: hovered ? cellTitle(hq, hk) : title,
      }
    : null;
  const rowLabels = labels.map((text, i) => ({
    index: i,
    text,
    x: -6,
    y: (y(i) ?? 0) + y.bandwidth() / 2,
    highlighted: i === hq,
  }));
  const colLabels = labels.map((text, i) => ({
    index: i,
    text,
    x: (x(i) ?? 0) + x.bandwidth() / 2,
    y: -6,
    highlighted: i === hk,
  }));

  return {
    width: margin.left + size + margin.right,
    height: margin.top + size + margin.bottom,
    margin,
    size,
    fontSize,
    title,
    queryLabel: options.queryLabel ?? text('att.query'),
    keyLabel: options.keyLabel ?? text('att.key'),
    cells,
    maskedCells,
    raster,
    cellTitle,
    rowLabels,
    colLabels,
    rowBand: hq !== null && hq >= 0 && hq < n ? { x: 0, y: y(hq) ?? 0, width: size, height: y.bandwidth() } : null,
    colBand: hk !== null && hk >= 0 && hk < n ? { x: x(hk) ?? 0, y: 0, width: x.bandwidth(), height: size } : null,
    color,
    colorMax,
    interpolator,
  };
}

/** RGBA bytes of the picture, one pixel per cell (row = query); masked cells transparent. */
export function heatmapPixels(layout: HeatmapLayout): Uint8ClampedArray | null {
  const grid = layout.raster;
  if (grid === null) return null;
  const { n, matrix, mask } = grid;
  return gridPixels(matrix, n, colorTable(layout.color, layout.colorMax), layout.colorMax, mask ? (i) => mask[i] === 0 : undefined);
}

export interface HeatmapHandlers {
  onHover?: (query: number | null, key: number | null) => void;
  /** id of the <pattern> used for masked cells; one per view instance. */
  hatchId: string;
  /** Pictures already encoded (one per matrix), so a hover redraw does not encode a PNG again. */
  cache?: RasterCache;
}

const CLS = 'viz-heatmap';

export function renderHeatmap(svg: SVGSVGElement, layout: HeatmapLayout, handlers: HeatmapHandlers): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const { margin, size, fontSize } = layout;
  const hover = handlers.onHover;

  // Diagonal hatching for cells the mask hides: visibly "not allowed", not "weight 0".
  const defs = root.selectAll('defs').data([null]).join('defs');
  const pattern = defs
    .selectAll('pattern')
    .data([handlers.hatchId])
    .join('pattern')
    .attr('id', (d) => d)
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 6)
    .attr('height', 6)
    .attr('patternTransform', 'rotate(45)');
  pattern.selectAll('line').data([null]).join('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6).attr('stroke', '#bbb').attr('stroke-width', 2);

  const plot = plotGroup(root, margin).on('mouseleave', () => hover?.(null, null));
  // Cells in their own layer, made first: the highlight bands drawn after stay on top
  // even when a longer sentence later swaps rects for the picture.
  const gridLayer = plot.selectAll('g.grid').data([null]).join('g').attr('class', 'grid');

  gridLayer
    .selectAll<SVGRectElement, HeatmapCell>('rect.cell')
    .data(layout.cells, (d) => `${d.query},${d.key}`)
    .join('rect')
    .attr('class', 'cell')
    .call(placeBox)
    .attr('fill', (d) => d.fill)
    .attr('data-value', (d) => d.value)
    .attr('data-query', (d) => d.query)
    .attr('data-key', (d) => d.key)
    .on('mouseenter', (_e: MouseEvent, d) => hover?.(d.query, d.key))
    .call(withTitle);

  gridLayer
    .selectAll<SVGRectElement, MaskedCell>('rect.masked')
    .data(layout.maskedCells, (d) => `${d.query},${d.key}`)
    .join('rect')
    .attr('class', 'masked')
    .call(placeBox)
    .attr('fill', `url(#${handlers.hatchId})`)
    .on('mouseenter', (_e: MouseEvent, d) => hover?.(d.query, d.key))
    .call(withTitle);

  const grid = layout.raster;
  gridLayer
    .selectAll<SVGPathElement, HeatmapRaster>('path.masked-area')
    .data(grid !== null && grid.maskedPath !== '' ? [grid] : [])
    .join('path')
    .attr('class', 'masked-area')
    .attr('d', (d) => d.maskedPath)
    .attr('fill', `url(#${handlers.hatchId})`);
  gridLayer
    .selectAll<SVGImageElement, HeatmapRaster>('image.cells')
    .data(grid !== null ? [grid] : [])
    .join((enter) => {
      const image = enter.append('image').attr('class', 'cells');
      image.append('title');
      return image;
    })
    .attr('width', (d) => d.n * d.cell)
    .attr('height', (d) => d.n * d.cell)
    .attr('preserveAspectRatio', 'none')
    // One pixel per cell, scaled up: keep the cell edges sharp.
    .style('image-rendering', 'pixelated')
    .attr('href', (d) => {
      const deps = [d.mask, layout.colorMax, layout.interpolator];
      return cachedRaster(handlers.cache, d.matrix, deps, () => pixelsToDataUrl(heatmapPixels(layout) ?? new Uint8ClampedArray(), d.n)) ?? '';
    })
    // One handler instead of one per cell: the cell under the pointer gives the tooltip and the hover.
    .on('pointermove pointerdown', function (event: PointerEvent, d) {
      const [px, py] = d3.pointer(event, this);
      const at = cellAt(px, py, d.cell, d.n);
      if (at === null) return;
      d3.select(this).select('title').text(layout.cellTitle(at.row, at.col));
      if (at.row !== d.query || at.col !== d.key) hover?.(at.row, at.col);
    })
    .select('title')
    .text((d) => d.title);

  // Highlight bands go above the cells and ignore the pointer so hovering continues to work.
  plot
    .selectAll<SVGRectElement, Rect>('rect.band')
    .data([layout.rowBand, layout.colBand].filter((b): b is Rect => b !== null))
    .join('rect')
    .attr('class', 'band')
    .call(placeBox)
    .attr('fill', 'none')
    .attr('stroke', '#d95f02')
    .attr('stroke-width', 2.5)
    .attr('pointer-events', 'none');

  drawAxisLabels(plot, layout.rowLabels, layout.colLabels, fontSize, hover);

  plot
    .selectAll('text.axis-title')
    .data([
      { text: layout.queryLabel, transform: `translate(${-margin.left + fontSize},${size / 2}) rotate(-90)` },
      { text: layout.keyLabel, transform: `translate(${size / 2},${-margin.top + fontSize})` },
    ])
    .join('text')
    .attr('class', 'axis-title')
    .attr('transform', (d) => d.transform)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize)
    .attr('fill', '#555')
    .text((d) => d.text);
}

export function heatmapView(
  svg: SVGSVGElement,
  data: HeatmapData,
  options: HeatmapOptions,
): View<HeatmapData, HeatmapOptions> {
  const hatchId = uniqueId('viz-hatch');
  const cache: RasterCache = new WeakMap();
  const draw = (d: HeatmapData, o: HeatmapOptions) => {
    // The picture needs a canvas; without one (jsdom, Node) the cells stay rects.
    const mode = canRaster() ? (o.mode ?? 'auto') : 'rects';
    renderHeatmap(svg, layoutHeatmap(d, { ...o, mode }), { onHover: o.onHover, hatchId, cache });
  };
  draw(data, options);
  return {
    update: draw,
    destroy: () => clearSvg(svg, CLS),
  };
}
