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
 * Up to MAX_LINE_ELEMENTS links are one <line> each; more (a long sentence:
 * ~13,000 at 128 tokens) are one <path> per head and opacity step, so the
 * page builds a few hundred elements, not thousands.
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

/** Many links of one head at one opacity, as one path of "M x1,y1 L x2,y2" segments. */
export interface HeadPath {
  head: number;
  /** Opacity step, 1..OPACITY_STEPS; the path's opacity is level / OPACITY_STEPS. */
  level: number;
  opacity: number;
  stroke: string;
  d: string;
  /** How many links the path draws. */
  count: number;
}

/** Above this many links, paths replace lines (measured: ~1,000 lines draw in ~10–20 ms; 13,000 in 0.4–1.1 s). */
export const MAX_LINE_ELEMENTS = 1500;
/**
 * Opacity steps for links drawn as paths: rounding to 1/128 changes a link's
 * opacity by at most 0.004, below what 8-bit colour on a screen shows.
 */
export const OPACITY_STEPS = 128;

export interface HeadViewLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  activeCount: number;
  toggles: HeadToggle[];
  tokens: TokenMark[];
  /** One per link when there are at most MAX_LINE_ELEMENTS; else empty, and `paths` draw them. */
  lines: HeadLine[];
  paths: HeadPath[];
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

  // Which links are drawn: active heads, the focused token's, weights from minWeight up.
  const eachLink = (visit: (h: number, q: number, k: number, weight: number) => void) => {
    if (activeCount === 0) return;
    heads.forEach((m, h) => {
      if (!active[h]) return;
      for (let q = 0; q < n; q++) {
        if (focus !== null && focusSide === 'query' && q !== focus) continue;
        for (let k = 0; k < n; k++) {
          if (focus !== null && focusSide === 'key' && k !== focus) continue;
          const weight = m[q * n + k];
          if (weight < minWeight || weight <= 0) continue;
          visit(h, q, k, weight);
        }
      }
    });
  };
  let linkCount = 0;
  eachLink(() => linkCount++);
  const asPaths = linkCount > MAX_LINE_ELEMENTS;

  const lines: HeadLine[] = [];
  const segments = new Map<number, string[]>(); // head × (OPACITY_STEPS + 1) + level → "M…L…" segments
  eachLink((h, q, k, weight) => {
    const opacity = weight / activeCount; // the encoding
    if (asPaths) {
      const level = Math.max(1, Math.min(OPACITY_STEPS, Math.round(opacity * OPACITY_STEPS)));
      const key = h * (OPACITY_STEPS + 1) + level;
      let list = segments.get(key);
      if (list === undefined) segments.set(key, (list = []));
      list.push(`M${xLeft + pad},${y(q) ?? 0}L${xRight - pad},${y(k) ?? 0}`);
      return;
    }
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
      opacity,
      title: text('view.heads.line', { head: h + 1, query: tokens[q], key: tokens[k], weight: formatWeight(weight) }),
    });
  });
  const paths: HeadPath[] = [...segments].map(([key, list]) => {
    const head = Math.floor(key / (OPACITY_STEPS + 1));
    const level = key % (OPACITY_STEPS + 1);
    return { head, level, opacity: level / OPACITY_STEPS, stroke: headColor(head, colors), d: list.join(''), count: list.length };
  });

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
    paths,
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
  lineLayer
    .selectAll<SVGPathElement, HeadPath>('path.link')
    .data(layout.paths, (d) => `${d.head},${d.level}`)
    .join('path')
    .attr('class', 'link')
    .attr('d', (d) => d.d)
    .attr('fill', 'none')
    .attr('stroke', (d) => d.stroke)
    .attr('stroke-width', 2)
    .attr('stroke-opacity', (d) => d.opacity)
    .attr('data-links', (d) => d.count)
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
