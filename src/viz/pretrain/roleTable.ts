/**
 * "What does each head do?" as a small heatmap table: a row per layer and
 * head, a column per role (Clark et al. 2019: previous token, next token,
 * itself, [CLS], [SEP], punctuation), each cell the head's mean share of
 * attention on that kind of key. The encoding:
 *
 *   fill = WEIGHT_INTERPOLATOR(share), the share also written in the cell
 *
 * and each head's largest share in bold, so a previous-token head reads as
 * one dark, bold cell in its row.
 *
 * layoutRoleTable(roles, options) → marks (pure); renderRoleTable draws them.
 */
import type { HeadRole } from '../../engine';
import { FONT_SIZE, WEIGHT_INTERPOLATOR, clearSvg, formatPercent, placeBox, prepareSvg, withTitle } from '../common';
import type { Translate, View } from '../types';

/** The columns, in Clark et al.'s order: positions first, then kinds of token. */
export const ROLE_COLUMNS = ['previous', 'next', 'self', 'cls', 'sep', 'punctuation'] as const satisfies readonly (keyof HeadRole)[];
export type RoleColumn = (typeof ROLE_COLUMNS)[number];

export interface RoleTableOptions {
  text: Translate;
  /** Whose heads (a model's name), for the title. */
  model: string;
  cellWidth?: number;
  cellHeight?: number;
  fontSize?: number;
}

export interface RoleCell {
  layer: number;
  head: number;
  role: RoleColumn;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  /** Dark cells get light text. */
  ink: string;
  label: string;
  strongest: boolean;
  title: string;
}

export interface RoleLabel {
  key: string;
  text: string;
  x: number;
  y: number;
}

export interface RoleTableLayout {
  width: number;
  height: number;
  title: string;
  fontSize: number;
  cells: RoleCell[];
  rowLabels: RoleLabel[];
  colLabels: RoleLabel[];
}

const CLS = 'viz-role-table';

export function layoutRoleTable(roles: readonly (readonly HeadRole[])[], options: RoleTableOptions): RoleTableLayout {
  const { text } = options;
  const fontSize = options.fontSize ?? FONT_SIZE;
  const cw = options.cellWidth ?? 78;
  const ch = options.cellHeight ?? fontSize * 2;
  const left = fontSize * 7;
  const top = fontSize * 2.2;
  const rows = roles.flatMap((perHead, layer) => perHead.map((role, head) => ({ layer, head, role })));
  const cells = rows.flatMap(({ layer, head, role }, r) => {
    const strongest = Math.max(...ROLE_COLUMNS.map((c) => role[c]));
    return ROLE_COLUMNS.map((c, col): RoleCell => {
      const value = role[c];
      const name = text(`lab.role.${c}`);
      return {
        layer,
        head,
        role: c,
        value,
        x: left + col * cw,
        y: top + r * ch,
        width: cw - 2,
        height: ch - 2,
        fill: WEIGHT_INTERPOLATOR(Math.min(1, value)),
        ink: value > 0.55 ? '#fff' : '#111',
        label: formatPercent(value),
        strongest: value === strongest && value > 0,
        title: text('lab.role.cell', { layer: layer + 1, head: head + 1, role: name, share: formatPercent(value) }),
      };
    });
  });
  const rowLabels = rows.map(({ layer, head }, r) => ({
    key: `${layer}-${head}`,
    text: text('lab.role.head', { layer: layer + 1, head: head + 1 }),
    x: left - 8,
    y: top + r * ch + ch / 2,
  }));
  const colLabels = ROLE_COLUMNS.map((c, col) => ({ key: c, text: text(`lab.role.${c}`), x: left + col * cw + cw / 2, y: top - fontSize * 0.6 }));
  return {
    width: left + ROLE_COLUMNS.length * cw + 8,
    height: top + rows.length * ch + 8,
    title: text('lab.role.title', { model: options.model }),
    fontSize,
    cells,
    rowLabels,
    colLabels,
  };
}

export function renderRoleTable(svg: SVGSVGElement, layout: RoleTableLayout): void {
  const root = prepareSvg(svg, CLS, layout, layout.title);
  const { fontSize } = layout;
  const cells = root
    .selectAll<SVGGElement, RoleCell>('g.role-cell')
    .data(layout.cells, (d) => `${d.layer}-${d.head}-${d.role}`)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'role-cell');
      g.append('rect');
      g.append('text');
      return g;
    })
    .attr('data-role', (d) => d.role)
    .attr('data-value', (d) => d.value.toFixed(4));
  cells.select('rect').call(placeBox).attr('fill', (d) => d.fill).attr('rx', 3);
  cells.call(withTitle);
  cells
    .select('text')
    .attr('x', (d) => d.x + d.width / 2)
    .attr('y', (d) => d.y + d.height / 2)
    .attr('dy', '0.35em')
    .attr('text-anchor', 'middle')
    .attr('font-size', fontSize * 0.8)
    .attr('font-weight', (d) => (d.strongest ? 700 : 400))
    .attr('fill', (d) => d.ink)
    .text((d) => d.label);
  const label = (cls: string, data: RoleLabel[], anchor: string) =>
    root
      .selectAll<SVGTextElement, RoleLabel>(`text.${cls}`)
      .data(data, (d) => d.key)
      .join('text')
      .attr('class', cls)
      .attr('x', (d) => d.x)
      .attr('y', (d) => d.y)
      .attr('dy', '0.35em')
      .attr('text-anchor', anchor)
      .attr('font-size', fontSize * 0.8)
      .text((d) => d.text);
  label('row-label', layout.rowLabels, 'end');
  label('col-label', layout.colLabels, 'middle');
}

export function roleTableView(
  svg: SVGSVGElement,
  roles: readonly (readonly HeadRole[])[],
  options: RoleTableOptions,
): View<readonly (readonly HeadRole[])[], RoleTableOptions> {
  const draw = (r: readonly (readonly HeadRole[])[], o: RoleTableOptions) => renderRoleTable(svg, layoutRoleTable(r, o));
  draw(roles, options);
  return { update: draw, destroy: () => clearSvg(svg, CLS) };
}
