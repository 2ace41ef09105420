/**
 * A 0/1 attention mask: filled square = this query (row) may attend to this
 * key (column), empty = it may not. Drawn twice side by side to contrast BERT
 * (bidirectional: all filled) with a GPT-style decoder (causal: nothing above
 * the diagonal). The count at the end of each row says how many tokens that
 * position sees: n everywhere for BERT, 1, 2, …, n for causal.
 *
 * Above RASTER_MIN_SIDE tokens the cells are not one <rect> each (two 128-token
 * grids were 33,000 elements) but two paths, one per kind of cell, each a
 * rectangle per run of cells in a row and filled with a one-cell <pattern>:
 * the same squares and gaps, a few hundred path commands, still vector in an export.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, drawAxisLabels, maxTextWidth, plotGroup, prepareSvg, truncate, uniqueId, withTitle } from './common';
import { RASTER_MIN_SIDE, cellAt, runsPath } from './raster';
import { sideOf, visibleCounts } from './attentionMath';
import type { Margin, MaskMatrix, Tokens, Translate, View } from './types';

export interface MaskViewData {
  /** n×n, row-major, 1 = may attend. */
  mask: MaskMatrix;
  /** Row/column labels; positions 1..n when absent. */
  tokens?: Tokens;
}

export interface MaskViewOptions {
  /** The page's words: the count column's header, the cells' tooltips, the default caption. */
  text: Translate;
  /** Shown above the grid, e.g. "Bidirectional (BERT)". */
  caption?: string;
  cellSize?: number;
  fontSize?: number;
  /** Colour of a "may attend" cell. */
  fill?: string;
}

export interface MaskCell {
  query: number;
  key: number;
  x: number;
  y: number;
  size: number;
  filled: boolean;
  title: string;
}

export interface MaskLabel {
  index: number;
  text: string;
  x: number;
  y: number;
}

/** Every cell of one kind as one path, painted with a one-cell pattern (large grids). */
export interface MaskArea {
  filled: boolean;
  /** Rectangles over runs of cells of this kind. */
  d: string;
}

export interface MaskViewLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  caption: string;
  /** Side of the grid. */
  size: number;
  fill: string;
  /** Distance from one cell's corner to the next (cell side + gap). */
  step: number;
  cellSide: number;
  n: number;
  /** One per cell for small grids; empty when `areas` draw them. */
  cells: MaskCell[];
  /** The two kinds of cell as paths, for large grids; empty for small ones. */
  areas: MaskArea[];
  /** Tooltip of a cell: whether `query` may see `key`. */
  cellTitle: (query: number, key: number) => string;
  rowLabels: MaskLabel[];
  colLabels: MaskLabel[];
  countLabels: MaskLabel[];
  countHeader: MaskLabel;
}

const MAX_LABEL_CHARS = 12;

export function layoutMaskView(data: MaskViewData, options: MaskViewOptions): MaskViewLayout {
  const { text } = options;
  const sees = text('view.mask.sees');
  const n = data.tokens?.length ?? sideOf(data.mask);
  if (data.mask.length !== n * n) throw new Error(`mask view: ${n} tokens need ${n * n} mask entries, got ${data.mask.length}`);
  const cellSize = options.cellSize ?? Math.max(16, Math.min(32, 320 / Math.max(n, 1)));
  const size = cellSize * n;
  const fontSize = Math.min(options.fontSize ?? FONT_SIZE, cellSize * 0.9);
  const labels = (data.tokens ?? d3.range(1, n + 1).map(String)).map((t) => truncate(t, MAX_LABEL_CHARS));
  const labelWidth = maxTextWidth(labels, fontSize);
  const counts = visibleCounts(data.mask, n);
  const countWidth = Math.max(maxTextWidth([sees], fontSize), maxTextWidth(counts.map(String), fontSize));
  const margin: Margin = {
    top: fontSize * 2 + labelWidth + 8,
    right: countWidth + 14,
    bottom: 8,
    left: labelWidth + 10,
  };

  // Scales: keys across, queries down, as in the heatmap so the two read alike.
  const x = d3.scaleBand<number>().domain(d3.range(n)).range([0, size]).paddingInner(0.08);
  const y = d3.scaleBand<number>().domain(d3.range(n)).range([0, size]).paddingInner(0.08);

  const mayAttend = (q: number, k: number) => data.mask[q * n + k] !== 0; // the encoding: filled = may attend
  const cellTitle = (q: number, k: number) => text(mayAttend(q, k) ? 'view.canSee' : 'view.cannotSee', { query: labels[q], key: labels[k] });
  const asAreas = n > RASTER_MIN_SIDE;
  const cells: MaskCell[] = [];
  for (let q = 0; q < n && !asAreas; q++) {
    for (let k = 0; k < n; k++) {
      cells.push({ query: q, key: k, x: x(k) ?? 0, y: y(q) ?? 0, size: x.bandwidth(), filled: mayAttend(q, k), title: cellTitle(q, k) });
    }
  }
  const side = x.bandwidth();
  const area = (filled: boolean): MaskArea => ({
    filled,
    d: runsPath(n, (q, k) => mayAttend(q, k) === filled, (k) => x(k) ?? 0, (q) => y(q) ?? 0, side, side),
  });
  const areas = asAreas ? [area(true), area(false)].filter((a) => a.d !== '') : [];
  const mid = (i: number) => (y(i) ?? 0) + y.bandwidth() / 2;

  return {
    width: margin.left + size + margin.right,
    height: margin.top + size + margin.bottom,
    margin,
    fontSize,
    caption: options.caption ?? text('view.mask.caption'),
    size,
    fill: options.fill ?? '#2171b5',
    step: x.step(),
    cellSide: side,
    n,
    cells,
    areas,
    cellTitle,
    rowLabels: labels.map((text, i) => ({ index: i, text, x: -6, y: mid(i) })),
    colLabels: labels.map((text, i) => ({ index: i, text, x: (x(i) ?? 0) + x.bandwidth() / 2, y: -6 })),
    countLabels: counts.map((c, i) => ({ index: i, text: String(c), x: size + 8, y: mid(i) })),
    countHeader: { index: -1, text: sees, x: size + 8, y: -6 },
  };
}

const CLS = 'viz-mask-view';

/** A cell's look, the same for a small grid's rects and a large grid's pattern tiles. */
function styleCells<D extends { filled: boolean }, P extends d3.BaseType, PD>(
  rects: d3.Selection<SVGRectElement, D, P, PD>,
  fill: string,
): void {
  // Empty cells keep an outline so "not allowed" reads as a hole, not as missing data.
  rects.attr('fill', (d) => (d.filled ? fill : '#fff')).attr('stroke', (d) => (d.filled ? 'none' : '#bbb'));
}

export function renderMaskView(svg: SVGSVGElement, layout: MaskViewLayout, patternIds: { filled: string; empty: string } = { filled: 'viz-mask-filled', empty: 'viz-mask-empty' }): void {
  const root = prepareSvg(svg, CLS, layout, layout.caption);
  const { fontSize, margin } = layout;

  root
    .selectAll('text.caption')
    .data([layout.caption])
    .join('text')
    .attr('class', 'caption')
    .attr('x', margin.left + layout.size / 2)
    .attr('y', fontSize * 1.2)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize * 1.1)
    .attr('font-weight', 'bold')
    .text((d) => d);

  const plot = plotGroup(root, margin);

  plot
    .selectAll<SVGRectElement, MaskCell>('rect.cell')
    .data(layout.cells, (d) => `${d.query},${d.key}`)
    .join('rect')
    .attr('class', (d) => `cell ${d.filled ? 'visible' : 'hidden'}`)
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('width', (d) => d.size)
    .attr('height', (d) => d.size)
    .call(styleCells, layout.fill)
    .call(withTitle);

  // Large grids: one pattern tile per kind of cell, aligned with the grid (tiles start at the plot's origin).
  const id = (filled: boolean) => (filled ? patternIds.filled : patternIds.empty);
  const tiles = plot
    .selectAll('defs')
    .data(layout.areas.length > 0 ? [null] : [])
    .join('defs')
    .selectAll<SVGPatternElement, MaskArea>('pattern')
    .data(layout.areas, (d) => String(d.filled))
    .join((enter) => {
      const p = enter.append('pattern');
      p.append('rect');
      return p;
    })
    .attr('id', (d) => id(d.filled))
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('width', layout.step)
    .attr('height', layout.step);
  // The outline is drawn inside the tile (half a unit in), so the tile's edge does not cut it.
  tiles
    .select<SVGRectElement>('rect')
    .attr('x', (d) => (d.filled ? 0 : 0.5))
    .attr('y', (d) => (d.filled ? 0 : 0.5))
    .attr('width', (d) => layout.cellSide - (d.filled ? 0 : 1))
    .attr('height', (d) => layout.cellSide - (d.filled ? 0 : 1))
    .call(styleCells, layout.fill);
  const areas = plot
    .selectAll<SVGGElement, null>('g.areas')
    .data(layout.areas.length > 0 ? [null] : [])
    .join('g')
    .attr('class', 'areas');
  areas
    .selectAll<SVGPathElement, MaskArea>('path.area')
    .data(layout.areas, (d) => String(d.filled))
    .join('path')
    .attr('class', (d) => `area ${d.filled ? 'visible' : 'hidden'}`)
    .attr('d', (d) => d.d)
    .attr('fill', (d) => `url(#${id(d.filled)})`);
  // One tooltip for the whole grid, following the pointer, instead of one <title> per cell.
  areas
    .selectAll<SVGRectElement, null>('rect.hit')
    .data([null])
    .join((enter) => {
      const r = enter.append('rect').attr('class', 'hit');
      r.append('title');
      return r;
    })
    .attr('width', layout.size)
    .attr('height', layout.size)
    .attr('fill', 'transparent')
    .on('pointermove pointerdown', function (event: PointerEvent) {
      const [px, py] = d3.pointer(event, this);
      const at = cellAt(px, py, layout.step, layout.n);
      d3.select(this).select('title').text(at === null ? layout.caption : layout.cellTitle(at.row, at.col));
    })
    .select('title')
    .text(layout.caption);

  drawAxisLabels(plot, layout.rowLabels, layout.colLabels, fontSize);

  plot
    .selectAll<SVGTextElement, MaskLabel>('text.count')
    .data([...layout.countLabels, layout.countHeader], (d) => d.index)
    .join('text')
    .attr('class', (d) => (d.index < 0 ? 'count header' : 'count'))
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('dy', (d) => (d.index < 0 ? null : '0.35em'))
    .attr('font-size', fontSize)
    .attr('fill', (d) => (d.index < 0 ? '#555' : '#222'))
    .text((d) => d.text);
}

export function maskView(svg: SVGSVGElement, data: MaskViewData, options: MaskViewOptions): View<MaskViewData, MaskViewOptions> {
  const patternIds = { filled: uniqueId('viz-mask-filled'), empty: uniqueId('viz-mask-empty') };
  const draw = (d: MaskViewData, o: MaskViewOptions) => renderMaskView(svg, layoutMaskView(d, o), patternIds);
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
