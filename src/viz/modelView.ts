/**
 * Model view: small multiples of every layer × head (Vig 2019's model view,
 * drawn as thumbnail heatmaps rather than lines). Rows = layers, columns =
 * heads, each thumbnail a query × key heatmap on one shared colour scale so
 * thumbnails compare with each other. Click one to open it.
 *
 * Thumbnails are drawn as SVG rects (n² per head) or, when a 2D canvas is
 * available, as one <image> per head from a canvas data-URL (raster.ts): 12 × 12
 * heads × 40² tokens is 230 000 rects, which a browser draws but slowly.
 *
 * Layers and heads are 0-based in data and callbacks, shown 1-based to people.
 */
import * as d3 from 'd3';
import { FONT_SIZE, WEIGHT_INTERPOLATOR, asButton, clearSvg, maxTextWidth, prepareSvg, plotGroup } from './common';
import { sideOf } from './attentionMath';
import { cachedRaster, canRaster, colorTable, gridPixels, pixelsToDataUrl, type RasterCache } from './raster';
import type { AllAttentions, Margin, Tokens, Translate, View } from './types';

export interface ModelViewData {
  /** [layer][head] → n×n. */
  attentions: AllAttentions;
  /** Only used for the accessible description; n is taken from the matrices. */
  tokens?: Tokens;
}

export interface LayerHead {
  layer: number;
  head: number;
}

export type ThumbnailMode = 'auto' | 'rects' | 'image';

export interface ModelViewOptions {
  /** The page's words: the default title, the row and column names, the thumbnails' names and tooltips. */
  text: Translate;
  title?: string;
  selected?: LayerHead | null;
  onSelect?: (layer: number, head: number) => void;
  /** Side of one thumbnail in viewBox units. */
  thumbSize?: number;
  gap?: number;
  fontSize?: number;
  colorMax?: number;
  interpolator?: (t: number) => string;
  /** 'auto' uses a canvas image when the browser has one, else rects. */
  mode?: ThumbnailMode;
}

export interface Thumbnail extends LayerHead {
  x: number;
  y: number;
  size: number;
  n: number;
  matrix: Float32Array;
  selected: boolean;
  /** Accessible name, e.g. "Layer 2, head 3". */
  label: string;
  /** Tooltip: what a click does. */
  title: string;
}

export interface ThumbCell {
  query: number;
  key: number;
  x: number;
  y: number;
  size: number;
  value: number;
  fill: string;
}

export interface GridLabel {
  index: number;
  text: string;
  x: number;
  y: number;
}

export interface ModelViewLayout {
  width: number;
  height: number;
  margin: Margin;
  fontSize: number;
  title: string;
  n: number;
  thumbs: Thumbnail[];
  layerLabels: GridLabel[];
  headLabels: GridLabel[];
  color: (value: number) => string;
  colorMax: number;
  interpolator: (t: number) => string;
}

export function layoutModelView(data: ModelViewData, options: ModelViewOptions): ModelViewLayout {
  const { attentions } = data;
  const { text } = options;
  const layers = attentions.length;
  const heads = d3.max(attentions, (l) => l.length) ?? 0;
  const first = attentions[0]?.[0];
  const n = data.tokens?.length ?? (first ? sideOf(first) : 0);
  attentions.forEach((l, li) =>
    l.forEach((m, h) => {
      if (m.length !== n * n) throw new Error(`model view: layer ${li} head ${h} has ${m.length} weights, expected ${n * n}`);
    }),
  );

  const fontSize = options.fontSize ?? FONT_SIZE - 2;
  const size = options.thumbSize ?? 64;
  const gap = options.gap ?? 8;
  const margin: Margin = { top: fontSize * 2, right: 8, bottom: 8, left: maxTextWidth([text('view.model.layer', { layer: layers })], fontSize) + 14 };

  // Scales: one band per head across, one per layer down. With inner padding
  // only, a band scale's step is range / (count − padding): hence the − gap.
  const x = d3.scaleBand<number>().domain(d3.range(heads)).range([0, Math.max(0, heads * (size + gap) - gap)]).paddingInner(gap / (size + gap));
  const y = d3.scaleBand<number>().domain(d3.range(layers)).range([0, Math.max(0, layers * (size + gap) - gap)]).paddingInner(gap / (size + gap));
  const colorMax = options.colorMax ?? 1;
  const interpolator = options.interpolator ?? WEIGHT_INTERPOLATOR;
  const color = d3.scaleSequential(interpolator).domain([0, colorMax]).clamp(true);

  const sel = options.selected ?? null;
  const thumbs: Thumbnail[] = [];
  attentions.forEach((l, layer) =>
    l.forEach((matrix, head) => {
      const label = text('view.model.thumb', { layer: layer + 1, head: head + 1 });
      thumbs.push({
        layer,
        head,
        x: x(head) ?? 0,
        y: y(layer) ?? 0,
        size: x.bandwidth(),
        n,
        matrix,
        selected: sel !== null && sel.layer === layer && sel.head === head,
        label,
        title: text('view.model.clickToOpen', { label }),
      });
    }),
  );

  return {
    width: margin.left + heads * (size + gap) - gap + margin.right,
    height: margin.top + layers * (size + gap) - gap + margin.bottom,
    margin,
    fontSize,
    title: options.title ?? (data.tokens ? text('view.model.titleTokens', { count: data.tokens.length }) : text('view.model.title')),
    n,
    thumbs,
    layerLabels: d3.range(layers).map((i) => ({ index: i, text: text('view.model.layer', { layer: i + 1 }), x: -8, y: (y(i) ?? 0) + y.bandwidth() / 2 })),
    headLabels: d3.range(heads).map((j) => ({ index: j, text: text('view.model.head', { head: j + 1 }), x: (x(j) ?? 0) + x.bandwidth() / 2, y: -8 })),
    color,
    colorMax,
    interpolator,
  };
}

/** The n² cells of one thumbnail, relative to its top-left corner; fill = colour(weight). */
export function thumbnailCells(thumb: Thumbnail, color: (value: number) => string): ThumbCell[] {
  const { n, matrix } = thumb;
  const cell = n > 0 ? thumb.size / n : 0;
  const cells: ThumbCell[] = [];
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const value = matrix[q * n + k];
      cells.push({ query: q, key: k, x: k * cell, y: q * cell, size: cell, value, fill: color(value) });
    }
  }
  return cells;
}

/**
 * RGBA bytes of one thumbnail, one pixel per cell, for a canvas ImageData.
 * `table` = colorTable(layout.color, colorMax): made once for all thumbnails.
 */
export function thumbnailPixels(thumb: Thumbnail, table: Uint8ClampedArray, colorMax: number): Uint8ClampedArray {
  return gridPixels(thumb.matrix, thumb.n, table, colorMax);
}

/**
 * Data-URLs already made, per matrix, so a click that only moves the selection
 * does not re-encode 144 PNGs.
 */
export type ThumbnailCache = RasterCache;

export interface ModelViewHandlers {
  onSelect?: (layer: number, head: number) => void;
  mode?: ThumbnailMode;
  cache?: ThumbnailCache;
}

function cachedDataUrl(thumb: Thumbnail, layout: ModelViewLayout, table: () => Uint8ClampedArray, cache: ThumbnailCache | undefined): string {
  const make = () => pixelsToDataUrl(thumbnailPixels(thumb, table(), layout.colorMax), thumb.n);
  return cachedRaster(cache, thumb.matrix, [layout.colorMax, layout.interpolator], make) ?? '';
}

const CLS = 'viz-model-view';

export function renderModelView(svg: SVGSVGElement, layout: ModelViewLayout, handlers: ModelViewHandlers = {}): void {
  const root = prepareSvg(svg, CLS, layout, layout.title, 'group');
  const mode = handlers.mode ?? 'auto';
  const useImage = mode === 'image' || (mode === 'auto' && canRaster());
  // The colour table, made at most once per draw, and only if a thumbnail is not cached.
  let table: Uint8ClampedArray | null = null;
  const tableOnce = () => (table ??= colorTable(layout.color, layout.colorMax));
  const plot = plotGroup(root, layout.margin);

  const thumbs = plot
    .selectAll<SVGGElement, Thumbnail>('g.thumb')
    .data(layout.thumbs, (d) => `${d.layer},${d.head}`)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'thumb');
      g.append('title');
      g.append('g').attr('class', 'pixels');
      g.append('rect').attr('class', 'frame');
      return g;
    })
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .attr('aria-label', (d) => d.label)
    .attr('aria-pressed', (d) => String(d.selected));
  asButton(thumbs, (d) => handlers.onSelect?.(d.layer, d.head));
  thumbs.select('title').text((d) => d.title);

  const pixels = thumbs.select<SVGGElement>('g.pixels');
  if (useImage) {
    pixels.selectAll('rect.cell').remove();
    pixels
      .selectAll<SVGImageElement, Thumbnail>('image')
      .data((d) => [d])
      .join('image')
      .attr('width', (d) => d.size)
      .attr('height', (d) => d.size)
      .attr('preserveAspectRatio', 'none')
      // One pixel per cell, scaled up: keep the cell edges sharp.
      .style('image-rendering', 'pixelated')
      .attr('href', (d) => cachedDataUrl(d, layout, tableOnce, handlers.cache));
  } else {
    pixels.selectAll('image').remove();
    pixels
      .selectAll<SVGRectElement, ThumbCell>('rect.cell')
      .data((d) => thumbnailCells(d, layout.color))
      .join('rect')
      .attr('class', 'cell')
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y)
      .attr('width', (d) => d.size)
      .attr('height', (d) => d.size)
      .attr('fill', (d) => d.fill);
  }

  // The selected thumbnail gets a thick outline; the others a hairline so pale maps keep their edge.
  thumbs
    .select('rect.frame')
    .attr('x', (d) => (d.selected ? -2 : 0))
    .attr('y', (d) => (d.selected ? -2 : 0))
    .attr('width', (d) => d.size + (d.selected ? 4 : 0))
    .attr('height', (d) => d.size + (d.selected ? 4 : 0))
    .attr('fill', 'none')
    .attr('stroke', (d) => (d.selected ? '#d95f02' : '#ccc'))
    .attr('stroke-width', (d) => (d.selected ? 3 : 1));

  plot
    .selectAll<SVGTextElement, GridLabel>('text.layer-label')
    .data(layout.layerLabels, (d) => d.index)
    .join('text')
    .attr('class', 'layer-label')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'end')
    .attr('font-size', layout.fontSize)
    .text((d) => d.text);

  plot
    .selectAll<SVGTextElement, GridLabel>('text.head-label')
    .data(layout.headLabels, (d) => d.index)
    .join('text')
    .attr('class', 'head-label')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('text-anchor', 'middle')
    .attr('font-size', layout.fontSize)
    .text((d) => d.text);
}

export function modelView(
  svg: SVGSVGElement,
  data: ModelViewData,
  options: ModelViewOptions,
): View<ModelViewData, ModelViewOptions> {
  const cache: ThumbnailCache = new WeakMap();
  const draw = (d: ModelViewData, o: ModelViewOptions) =>
    renderModelView(svg, layoutModelView(d, o), { onSelect: o.onSelect, mode: o.mode, cache });
  draw(data, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
