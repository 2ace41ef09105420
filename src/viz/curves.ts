/**
 * Training curves: one small chart per metric (loss, accuracy), epoch on x,
 * a line for the training set and one for the validation set, drawn as they
 * arrive so students watch the head learn (and see over-fitting when the two part).
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, prepareSvg } from './common';
import type { Margin, Translate, View } from './types';

export interface CurvePoint {
  epoch: number; // 1-based
  train: number;
  validation: number | null;
}

export interface CurvesData {
  /** Metric name → points in epoch order. */
  loss: readonly CurvePoint[];
  accuracy: readonly CurvePoint[];
  /** Planned number of epochs: the x-axis does not jump while training. */
  epochs: number;
}

export interface CurvesOptions {
  /** The page's words: the title and the two panels' names. */
  text: Translate;
  width?: number;
  height?: number;
  fontSize?: number;
}

export interface CurvePanel {
  metric: 'loss' | 'accuracy';
  /** The panel's name, above it. */
  label: string;
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleLinear<number, number>;
  /** SVG path `d` per series; null when the series has no points. */
  train: string | null;
  validation: string | null;
  offsetX: number;
}

export interface CurvesLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  panels: CurvePanel[];
  title: string;
}

const CLS = 'viz-curves';
export const TRAIN_COLOR = '#0072B2'; // Okabe–Ito blue
export const VALIDATION_COLOR = '#D55E00'; // Okabe–Ito vermillion: distinct for colour-blind eyes too

export function layoutCurves(data: CurvesData, options: CurvesOptions): CurvesLayout {
  const { text } = options;
  const fontSize = options.fontSize ?? FONT_SIZE;
  const panelWidth = options.width ?? 300;
  const height = options.height ?? 200;
  const margin: Margin = { top: fontSize * 1.8, right: 12, bottom: fontSize * 2.4, left: fontSize * 3 };
  const innerW = panelWidth - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const panels: CurvePanel[] = (['loss', 'accuracy'] as const).map((metric, i) => {
    const points = data[metric];
    const x = d3.scaleLinear().domain([1, Math.max(2, data.epochs)]).range([0, innerW]);
    const top = metric === 'accuracy' ? 1 : Math.max(1e-6, d3.max(points, (p) => Math.max(p.train, p.validation ?? 0)) ?? 1);
    const y = d3.scaleLinear().domain([0, top]).nice().range([innerH, 0]);
    const line = (key: 'train' | 'validation') => {
      const defined = points.filter((p) => p[key] !== null);
      if (defined.length === 0) return null;
      return d3.line<CurvePoint>().x((p) => x(p.epoch)).y((p) => y(p[key] as number))(defined);
    };
    const label = metric === 'loss' ? text('view.curves.loss') : text('view.curves.accuracy');
    return { metric, label, x, y, train: line('train'), validation: line('validation'), offsetX: i * panelWidth };
  });
  return { width: panelWidth * 2, height, margin, fontSize, panels, title: text('view.curves.title') };
}

export function renderCurves(svg: SVGSVGElement, layout: CurvesLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const { margin, fontSize } = layout;
  const panels = root
    .selectAll<SVGGElement, CurvePanel>('g.panel')
    .data(layout.panels, (d) => d.metric)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'panel');
      g.append('g').attr('class', 'x-axis');
      g.append('g').attr('class', 'y-axis');
      g.append('text').attr('class', 'metric');
      g.append('path').attr('class', 'train');
      g.append('path').attr('class', 'validation');
      return g;
    })
    .attr('transform', (d) => `translate(${d.offsetX + margin.left},${margin.top})`);
  panels.each(function (d) {
    const g = d3.select(this);
    const [innerH] = d.y.range(); // the range runs bottom → top
    g.select<SVGGElement>('g.x-axis')
      .attr('transform', `translate(0,${innerH})`)
      .call(d3.axisBottom(d.x).ticks(Math.min(6, d.x.domain()[1] - 1)).tickFormat(d3.format('d')));
    g.select<SVGGElement>('g.y-axis').call(d3.axisLeft(d.y).ticks(4, d.metric === 'accuracy' ? '.0%' : '.2f'));
    g.selectAll('g.tick text').attr('font-size', fontSize * 0.8);
  });
  panels
    .select('text.metric')
    .attr('x', 0)
    .attr('y', -fontSize * 0.6)
    .attr('font-size', fontSize)
    .attr('font-weight', 600)
    .text((d) => d.label);
  panels
    .select('path.train')
    .attr('d', (d) => d.train)
    .attr('fill', 'none')
    .attr('stroke', TRAIN_COLOR)
    .attr('stroke-width', 2.5);
  panels
    .select('path.validation')
    .attr('d', (d) => d.validation)
    .attr('fill', 'none')
    .attr('stroke', VALIDATION_COLOR)
    .attr('stroke-width', 2.5)
    .attr('stroke-dasharray', '6 3'); // dashed as well as coloured: not colour alone
}

export function curvesView(svg: SVGSVGElement, data: CurvesData, options: CurvesOptions): View<CurvesData, CurvesOptions> {
  const draw = (d: CurvesData, o: CurvesOptions) => renderCurves(svg, layoutCurves(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
