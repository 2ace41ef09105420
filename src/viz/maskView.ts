/**
 * A 0/1 attention mask: filled square = this query (row) may attend to this
 * key (column), empty = it may not. Drawn twice side by side to contrast BERT
 * (bidirectional: all filled) with a GPT-style decoder (causal: nothing above
 * the diagonal). The count at the end of each row says how many tokens that
 * position sees: n everywhere for BERT, 1, 2, …, n for causal.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, drawAxisLabels, maxTextWidth, plotGroup, prepareSvg, truncate, withTitle } from './common';
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

export interface MaskViewLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  caption: string;
  /** Side of the grid. */
  size: number;
  fill: string;
  cells: MaskCell[];
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

  const cells: MaskCell[] = [];
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const filled = data.mask[q * n + k] !== 0; // the encoding: filled = may attend
      cells.push({
        query: q,
        key: k,
        x: x(k) ?? 0,
        y: y(q) ?? 0,
        size: x.bandwidth(),
        filled,
        title: text(filled ? 'view.canSee' : 'view.cannotSee', { query: labels[q], key: labels[k] }),
      });
    }
  }
  const mid = (i: number) => (y(i) ?? 0) + y.bandwidth() / 2;

  return {
    width: margin.left + size + margin.right,
    height: margin.top + size + margin.bottom,
    margin,
    fontSize,
    caption: options.caption ?? text('view.mask.caption'),
    size,
    fill: options.fill ?? '#2171b5',
    cells,
    rowLabels: labels.map((text, i) => ({ index: i, text, x: -6, y: mid(i) })),
    colLabels: labels.map((text, i) => ({ index: i, text, x: (x(i) ?? 0) + x.bandwidth() / 2, y: -6 })),
    countLabels: counts.map((c, i) => ({ index: i, text: String(c), x: size + 8, y: mid(i) })),
    countHeader: { index: -1, text: sees, x: size + 8, y: -6 },
  };
}

const CLS = 'viz-mask-view';

export function renderMaskView(svg: SVGSVGElement, layout: MaskViewLayout): void {
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
    // Empty cells keep an outline so "not allowed" reads as a hole, not as missing data.
    .attr('fill', (d) => (d.filled ? layout.fill : '#fff'))
    .attr('stroke', (d) => (d.filled ? 'none' : '#bbb'))
    .call(withTitle);

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
  const draw = (d: MaskViewData, o: MaskViewOptions) => renderMaskView(svg, layoutMaskView(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
