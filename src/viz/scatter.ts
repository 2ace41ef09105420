/**
 * The examples' sentence embeddings projected to 2-D (PCA), one dot per
 * example, coloured and shaped by label — so students see the classes
 * separate once the head (or the unfrozen layers) has learned.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, headColor, plotGroup, prepareSvg, truncate, withTitle } from './common';
import type { Margin, View } from './types';

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  text: string;
}

export interface ScatterData {
  points: readonly ScatterPoint[];
  labels: readonly string[];
  title: string;
}

export interface ScatterOptions {
  size?: number;
  fontSize?: number;
}

export interface Dot {
  cx: number;
  cy: number;
  fill: string;
  symbol: string;
  label: string;
  title: string;
}

export interface ScatterLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  dots: Dot[];
  legend: { label: string; fill: string; symbol: string; y: number }[];
}

const CLS = 'viz-scatter';
// Shape as well as colour, so labels stay apart for colour-blind students and in greyscale prints.
const SYMBOLS = [d3.symbolCircle, d3.symbolTriangle, d3.symbolSquare, d3.symbolDiamond, d3.symbolCross, d3.symbolStar];

export function layoutScatter(data: ScatterData, options: ScatterOptions = {}): ScatterLayout {
  const fontSize = options.fontSize ?? FONT_SIZE;
  const size = options.size ?? 320;
  const legendWidth = Math.max(90, ...data.labels.map((l) => l.length * fontSize * 0.6 + 30));
  const margin: Margin = { top: fontSize * 1.8, right: legendWidth, bottom: 12, left: 12 };
  const [x0, x1] = d3.extent(data.points, (p) => p.x) as [number, number];
  const [y0, y1] = d3.extent(data.points, (p) => p.y) as [number, number];
  const pad = (a: number, b: number) => (a === undefined ? [-1, 1] : a === b ? [a - 1, b + 1] : [a, b]);
  const x = d3.scaleLinear().domain(pad(x0, x1)).nice().range([0, size]);
  const y = d3.scaleLinear().domain(pad(y0, y1)).nice().range([size, 0]);
  const index = (label: string) => Math.max(0, data.labels.indexOf(label));
  const symbol = (label: string) => d3.symbol(SYMBOLS[index(label) % SYMBOLS.length], 70)() ?? '';
  return {
    width: size + margin.left + margin.right,
    height: size + margin.top + margin.bottom,
    margin,
    fontSize,
    title: data.title,
    dots: data.points.map((p) => ({
      cx: x(p.x),
      cy: y(p.y),
      fill: headColor(index(p.label)),
      symbol: symbol(p.label),
      label: p.label,
      title: `${p.label}: ${truncate(p.text, 60)}`,
    })),
    legend: data.labels.map((label, i) => ({ label, fill: headColor(i), symbol: symbol(label), y: i * fontSize * 1.6 })),
  };
}

export function renderScatter(svg: SVGSVGElement, layout: ScatterLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const { margin, fontSize } = layout;
  root
    .selectAll('text.title')
    .data([layout.title])
    .join('text')
    .attr('class', 'title')
    .attr('x', margin.left)
    .attr('y', fontSize * 1.1)
    .attr('font-size', fontSize)
    .attr('font-weight', 600)
    .text((d) => d);
  const plot = plotGroup(root, margin);
  plot
    .selectAll('rect.frame')
    .data([null])
    .join('rect')
    .attr('class', 'frame')
    .attr('width', layout.width - margin.left - margin.right)
    .attr('height', layout.height - margin.top - margin.bottom)
    .attr('fill', 'none')
    .attr('stroke', '#ddd');
  plot
    .selectAll<SVGPathElement, Dot>('path.dot')
    .data(layout.dots)
    .join('path')
    .attr('class', 'dot')
    .attr('d', (d) => d.symbol)
    .attr('transform', (d) => `translate(${d.cx},${d.cy})`)
    .attr('fill', (d) => d.fill)
    .attr('fill-opacity', 0.85)
    .attr('stroke', '#fff')
    .attr('data-label', (d) => d.label)
    .call(withTitle);
  const legend = root
    .selectAll<SVGGElement, ScatterLayout['legend'][number]>('g.legend-item')
    .data(layout.legend, (d) => d.label)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'legend-item');
      g.append('path');
      g.append('text');
      return g;
    })
    .attr('transform', (d) => `translate(${layout.width - margin.right + 20},${margin.top + 10 + d.y})`);
  legend.select('path').attr('d', (d) => d.symbol).attr('fill', (d) => d.fill);
  legend.select('text').attr('x', 12).attr('dy', '0.35em').attr('font-size', fontSize).text((d) => d.label);
}

export function scatterView(svg: SVGSVGElement, data: ScatterData, options: ScatterOptions = {}): View<ScatterData, ScatterOptions> {
  const draw = (d: ScatterData, o: ScatterOptions) => renderScatter(svg, layoutScatter(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
