/**
 * BertViz-style head view (Vig 2019) for one layer: the sentence twice, queries
 * on the left and keys on the right, a line from query i to key j per active
 * head, coloured by head. The encoding, as in BertViz:
 *
 *   line opacity = weight / number of active heads
 *
 * so with every head on, k heads agreeing on a link add up to a solid line and
 * a link one head alone makes stays faint.
 *
 * layoutHeadView(data, options) → marks (pure); renderHeadView draws them.
 * Heads are 0-based in data and callbacks, shown 1-based to people.
 */
import * as d3 from 'd3';
import { FONT_SIZE, HEAD_COLORS, asButton, clearSvg, formatWeight, headColor, maxTextWidth, prepareSvg, truncate, plotGroup } from './common';
import type { LayerAttentions, Margin, Tokens, Translate, View } from './types';

export type TokenSide = 'query' | 'key';

export interface HeadViewData {
  tokens: Tokens;
  /** This layer's heads: [head] → n×n, row = query, column = key. */
  heads: LayerAttentions;
}

export interface HeadViewOptions {
  /** The page's words: the default title, the toggles' names and tooltips, the lines' tooltips. */
  text: Translate;
  title?: string;
  /** Which heads draw lines; missing entries count as on. */
  activeHeads?: readonly boolean[];
  /** Token whose lines alone are drawn (the caller's hover state). */
  focusToken?: number | null;
  /** Whether focusToken is a query (left column, outgoing lines) or a key (right column, incoming). */
  focusSide?: TokenSide;
  onToggleHead?: (head: number) => void;
  /** Pointer enters a token (index, side) or leaves it (null, side). */
  onFocusToken?: (token: number | null, side: TokenSide) => void;
  /**
   * Weights below this are not drawn: at opacity ≤ minWeight they are invisible
   * anyway, and 12 heads × 40² links is many DOM nodes. 0 draws every link.
   */
  minWeight?: number;
  fontSize?: number;
  /** Horizontal room for the lines between the two token columns. */
  linkWidth?: number;
  colors?: readonly string[];
}

export interface HeadToggle {
  head: number;
  x: number;
  y: number;
  size: number;
  color: string;
  active: boolean;
  /** The head number people see (1-based). */
  label: string;
  /** Accessible name, e.g. "Head 3 shown". */
  ariaLabel: string;
  /** Tooltip: what a click does. */
  title: string;
}

export interface TokenMark {
  index: number;
  side: TokenSide;
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'end';
  focused: boolean;
  dimmed: boolean;
}

export interface HeadLine {
  head: number;
  query: number;
  key: number;
  weight: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  stroke: string;
  opacity: number;
  title: string;
}

export interface HeadViewLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  activeCount: number;
  toggles: HeadToggle[];
  tokens: TokenMark[];
  lines: HeadLine[];
}

const MAX_LABEL_CHARS = 16;

export function layoutHeadView(data: HeadViewData, options: HeadViewOptions): HeadViewLayout {
  const { tokens, heads } = data;
  const { text } = options;
  const n = tokens.length;
  heads.forEach((m, h) => {
    if (m.length !== n * n) throw new Error(`head view: head ${h} has ${m.length} weights, expected ${n * n}`);
  });
  const fontSize = options.fontSize ?? FONT_SIZE;
  const colors = options.colors ?? HEAD_COLORS;
  const active = heads.map((_, h) => options.activeHeads?.[h] ?? true);
  const activeCount = active.filter(Boolean).length;
  const minWeight = options.minWeight ?? 0.01;
  const focus = options.focusToken ?? null;
  const focusSide = options.focusSide ?? 'query';

  const labels = tokens.map((t) => truncate(t, MAX_LABEL_CHARS));
  const labelWidth = maxTextWidth(labels, fontSize);
  const toggleSize = Math.max(20, fontSize * 1.4);
  const toggleStep = toggleSize + 6;
  const rowStep = Math.max(22, fontSize * 1.6);
  const linkWidth = options.linkWidth ?? 260;
  const pad = 8;
  const margin: Margin = { top: toggleSize + 24, right: 12, bottom: 12, left: 12 };

  // Scales: two x positions (column edges), one y per token.
  const xLeft = labelWidth; // right edge of the query labels
  const xRight = labelWidth + 2 * pad + linkWidth; // left edge of the key labels
  const innerWidth = Math.max(xRight + labelWidth, heads.length * toggleStep);
  const y = d3
    .scalePoint<number>()
    .domain(d3.range(n))
    .range([rowStep / 2, rowStep / 2 + rowStep * Math.max(n - 1, 0)]);
  const xToggle = d3
    .scaleBand<number>()
    .domain(d3.range(heads.length))
    .range([0, Math.max(0, heads.length * toggleStep - 6)]) // step = toggleStep exactly
    .paddingInner(6 / toggleStep);

  const toggles: HeadToggle[] = heads.map((_, h) => ({
    head: h,
    x: xToggle(h) ?? 0,
    y: -toggleSize - 14,
    size: toggleSize,
    color: headColor(h, colors),
    active: active[h],
    label: String(h + 1),
    ariaLabel: text(active[h] ? 'view.heads.shown' : 'view.heads.hidden', { head: h + 1 }),
    title: text(active[h] ? 'view.heads.clickToHide' : 'view.heads.clickToShow', { head: h + 1 }),
  }));

  const tokenMarks: TokenMark[] = [];
  for (const side of ['query', 'key'] as const) {
    labels.forEach((text, i) => {
      const focused = focus === i && focusSide === side;
      tokenMarks.push({
        index: i,
        side,
        text,
        x: side === 'query' ? xLeft : xRight,
        y: y(i) ?? 0,
        anchor: side === 'query' ? 'end' : 'start',
        focused,
        dimmed: focus !== null && !focused && focusSide === side,
      });
    });
  }

  const lines: HeadLine[] = [];
  if (activeCount > 0) {
    heads.forEach((m, h) => {
      if (!active[h]) return;
      for (let q = 0; q < n; q++) {
        if (focus !== null && focusSide === 'query' && q !== focus) continue;
        for (let k = 0; k < n; k++) {
          if (focus !== null && focusSide === 'key' && k !== focus) continue;
          const weight = m[q * n + k];
          if (weight < minWeight || weight <= 0) continue;
          lines.push({
            head: h,
            query: q,
            key: k,
            weight,
            x1: xLeft + pad,
            y1: y(q) ?? 0,
            x2: xRight - pad,
            y2: y(k) ?? 0,
            stroke: headColor(h, colors),
            opacity: weight / activeCount, // the encoding
            title: text('view.heads.line', { head: h + 1, query: tokens[q], key: tokens[k], weight: formatWeight(weight) }),
          });
        }
      }
    });
  }

  return {
    width: margin.left + innerWidth + margin.right,
    height: margin.top + rowStep * n + margin.bottom,
    margin,
    fontSize,
    title: options.title ?? text('view.heads.title'),
    activeCount,
    toggles,
    tokens: tokenMarks,
    lines,
  };
}

export interface HeadViewHandlers {
  onToggleHead?: (head: number) => void;
  onFocusToken?: (token: number | null, side: TokenSide) => void;
}

const CLS = 'viz-head-view';

export function renderHeadView(svg: SVGSVGElement, layout: HeadViewLayout, handlers: HeadViewHandlers = {}): void {
  const root = prepareSvg(svg, CLS, layout, layout.title, 'group');
  const plot = plotGroup(root, layout.margin);
  const fontSize = layout.fontSize;

  const toggles = plot
    .selectAll<SVGGElement, HeadToggle>('g.head-toggle')
    .data(layout.toggles, (d) => d.head)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'head-toggle');
      g.append('rect');
      g.append('text');
      g.append('title');
      return g;
    })
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .attr('aria-pressed', (d) => String(d.active))
    .attr('aria-label', (d) => d.ariaLabel);
  asButton(toggles, (d) => handlers.onToggleHead?.(d.head));
  // Off = outline only, so "off" does not rely on telling two colours apart.
  toggles
    .select('rect')
    .attr('width', (d) => d.size)
    .attr('height', (d) => d.size)
    .attr('rx', 3)
    .attr('fill', (d) => (d.active ? d.color : '#fff'))
    .attr('stroke', (d) => d.color)
    .attr('stroke-width', 2);
  toggles
    .select('text')
    .attr('x', (d) => d.size / 2)
    .attr('y', (d) => d.size / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'middle')
    .attr('font-size', (d) => d.size * 0.6)
    .attr('fill', (d) => (d.active ? '#fff' : '#333'))
    .attr('pointer-events', 'none')
    .text((d) => d.label);
  toggles.select('title').text((d) => d.title);

  const lineLayer = plot.selectAll('g.lines').data([null]).join('g').attr('class', 'lines');
  lineLayer
    .selectAll<SVGLineElement, HeadLine>('line.link')
    .data(layout.lines, (d) => `${d.head},${d.query},${d.key}`)
    .join('line')
    .attr('class', 'link')
    .attr('x1', (d) => d.x1)
    .attr('y1', (d) => d.y1)
    .attr('x2', (d) => d.x2)
    .attr('y2', (d) => d.y2)
    .attr('stroke', (d) => d.stroke)
    .attr('stroke-width', 2)
    .attr('stroke-opacity', (d) => d.opacity)
    .attr('data-weight', (d) => d.weight)
    .attr('pointer-events', 'none');

  plot
    .selectAll<SVGTextElement, TokenMark>('text.token')
    .data(layout.tokens, (d) => `${d.side},${d.index}`)
    .join('text')
    .attr('class', (d) => `token ${d.side}`)
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('dy', '0.35em')
    .attr('text-anchor', (d) => d.anchor)
    .attr('font-size', fontSize)
    .attr('font-weight', (d) => (d.focused ? 'bold' : null))
    .attr('fill', (d) => (d.dimmed ? '#999' : '#222'))
    .style('cursor', 'default')
    .text((d) => d.text)
    .on('mouseenter', (_e: MouseEvent, d) => handlers.onFocusToken?.(d.index, d.side))
    .on('mouseleave', (_e: MouseEvent, d) => handlers.onFocusToken?.(null, d.side));
}

export function headView(
  svg: SVGSVGElement,
  data: HeadViewData,
  options: HeadViewOptions,
): View<HeadViewData, HeadViewOptions> {
  const draw = (d: HeadViewData, o: HeadViewOptions) =>
    renderHeadView(svg, layoutHeadView(d, o), { onToggleHead: o.onToggleHead, onFocusToken: o.onFocusToken });
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
