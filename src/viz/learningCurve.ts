/**
 * "Does pre-training help?" as a learning curve: accuracy on held-out sentences
 * (y) after k labelled examples (x), one line per method, and around each line
 * a band of ± one standard deviation over the random draws of the k examples.
 * The encoding:
 *
 *   band = [y(mean − sd), y(mean + sd)] (clipped to 0…1), line through y(mean)
 *
 * x is a point scale over the k values asked for (0, 4, 8, 16, 32, 64 double at
 * each step, so equal spacing is a log scale that also has room for 0).
 * Colour is never the only cue: each method also has its own dash and symbol.
 *
 * layoutLearningCurve(data, options) → marks (pure); renderLearningCurve draws them.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, estimateTextWidth, plotGroup, prepareSvg, withTitle } from './common';
import type { Margin, View } from './types';

export interface CurvePointData {
  k: number;
  mean: number;
  sd: number;
  /** How many draws the mean is over. */
  n: number;
}

export interface CurveSeries {
  id: string;
  /** Legend text (the caller translates it). */
  name: string;
  /**
   * Which of SERIES_STYLES this series wears: the method's place in the full list of methods,
   * so that its colour, dash and symbol stay put while other series appear. Default: its index in `series`.
   */
  style?: number;
  points: readonly CurvePointData[];
}

export interface LearningCurveData {
  /** Every k the experiment asks for, in order: the x axis is fixed before any result arrives. */
  ks: readonly number[];
  series: readonly CurveSeries[];
  /** Accuracy of guessing (1 / number of labels): a dotted line. null draws none. */
  chance: number | null;
}

export interface LearningCurveOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  chanceLabel?: string;
  /** "3 draws" in the point tooltips (the caller translates it). */
  drawsLabel?: (n: number) => string;
  width?: number;
  height?: number;
  fontSize?: number;
}

export interface SeriesStyle {
  color: string;
  dash: string | null;
  symbol: d3.SymbolType;
}

/** Okabe–Ito colours, a dash and a symbol per method, in the order methods are listed. */
export const SERIES_STYLES: readonly SeriesStyle[] = [
  { color: '#E69F00', dash: null, symbol: d3.symbolCircle },
  { color: '#0072B2', dash: '8 4', symbol: d3.symbolSquare },
  { color: '#56B4E9', dash: '2 3', symbol: d3.symbolTriangle },
  { color: '#D55E00', dash: '10 3 2 3', symbol: d3.symbolDiamond },
  { color: '#009E73', dash: '4 4', symbol: d3.symbolCross },
  { color: '#CC79A7', dash: '1 2', symbol: d3.symbolStar },
  { color: '#000000', dash: '6 2', symbol: d3.symbolWye },
];

export interface PointMark {
  series: string;
  k: number;
  cx: number;
  cy: number;
  /** The whisker: mean − sd … mean + sd, in pixels (top < bottom). */
  top: number;
  bottom: number;
  symbol: string;
  color: string;
  title: string;
}

export interface SeriesMark {
  id: string;
  name: string;
  color: string;
  dash: string | null;
  /** SVG path `d` of the mean line; null with fewer than 2 points. */
  line: string | null;
  /** SVG path `d` of the ± sd band; null with fewer than 2 points. */
  band: string | null;
  points: PointMark[];
}

export interface LegendMark {
  id: string;
  name: string;
  color: string;
  dash: string | null;
  symbol: string;
  x: number;
  y: number;
}

export interface LearningCurveLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  x: d3.ScalePoint<number>;
  y: d3.ScaleLinear<number, number>;
  series: SeriesMark[];
  legend: LegendMark[];
  chance: { y: number; label: string } | null;
  xLabel: string;
  yLabel: string;
}

const CLS = 'viz-learning-curve';
const clip = (v: number) => Math.min(1, Math.max(0, v));
const percent = d3.format('.0%');
const englishDraws = (n: number) => `${n} ${n === 1 ? 'draw' : 'draws'}`;
const styleOf = (s: CurveSeries, i: number) => SERIES_STYLES[(s.style ?? i) % SERIES_STYLES.length];

export function layoutLearningCurve(data: LearningCurveData, options: LearningCurveOptions = {}): LearningCurveLayout {
  const fontSize = options.fontSize ?? FONT_SIZE;
  const drawsLabel = options.drawsLabel ?? englishDraws;
  const symbolSize = fontSize * fontSize * 0.45;
  const legendWidth = Math.max(0, ...data.series.map((s) => estimateTextWidth(s.name, fontSize))) + fontSize * 3;
  const margin: Margin = { top: fontSize * 1.2, right: legendWidth + 16, bottom: fontSize * 3.4, left: fontSize * 4 };
  const width = options.width ?? 760;
  const height = options.height ?? 340;
  const innerW = Math.max(100, width - margin.left - margin.right);
  const innerH = Math.max(80, height - margin.top - margin.bottom);

  // Scales first.
  const x = d3.scalePoint<number>().domain([...data.ks]).range([0, innerW]).padding(0.4);
  const y = d3.scaleLinear().domain([0, 1]).range([innerH, 0]);

  const series: SeriesMark[] = data.series.map((s, i) => {
    const style = styleOf(s, i);
    const points = s.points.filter((p) => x(p.k) !== undefined).sort((a, b) => a.k - b.k);
    const px = (p: CurvePointData) => x(p.k) as number;
    const line = points.length < 2 ? null : d3.line<CurvePointData>().x(px).y((p) => y(p.mean))(points);
    const band =
      points.length < 2
        ? null
        : d3
            .area<CurvePointData>()
            .x(px)
            .y0((p) => y(clip(p.mean - p.sd)))
            .y1((p) => y(clip(p.mean + p.sd)))(points);
    const symbol = d3.symbol(style.symbol, symbolSize)() ?? '';
    return {
      id: s.id,
      name: s.name,
      color: style.color,
      dash: style.dash,
      line,
      band,
      points: points.map((p) => ({
        series: s.id,
        k: p.k,
        cx: px(p),
        cy: y(p.mean),
        top: y(clip(p.mean + p.sd)),
        bottom: y(clip(p.mean - p.sd)),
        symbol,
        color: style.color,
        title: `${s.name}, k = ${p.k}: ${percent(p.mean)} ± ${percent(p.sd)} (${drawsLabel(p.n)})`,
      })),
    };
  });

  const legendStep = fontSize * 1.6;
  const legend: LegendMark[] = series.map((s, i) => ({
    id: s.id,
    name: s.name,
    color: s.color,
    dash: s.dash,
    symbol: d3.symbol(styleOf(data.series[i], i).symbol, symbolSize)() ?? '',
    x: innerW + 16,
    y: fontSize * 0.6 + i * legendStep,
  }));

  return {
    width: margin.left + innerW + margin.right,
    height: margin.top + innerH + margin.bottom,
    margin,
    fontSize,
    title: options.title ?? 'Learning curve: accuracy on held-out sentences after k labelled examples',
    x,
    y,
    series,
    legend,
    chance: data.chance === null ? null : { y: y(data.chance), label: options.chanceLabel ?? 'chance' },
    xLabel: options.xLabel ?? 'k: labelled examples',
    yLabel: options.yLabel ?? 'accuracy',
  };
}

export function renderLearningCurve(svg: SVGSVGElement, layout: LearningCurveLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const plot = plotGroup(root, layout.margin);
  const { fontSize, x, y } = layout;
  const [innerH] = y.range();
  const innerW = x.range()[1];

  // Axes.
  plot
    .selectAll<SVGGElement, null>('g.x-axis')
    .data([null])
    .join('g')
    .attr('class', 'x-axis')
    .attr('transform', `translate(0,${innerH})`)
    .call(d3.axisBottom(x).tickFormat(d3.format('d')));
  plot
    .selectAll<SVGGElement, null>('g.y-axis')
    .data([null])
    .join('g')
    .attr('class', 'y-axis')
    .call(d3.axisLeft(y).ticks(5, '.0%').tickSize(-innerW))
    .call((g) => g.selectAll('.tick line').attr('stroke', '#e4e4e4'))
    .call((g) => g.select('.domain').remove());
  plot.selectAll('g.tick text').attr('font-size', fontSize * 0.85);
  plot
    .selectAll<SVGTextElement, string>('text.x-label')
    .data([layout.xLabel])
    .join('text')
    .attr('class', 'x-label')
    .attr('x', innerW / 2)
    .attr('y', innerH + fontSize * 2.6)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize)
    .text((d) => d);
  plot
    .selectAll<SVGTextElement, string>('text.y-label')
    .data([layout.yLabel])
    .join('text')
    .attr('class', 'y-label')
    .attr('transform', `translate(${-fontSize * 3.2},${innerH / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize)
    .text((d) => d);

  // Chance.
  plot
    .selectAll<SVGGElement, { y: number; label: string }>('g.chance')
    .data(layout.chance === null ? [] : [layout.chance])
    .join((enter) => {
      const g = enter.append('g').attr('class', 'chance');
      g.append('line');
      g.append('text');
      return g;
    })
    .call((g) =>
      g
        .select('line')
        .attr('x1', 0)
        .attr('x2', innerW)
        .attr('y1', (d) => d.y)
        .attr('y2', (d) => d.y)
        .attr('stroke', '#777')
        .attr('stroke-dasharray', '2 4'),
    )
    .call((g) =>
      g
        .select('text')
        .attr('x', 4)
        .attr('y', (d) => d.y + fontSize)
        .attr('text-anchor', 'start')
        .attr('font-size', fontSize * 0.8)
        .attr('fill', '#555')
        .text((d) => d.label),
    );

  // One group per method: band under line under points.
  const groups = plot
    .selectAll<SVGGElement, SeriesMark>('g.series')
    .data(layout.series, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'series');
      g.append('path').attr('class', 'band');
      g.append('path').attr('class', 'line');
      return g;
    })
    .attr('data-series', (d) => d.id);
  groups
    .select('path.band')
    .attr('d', (d) => d.band)
    .attr('fill', (d) => d.color)
    .attr('fill-opacity', 0.15)
    .attr('stroke', 'none');
  groups
    .select('path.line')
    .attr('d', (d) => d.line)
    .attr('fill', 'none')
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2.5)
    .attr('stroke-dasharray', (d) => d.dash);
  const points = groups
    .selectAll<SVGGElement, PointMark>('g.point')
    .data((d) => d.points, (d) => d.k)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'point');
      g.append('line').attr('class', 'whisker');
      g.append('path').attr('class', 'symbol');
      return g;
    })
    .attr('data-k', (d) => d.k)
    .call(withTitle);
  points
    .select('line.whisker')
    .attr('x1', (d) => d.cx)
    .attr('x2', (d) => d.cx)
    .attr('y1', (d) => d.top)
    .attr('y2', (d) => d.bottom)
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 1.5);
  points
    .select('path.symbol')
    .attr('d', (d) => d.symbol)
    .attr('transform', (d) => `translate(${d.cx},${d.cy})`)
    .attr('fill', (d) => d.color)
    .attr('stroke', '#fff')
    .attr('stroke-width', 1);

  // Legend.
  const legend = plot
    .selectAll<SVGGElement, LegendMark>('g.legend-item')
    .data(layout.legend, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'legend-item');
      g.append('line');
      g.append('path');
      g.append('text');
      return g;
    })
    .attr('transform', (d) => `translate(${d.x},${d.y})`);
  legend
    .select('line')
    .attr('x1', 0)
    .attr('x2', fontSize * 2)
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2.5)
    .attr('stroke-dasharray', (d) => d.dash);
  legend
    .select('path')
    .attr('d', (d) => d.symbol)
    .attr('transform', `translate(${fontSize},0)`)
    .attr('fill', (d) => d.color);
  legend
    .select('text')
    .attr('x', fontSize * 2.5)
    .attr('dy', '0.35em')
    .attr('font-size', fontSize * 0.9)
    .text((d) => d.name);
}

export function learningCurveView(
  svg: SVGSVGElement,
  data: LearningCurveData,
  options: LearningCurveOptions = {},
): View<LearningCurveData, LearningCurveOptions> {
  const draw = (d: LearningCurveData, o: LearningCurveOptions) => renderLearningCurve(svg, layoutLearningCurve(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
