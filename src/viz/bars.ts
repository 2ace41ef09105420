/**
 * Fill-mask predictions as horizontal bars: one row per candidate token, bar
 * length ∝ probability on a fixed 0..1 scale (not 0..max), so a 30 % guess
 * looks like 30 % of the way and two sentences' bars compare directly.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, formatPercent, maxTextWidth, prepareSvg, truncate, plotGroup } from './common';
import type { Margin, Translate, View } from './types';

/** Structurally the engine's Prediction ({ token, id, score }); only these two are needed. */
export interface BarDatum {
  token: string;
  /** Probability in 0..1. */
  score: number;
}

export interface BarsOptions {
  /** The page's words: the default title (the drawing's accessible name). */
  text: Translate;
  title?: string;
  /** Length of a full (100 %) bar in viewBox units. */
  barWidth?: number;
  rowHeight?: number;
  fontSize?: number;
  fill?: string;
  /** Index of a bar to emphasise, e.g. the true word. */
  highlight?: number | null;
}

export interface BarMark {
  index: number;
  token: string;
  score: number;
  label: string;
  y: number;
  height: number;
  width: number;
  fill: string;
  highlighted: boolean;
}

export interface BarsLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  /** Full bar length (probability 1). */
  barWidth: number;
  bars: BarMark[];
  x: (p: number) => number;
}

export function layoutBars(data: readonly BarDatum[], options: BarsOptions): BarsLayout {
  const fontSize = options.fontSize ?? FONT_SIZE;
  const rowHeight = options.rowHeight ?? Math.max(24, fontSize * 1.7);
  const barWidth = options.barWidth ?? 320;
  const labels = data.map((d) => truncate(d.token, 18));
  const margin: Margin = {
    top: 4,
    right: maxTextWidth(['100.0%'], fontSize) + 12,
    bottom: 4,
    left: maxTextWidth(labels, fontSize) + 12,
  };

  // Explicit scales: probability → length on a fixed 0..1 domain; rank → row.
  const x = d3.scaleLinear().domain([0, 1]).range([0, barWidth]).clamp(true);
  const y = d3.scaleBand<number>().domain(d3.range(data.length)).range([0, rowHeight * data.length]).padding(0.15);
  const fill = options.fill ?? '#4e79a7';

  const bars = data.map((d, i) => ({
    index: i,
    token: labels[i],
    score: d.score,
    label: formatPercent(d.score),
    y: y(i) ?? 0,
    height: y.bandwidth(),
    width: x(d.score), // the encoding: length ∝ probability
    fill: i === options.highlight ? '#e15759' : fill,
    highlighted: i === options.highlight,
  }));

  return {
    width: margin.left + barWidth + margin.right,
    height: margin.top + rowHeight * data.length + margin.bottom,
    margin,
    fontSize,
    title: options.title ?? options.text('view.bars.title'),
    barWidth,
    bars,
    x,
  };
}

const CLS = 'viz-bars';

export function renderBars(svg: SVGSVGElement, layout: BarsLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const plot = plotGroup(root, layout.margin);

  const rows = plot
    .selectAll<SVGGElement, BarMark>('g.bar')
    .data(layout.bars, (d) => d.index)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'bar');
      g.append('rect').attr('class', 'track');
      g.append('rect').attr('class', 'value');
      g.append('text').attr('class', 'token');
      g.append('text').attr('class', 'percent');
      return g;
    })
    .attr('transform', (d) => `translate(0,${d.y})`);

  // A faint full-length track shows where 100 % would end.
  rows
    .select('rect.track')
    .attr('width', layout.barWidth)
    .attr('height', (d) => d.height)
    .attr('fill', '#f0f0f0');
  rows
    .select('rect.value')
    .attr('width', (d) => d.width)
    .attr('height', (d) => d.height)
    .attr('fill', (d) => d.fill);
  rows
    .select('text.token')
    .attr('x', -8)
    .attr('y', (d) => d.height / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-size', layout.fontSize)
    .attr('font-weight', (d) => (d.highlighted ? 'bold' : null))
    .text((d) => d.token);
  rows
    .select('text.percent')
    .attr('x', layout.barWidth + 6)
    .attr('y', (d) => d.height / 2)
    .attr('dy', '0.35em')
    .attr('font-size', layout.fontSize)
    .text((d) => d.label);
}

export function barsView(svg: SVGSVGElement, data: readonly BarDatum[], options: BarsOptions): View<readonly BarDatum[], BarsOptions> {
  const draw = (d: readonly BarDatum[], o: BarsOptions) => renderBars(svg, layoutBars(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
