/**
 * Helpers shared by the views: sizes, colours, text-width estimates and the
 * root <g> each view draws into. Kept free of DOM access except in the few
 * functions that take an SVG element.
 */
import * as d3 from 'd3';
import type { Margin } from './types';

/**
 * Default label size in viewBox units. The views set a viewBox and let the
 * SVG scale to its container; at ~600–900 units across a 1280×720 or
 * 1920×1080 screen, 14–16 units stays readable from the back of a room.
 */
export const FONT_SIZE = 15;
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** Sequential scheme for weights: light → dark blue, monotone in lightness, colour-blind safe. */
export const WEIGHT_INTERPOLATOR: (t: number) => string = d3.interpolateBlues;

/**
 * One colour per head. Tableau 10 is designed to stay distinguishable under
 * common colour-vision deficiencies; with more than 10 heads colours repeat,
 * so the head toggles also carry the head number (colour is never the only cue).
 */
export const HEAD_COLORS: readonly string[] = d3.schemeTableau10;

export function headColor(h: number, colors: readonly string[] = HEAD_COLORS): string {
  return colors[h % colors.length];
}

/** Anything laid out as a box: a cell, a frame, a band. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Puts each rect where its datum's box is, for `rects.call(placeBox)`. */
export function placeBox<E extends d3.BaseType, D extends Box, P extends d3.BaseType, PD>(rects: d3.Selection<E, D, P, PD>): void {
  rects
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('width', (d) => d.width)
    .attr('height', (d) => d.height);
}

/** The browser's own tooltip: one <title> child holding the datum's title, for `marks.call(withTitle)`. */
export function withTitle<E extends d3.BaseType, D extends { title: string }, P extends d3.BaseType, PD>(
  marks: d3.Selection<E, D, P, PD>,
): void {
  marks
    .selectAll('title')
    .data((d) => [d.title])
    .join('title')
    .text((d) => d);
}

export function withMargin(defaults: Margin, override?: Partial<Margin>): Margin {
  return { ...defaults, ...override };
}

/**
 * Rough width of a label in a proportional sans-serif (≈0.6 em per character).
 * Layout runs without a DOM, so it cannot measure text; this errs a little wide.
 */
export function estimateTextWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

export function maxTextWidth(texts: readonly string[], fontSize: number): number {
  return texts.reduce((m, t) => Math.max(m, estimateTextWidth(t, fontSize)), 0);
}

/** Shortens long labels with an ellipsis so one odd token cannot blow up a margin. */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(1, maxChars - 1);
  // Never half an emoji: a lone surrogate is not text, and an exported SVG holding one is not XML.
  if (end > 1 && /[\uD800-\uDBFF]/.test(text[end - 1])) end--;
  return `${text.slice(0, end)}…`;
}

/** Weights as readers expect them: 0.123 → "0.123". */
export const formatWeight = d3.format('.3f');
export const formatPercent = d3.format('.1%');

let uid = 0;
/** A document-unique id prefix, so two views on one page do not share <pattern> ids. */
export function uniqueId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/**
 * Sets the viewBox, the accessible name and the title of the caller's <svg>,
 * and returns (creating once) the view's own root <g>. Nothing outside this
 * <g> is touched except those attributes, so destroy() can undo it all.
 */
export function prepareSvg(
  svg: SVGSVGElement,
  cls: string,
  size: { width: number; height: number },
  label: string,
  // 'img' for a picture; 'group' when the drawing holds controls (an image may not contain buttons).
  role: 'img' | 'group' = 'img',
): d3.Selection<SVGGElement, string, SVGSVGElement, unknown> {
  const root = d3.select(svg);
  root
    .attr('viewBox', `0 0 ${size.width} ${size.height}`)
    .attr('role', role)
    .attr('aria-label', label)
    .style('font-family', FONT_FAMILY)
    .style('max-width', '100%')
    .style('height', 'auto');
  root.selectAll<SVGTitleElement, string>(':scope > title.viz-title').data([label]).join('title').attr('class', 'viz-title').text((d) => d);
  return root
    .selectAll<SVGGElement, string>(`:scope > g.${cls}`)
    .data([cls])
    .join('g')
    .attr('class', cls);
}

/** The view's plot area: one <g class="plot"> inside the root, shifted by the margins. */
export function plotGroup(
  root: d3.Selection<SVGGElement, string, SVGSVGElement, unknown>,
  margin: Margin,
): d3.Selection<SVGGElement, null, SVGGElement, string> {
  return root
    .selectAll<SVGGElement, null>('g.plot')
    .data([null])
    .join('g')
    .attr('class', 'plot')
    .attr('transform', `translate(${margin.left},${margin.top})`);
}

export interface AxisLabelMark {
  index: number;
  text: string;
  x: number;
  y: number;
  highlighted?: boolean;
}

/**
 * Token labels down the left (rows = queries) and rotated along the top
 * (columns = keys, rotated so long tokens fit above narrow columns).
 * `onHover` reports (row, null) or (null, column).
 */
export function drawAxisLabels(
  plot: d3.Selection<SVGGElement, null, SVGGElement, string>,
  rows: readonly AxisLabelMark[],
  cols: readonly AxisLabelMark[],
  fontSize: number,
  onHover?: (row: number | null, col: number | null) => void,
): void {
  const bold = (d: AxisLabelMark) => (d.highlighted ? 'bold' : null);
  plot
    .selectAll<SVGTextElement, AxisLabelMark>('text.row-label')
    .data(rows, (d) => d.index)
    .join('text')
    .attr('class', 'row-label')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-size', fontSize)
    .attr('font-weight', bold)
    .text((d) => d.text)
    .on('mouseenter', (_e: MouseEvent, d) => onHover?.(d.index, null));
  plot
    .selectAll<SVGTextElement, AxisLabelMark>('text.col-label')
    .data(cols, (d) => d.index)
    .join('text')
    .attr('class', 'col-label')
    .attr('transform', (d) => `translate(${d.x},${d.y}) rotate(-90)`)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'start')
    .attr('font-size', fontSize)
    .attr('font-weight', bold)
    .text((d) => d.text)
    .on('mouseenter', (_e: MouseEvent, d) => onHover?.(null, d.index));
}

/** Removes what prepareSvg and the view added. */
export function clearSvg(svg: SVGSVGElement, cls: string): void {
  const root = d3.select(svg);
  root.selectAll(`:scope > g.${cls}`).remove();
  root.selectAll(':scope > title.viz-title').remove();
  root
    .attr('viewBox', null)
    .attr('role', null)
    .attr('aria-label', null)
    .style('font-family', null)
    .style('max-width', null)
    .style('height', null);
}

/** Makes a mark act like a button for keyboard users too (Enter / Space). */
export function asButton<E extends d3.BaseType, D>(
  sel: d3.Selection<E, D, d3.BaseType, unknown>,
  activate: (d: D) => void,
): void {
  sel
    .attr('role', 'button')
    .attr('tabindex', 0)
    .style('cursor', 'pointer')
    .on('click', (_event: Event, d: D) => activate(d))
    .on('keydown', (event: Event, d: D) => {
      const key = (event as KeyboardEvent).key;
      if (key === 'Enter' || key === ' ') {
        event.preventDefault();
        activate(d);
      }
    });
}
