/**
 * Query × key heatmap of one attention matrix: row = the token that looks
 * (query), column = the token looked at (key), colour = the weight.
 *
 * Split in two, so the encoding is testable without a DOM:
 *   layoutHeatmap(data, options) → plain mark objects (pure),
 *   renderHeatmap(svg, layout, handlers) → D3 joins those marks.
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
}

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
  cells: HeatmapCell[];
  maskedCells: MaskedCell[];
  rowLabels: AxisLabel[];
  colLabels: AxisLabel[];
  rowBand: Rect | null;
  colBand: Rect | null;
  /** The colour scale used for `fill`, for a legend or a test. */
  color: (value: number) => string;
  colorMax: number;
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
  const color = d3
    .scaleSequential(options.interpolator ?? WEIGHT_INTERPOLATOR)
    .domain([0, colorMax])
    .clamp(true);

  const cells: HeatmapCell[] = [];
  const maskedCells: MaskedCell[] = [];
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const rect = { x: x(k) ?? 0, y: y(q) ?? 0, width: x.bandwidth(), height: y.bandwidth() };
      if (mask && mask[q * n + k] === 0) {
        maskedCells.push({ query: q, key: k, ...rect, title: text('view.cannotSee', { query: tokens[q], key: tokens[k] }) });
        continue;
      }
      const value = matrix[q * n + k];
      cells.push({
        query: q,
        key: k,
        ...rect,
        value,
        fill: color(value), // the encoding: colour = attention weight
        title: `${tokens[q]} → ${tokens[k]}: ${formatWeight(value)}`,
      });
    }
  }

  const hq = options.highlight?.query ?? null;
  const hk = options.highlight?.key ?? null;
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
    title: options.title ?? text('view.heatmap.title'),
    queryLabel: options.queryLabel ?? text('att.query'),
    keyLabel: options.keyLabel ?? text('att.key'),
    cells,
    maskedCells,
    rowLabels,
    colLabels,
    rowBand: hq !== null && hq >= 0 && hq < n ? { x: 0, y: y(hq) ?? 0, width: size, height: y.bandwidth() } : null,
    colBand: hk !== null && hk >= 0 && hk < n ? { x: x(hk) ?? 0, y: 0, width: x.bandwidth(), height: size } : null,
    color,
    colorMax,
  };
}

export interface HeatmapHandlers {
  onHover?: (query: number | null, key: number | null) => void;
  /** id of the <pattern> used for masked cells; one per view instance. */
  hatchId: string;
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

  plot
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

  plot
    .selectAll<SVGRectElement, MaskedCell>('rect.masked')
    .data(layout.maskedCells, (d) => `${d.query},${d.key}`)
    .join('rect')
    .attr('class', 'masked')
    .call(placeBox)
    .attr('fill', `url(#${handlers.hatchId})`)
    .on('mouseenter', (_e: MouseEvent, d) => hover?.(d.query, d.key))
    .call(withTitle);

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
  const draw = (d: HeatmapData, o: HeatmapOptions) => renderHeatmap(svg, layoutHeatmap(d, o), { onHover: o.onHover, hatchId });
  draw(data, options);
  return {
    update: draw,
    destroy: () => clearSvg(svg, CLS),
  };
}
