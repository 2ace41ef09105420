/**
 * The pre-training lab's live curves, three small charts side by side with a
 * shared step axis: training loss of both models (smoothed: one batch is
 * noisy), held-out loss, and held-out top-1 against the unigram baseline
 * (always guessing the most frequent piece). BERT solid blue, its causal twin
 * dashed vermillion — dashed as well as coloured, so never colour alone.
 *
 * labCurves(steps, evaluations) → data; layoutLabCurves(data) → marks (pure);
 * renderLabCurves draws them.
 */
import * as d3 from 'd3';
import { FONT_SIZE, clearSvg, prepareSvg } from '../common';
import { TRAIN_COLOR, VALIDATION_COLOR } from '../curves';
import type { Margin, Translate, View } from '../types';

export interface StepLosses {
  step: number;
  maskedLoss: number;
  causalLoss: number;
}

export interface HeldOutPoint {
  step: number;
  masked: { loss: number; top1: number };
  causal: { loss: number; top1: number };
  unigramTop1: number;
}

export type SeriesId = 'masked' | 'causal' | 'unigram';

export interface CurveSeries {
  id: SeriesId;
  points: readonly { x: number; y: number }[];
}

export interface LabCurvesData {
  trainLoss: CurveSeries[];
  heldOutLoss: CurveSeries[];
  heldOutTop1: CurveSeries[];
  /** The step axis runs to here (the budget, or the last step). */
  lastStep: number;
}

export interface LabCurvesOptions {
  text: Translate;
  panelWidth?: number;
  height?: number;
  fontSize?: number;
}

export interface CurveLine {
  id: SeriesId;
  d: string;
  color: string;
  dash: string | null;
}

export interface LabCurvePanel {
  id: 'trainLoss' | 'heldOutLoss' | 'heldOutTop1';
  label: string;
  x: d3.ScaleLinear<number, number>;
  y: d3.ScaleLinear<number, number>;
  percent: boolean;
  lines: CurveLine[];
  offsetX: number;
}

export interface LegendItem {
  id: SeriesId;
  label: string;
  color: string;
  dash: string | null;
  x: number;
}

export interface LabCurvesLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  panels: LabCurvePanel[];
  legend: LegendItem[];
  legendY: number;
}

const CLS = 'viz-lab-curves';
/** Weight of the newest batch in the smoothed training loss (an exponential moving average). */
export const SMOOTHING = 0.1;
const STYLE: Record<SeriesId, { color: string; dash: string | null }> = {
  masked: { color: TRAIN_COLOR, dash: null },
  causal: { color: VALIDATION_COLOR, dash: '6 3' },
  unigram: { color: '#777', dash: '2 3' },
};

/** Exponential moving average, bias-corrected so the first points are not pulled towards 0. */
export function smooth(values: readonly number[], weight = SMOOTHING): number[] {
  let avg = 0;
  let norm = 0;
  return values.map((v) => {
    avg = (1 - weight) * avg + weight * v;
    norm = (1 - weight) * norm + weight;
    return avg / norm;
  });
}

export function labCurves(steps: readonly StepLosses[], evaluations: readonly HeldOutPoint[], lastStep: number): LabCurvesData {
  const trained = (key: 'maskedLoss' | 'causalLoss') => {
    const s = smooth(steps.map((p) => p[key]));
    return steps.map((p, i) => ({ x: p.step, y: s[i] }));
  };
  const held = (pick: (e: HeldOutPoint) => number) => evaluations.map((e) => ({ x: e.step, y: pick(e) }));
  return {
    trainLoss: [
      { id: 'masked', points: trained('maskedLoss') },
      { id: 'causal', points: trained('causalLoss') },
    ],
    heldOutLoss: [
      { id: 'masked', points: held((e) => e.masked.loss) },
      { id: 'causal', points: held((e) => e.causal.loss) },
    ],
    heldOutTop1: [
      { id: 'masked', points: held((e) => e.masked.top1) },
      { id: 'causal', points: held((e) => e.causal.top1) },
      { id: 'unigram', points: held((e) => e.unigramTop1) },
    ],
    lastStep: Math.max(lastStep, steps.at(-1)?.step ?? 0, evaluations.at(-1)?.step ?? 0),
  };
}

export function layoutLabCurves(data: LabCurvesData, options: LabCurvesOptions): LabCurvesLayout {
  const { text } = options;
  const fontSize = options.fontSize ?? FONT_SIZE;
  const panelWidth = options.panelWidth ?? 280;
  const height = options.height ?? 230;
  const margin: Margin = { top: fontSize * 1.8, right: 14, bottom: fontSize * 4.2, left: fontSize * 3.2 };
  const innerW = panelWidth - margin.left - margin.right;
  const innerH = height - margin.top - margin.bottom;
  const x = d3.scaleLinear().domain([0, Math.max(1, data.lastStep)]).range([0, innerW]);
  const specs = [
    { id: 'trainLoss', series: data.trainLoss, label: text('lab.curve.train'), percent: false },
    { id: 'heldOutLoss', series: data.heldOutLoss, label: text('lab.curve.heldOutLoss'), percent: false },
    { id: 'heldOutTop1', series: data.heldOutTop1, label: text('lab.curve.top1'), percent: true },
  ] as const;
  const panels = specs.map((spec, i): LabCurvePanel => {
    const top = d3.max(spec.series, (s) => d3.max(s.points, (p) => p.y)) ?? 1;
    // Losses start near ln(8,192) ≈ 9 and fall by a few nats: an axis from 0 would flatten the fall.
    const bottom = spec.percent ? 0 : Math.max(0, (d3.min(spec.series, (s) => d3.min(s.points, (p) => p.y)) ?? 0) - 0.5);
    const y = d3
      .scaleLinear()
      .domain([bottom, Math.max(spec.percent ? 0.05 : bottom + 1e-6, top)])
      .nice()
      .range([innerH, 0]);
    const line = d3
      .line<{ x: number; y: number }>()
      .x((p) => x(p.x))
      .y((p) => y(p.y));
    const lines = spec.series
      .filter((s) => s.points.length > 0)
      .map((s) => ({ id: s.id, d: line(s.points) ?? '', ...STYLE[s.id] }));
    return { id: spec.id, label: spec.label, x, y, percent: spec.percent, lines, offsetX: i * panelWidth };
  });
  const names: Record<SeriesId, string> = { masked: text('lab.model.masked'), causal: text('lab.model.causal'), unigram: text('lab.curve.unigram') };
  let at = margin.left;
  const legend = (['masked', 'causal', 'unigram'] as const).map((id) => {
    const item = { id, label: names[id], x: at, ...STYLE[id] };
    at += 40 + names[id].length * fontSize * 0.6;
    return item;
  });
  return { width: panelWidth * 3, height, margin, fontSize, title: text('lab.curve.title'), panels, legend, legendY: height - fontSize * 0.8 };
}

export function renderLabCurves(svg: SVGSVGElement, layout: LabCurvesLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const { margin, fontSize } = layout;
  const panels = root
    .selectAll<SVGGElement, LabCurvePanel>('g.panel')
    .data(layout.panels, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'panel');
      g.append('g').attr('class', 'x-axis');
      g.append('g').attr('class', 'y-axis');
      g.append('text').attr('class', 'metric');
      return g;
    })
    .attr('data-panel', (d) => d.id)
    .attr('transform', (d) => `translate(${d.offsetX + margin.left},${margin.top})`);
  panels.each(function (d) {
    const g = d3.select(this);
    const [innerH] = d.y.range();
    g.select<SVGGElement>('g.x-axis').attr('transform', `translate(0,${innerH})`).call(d3.axisBottom(d.x).ticks(4, 'd'));
    g.select<SVGGElement>('g.y-axis').call(d3.axisLeft(d.y).ticks(4, d.percent ? '.0%' : '.1f'));
    g.selectAll('g.tick text').attr('font-size', fontSize * 0.75);
    g.selectAll<SVGPathElement, CurveLine>('path.series')
      .data(d.lines, (l) => l.id)
      .join('path')
      .attr('class', 'series')
      .attr('data-series', (l) => l.id)
      .attr('d', (l) => l.d)
      .attr('fill', 'none')
      .attr('stroke', (l) => l.color)
      .attr('stroke-width', 2.2)
      .attr('stroke-dasharray', (l) => l.dash);
  });
  panels
    .select('text.metric')
    .attr('y', -fontSize * 0.6)
    .attr('font-size', fontSize * 0.9)
    .attr('font-weight', 600)
    .text((d) => d.label);
  const items = root
    .selectAll<SVGGElement, LegendItem>('g.legend-item')
    .data(layout.legend, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'legend-item');
      g.append('line');
      g.append('text');
      return g;
    })
    .attr('transform', (d) => `translate(${d.x},${layout.legendY})`);
  items
    .select('line')
    .attr('x1', 0)
    .attr('x2', 30)
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2.2)
    .attr('stroke-dasharray', (d) => d.dash);
  items
    .select('text')
    .attr('x', 36)
    .attr('dy', '0.35em')
    .attr('font-size', fontSize * 0.8)
    .text((d) => d.label);
}

export function labCurvesView(svg: SVGSVGElement, data: LabCurvesData, options: LabCurvesOptions): View<LabCurvesData, LabCurvesOptions> {
  const draw = (d: LabCurvesData, o: LabCurvesOptions) => renderLabCurves(svg, layoutLabCurves(d, o));
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
