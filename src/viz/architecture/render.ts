/**
 * Draws the architecture figure: D3 joins the marks of layoutArchitecture,
 * every block a keyboard-operable button (Enter / Space) named by its column,
 * label and sublabel, its one-line explanation as the tooltip.
 */
import { asButton, clearSvg, placeBox, prepareSvg, uniqueId, withTitle } from '../common';
import type { View } from '../types';
import { KIND_STYLE, layoutArchitecture, type ArchitectureLayout, type ArchitectureOptions, type ArrowMark, type BlockMark, type ColumnMark, type FrameMark, type LabelMark } from './layout';
import type { ArchitectureData } from './spec';

export interface ArchitectureHandlers {
  onSelect?: (id: string) => void;
  /** id of the arrowhead <marker>; one per view instance. */
  markerId: string;
}

const CLS = 'viz-architecture';

export function renderArchitecture(svg: SVGSVGElement, layout: ArchitectureLayout, handlers: ArchitectureHandlers): void {
  const root = prepareSvg(svg, CLS, layout, layout.title, 'group');
  const { fontSize } = layout;
  const { markerId } = handlers;
  const small = Math.round(fontSize * 0.82);

  const defs = root.selectAll('defs').data([null]).join('defs');
  defs
    .selectAll('marker')
    .data([
      { id: markerId, color: '#444' },
      { id: `${markerId}-cross`, color: KIND_STYLE['cross-attention'].stroke },
    ])
    .join('marker')
    .attr('id', (d) => d.id)
    .attr('viewBox', '0 0 10 10')
    .attr('refX', 9)
    .attr('refY', 5)
    .attr('markerWidth', 7)
    .attr('markerHeight', 7)
    .attr('orient', 'auto-start-reverse')
    .selectAll('path')
    .data((d) => [d])
    .join('path')
    .attr('d', 'M0,0L10,5L0,10z')
    .attr('fill', (d) => d.color);

  root
    .selectAll<SVGGElement, ColumnMark>('g.arch-column')
    .data(layout.columns, (d) => d.family)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'arch-column');
      g.append('text').attr('class', 'arch-title');
      g.append('text').attr('class', 'arch-subtitle');
      return g;
    })
    .attr('data-family', (d) => d.family)
    .call((g) =>
      g
        .select('text.arch-title')
        .attr('x', (d) => d.x)
        .attr('y', fontSize * 1.4)
        .attr('text-anchor', 'middle')
        .attr('font-size', fontSize * 1.25)
        .attr('font-weight', 'bold')
        .text((d) => d.title),
    )
    .call((g) =>
      g
        .select('text.arch-subtitle')
        .attr('x', (d) => d.x)
        .attr('y', fontSize * 2.7)
        .attr('text-anchor', 'middle')
        .attr('font-size', fontSize)
        .attr('fill', '#444')
        .text((d) => d.subtitle),
    );

  root
    .selectAll<SVGRectElement, FrameMark>('rect.arch-frame')
    .data(layout.frames, (d) => d.id)
    .join('rect')
    .attr('class', 'arch-frame')
    .attr('data-family', (d) => d.family)
    .attr('data-role', (d) => d.role)
    .call(placeBox)
    .attr('rx', 8)
    .attr('fill', '#fafafc')
    .attr('stroke', '#555566')
    .attr('stroke-width', 1.5);

  root
    .selectAll<SVGPathElement, ArrowMark>('path.arch-arrow')
    .data(layout.arrows, (d) => d.id)
    .join('path')
    .attr('class', (d) => `arch-arrow arch-arrow-${d.kind}`)
    .attr('d', (d) => d.d)
    .attr('fill', 'none')
    .attr('stroke', (d) => (d.kind === 'cross' ? KIND_STYLE['cross-attention'].stroke : '#444'))
    .attr('stroke-width', (d) => (d.kind === 'cross' ? 2.5 : 1.6))
    .attr('stroke-dasharray', (d) => (d.kind === 'cross' ? '7 4' : null))
    .attr('marker-end', (d) => `url(#${d.kind === 'cross' ? `${markerId}-cross` : markerId})`)
    .call(withTitle);

  root
    .selectAll<SVGTextElement, LabelMark>('text.arch-label')
    .data(layout.labels, (d) => d.id)
    .join('text')
    .attr('class', 'arch-label')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .attr('text-anchor', (d) => d.anchor)
    .attr('font-size', small)
    .attr('fill', KIND_STYLE['cross-attention'].stroke)
    .text((d) => d.text);

  const blocks = root
    .selectAll<SVGGElement, BlockMark>('g.arch-block')
    .data(layout.blocks, (d) => d.id)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'arch-block');
      g.append('title');
      g.append('rect');
      g.append('text').attr('class', 'arch-block-label');
      g.append('text').attr('class', 'arch-block-sublabel');
      return g;
    })
    .attr('data-id', (d) => d.id)
    .attr('data-family', (d) => d.family)
    .attr('data-kind', (d) => d.kind)
    .attr('aria-label', (d) => d.ariaLabel)
    .attr('aria-pressed', (d) => String(d.selected))
    .classed('arch-selected', (d) => d.selected);
  blocks.select('title').text((d) => d.explain);
  blocks
    .select('rect')
    .call(placeBox)
    .attr('rx', 6)
    .attr('fill', (d) => d.fill)
    .attr('stroke', (d) => (d.selected ? '#000' : d.stroke))
    .attr('stroke-width', (d) => (d.selected ? 4 : 1.8))
    .attr('stroke-dasharray', (d) => (d.dashed ? '6 3' : null));
  blocks
    .select('text.arch-block-label')
    .attr('x', (d) => d.x + d.width / 2)
    .attr('y', (d) => d.y + d.height / 2 + (d.kind === 'layer' ? fontSize * 0.35 : -3))
    .attr('text-anchor', 'middle')
    .attr('font-size', (d) => (d.width < 150 ? small : fontSize))
    .attr('font-weight', (d) => (d.selected || d.kind === 'layer' ? 'bold' : null))
    .attr('fill', '#111')
    .text((d) => d.label);
  blocks
    .select('text.arch-block-sublabel')
    .attr('x', (d) => d.x + d.width / 2)
    .attr('y', (d) => d.y + d.height / 2 + small + 1)
    .attr('text-anchor', 'middle')
    .attr('font-size', small)
    .attr('fill', '#333')
    .text((d) => (d.kind === 'layer' ? '' : d.sublabel));
  asButton(blocks, (d) => handlers.onSelect?.(d.id));
}

export function architectureView(
  svg: SVGSVGElement,
  data: ArchitectureData,
  options: ArchitectureOptions = {},
): View<ArchitectureData, ArchitectureOptions> {
  const markerId = uniqueId('viz-arch-arrow');
  const draw = (d: ArchitectureData, o: ArchitectureOptions) =>
    renderArchitecture(svg, layoutArchitecture(d, o), { onSelect: o.onSelect, markerId });
  draw(data, options);
  return {
    update: draw,
    destroy: () => clearSvg(svg, CLS),
  };
}
