/**
 * Where every block, frame and arrow of the figure goes. Pure: no DOM, so the
 * layout is checked in unit tests without a browser.
 *
 * Each column is one or two stacks side by side; a stack is drawn top to
 * bottom: the blocks before the repeated layer, the layer as a frame whose top
 * strip is its header, then the heads after it, joined by downward arrows.
 */
import { FONT_SIZE } from '../common';
import { architectureSpec, type ArchitectureData, type BlockInfo, type BlockKind, type ColumnSpec, type Family, type StackRole, type StackSpec } from './spec';

export interface ArchitectureOptions {
  title?: string;
  selected?: string | null;
  onSelect?: (id: string) => void;
  fontSize?: number;
}

export interface BlockMark extends BlockInfo {
  x: number;
  y: number;
  width: number;
  height: number;
  fill: string;
  stroke: string;
  dashed: boolean;
  selected: boolean;
  /** Accessible name: column, label and sublabel. */
  ariaLabel: string;
}

export interface FrameMark {
  id: string;
  family: Family;
  role: StackRole;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ArrowMark {
  id: string;
  kind: 'flow' | 'cross';
  /** SVG path data. */
  d: string;
  title: string;
}

export interface ColumnMark {
  family: Family;
  title: string;
  subtitle: string;
  /** Centre x of the titles. */
  x: number;
  y: number;
  /** Left edge and width of the column. */
  left: number;
  width: number;
}

export interface LabelMark {
  id: string;
  text: string;
  x: number;
  y: number;
  anchor: 'start' | 'middle' | 'end';
}

export interface ArchitectureLayout {
  width: number;
  height: number;
  fontSize: number;
  title: string;
  columns: ColumnMark[];
  frames: FrameMark[];
  blocks: BlockMark[];
  arrows: ArrowMark[];
  labels: LabelMark[];
}

/**
 * Colours: light tints of the Okabe–Ito palette (colour-blind safe) with dark
 * text; the labels always say what a block is, so colour is never the only cue.
 */
export const KIND_STYLE: Record<BlockKind, { fill: string; stroke: string }> = {
  embeddings: { fill: '#fbeeb0', stroke: '#8a7300' },
  layer: { fill: '#e6e6ef', stroke: '#555566' },
  attention: { fill: '#cfe6f7', stroke: '#0072b2' },
  'masked-attention': { fill: '#cfe6f7', stroke: '#0072b2' },
  'cross-attention': { fill: '#f8d5c2', stroke: '#b34a00' },
  addnorm: { fill: '#eeeeee', stroke: '#777777' },
  ffn: { fill: '#c8ede1', stroke: '#007a5a' },
  head: { fill: '#f9ddb5', stroke: '#a86d00' },
};

const BLOCK_H = 46;
const HEADER_H = 40;
const GAP = 16;
const PAD = 10;
const STACK_GAP = 40;
const COLUMN_GAP = 44;
const MARGIN = 10;
const TITLE_H = 64;
/** Horizontal gap between two heads sharing a row. */
const ROW_GAP = 8;

/** Positions every block, frame and arrow. */
export function layoutArchitecture(data: ArchitectureData, options: ArchitectureOptions = {}): ArchitectureLayout {
  const fontSize = options.fontSize ?? FONT_SIZE + 1;
  const marks = newMarks(data, options.selected ?? null);
  let left = MARGIN;
  let bottom = 0;
  for (const column of architectureSpec(data)) {
    const frameW = column.blockWidth + 2 * PAD;
    const width = column.stacks.length * frameW + (column.stacks.length - 1) * STACK_GAP;
    marks.columns.push({ family: column.family, title: column.title, subtitle: column.subtitle, x: left + width / 2, y: 0, left, width });
    const stacks = column.stacks.map((stack, s) => {
      const placed = layoutStack(marks, column, stack, left + s * (frameW + STACK_GAP));
      bottom = Math.max(bottom, placed.bottom);
      return placed;
    });
    crossArrow(marks, column, stacks, fontSize);
    left += width + COLUMN_GAP;
  }
  const { columns, frames, blocks, arrows, labels } = marks;
  return {
    width: left - COLUMN_GAP + MARGIN,
    height: Math.max(bottom, ...labels.map((l) => l.y)) + MARGIN,
    fontSize,
    title: options.title ?? data.text('arch.title'),
    columns,
    frames,
    blocks,
    arrows,
    labels,
  };
}

/** The marks made so far, and the two ways of adding to them. */
interface Marks {
  columns: ColumnMark[];
  frames: FrameMark[];
  blocks: BlockMark[];
  arrows: ArrowMark[];
  labels: LabelMark[];
  text: ArchitectureData['text'];
  place(info: BlockInfo, x: number, y: number, width: number, height: number, columnTitle: string): BlockMark;
  /** A downward arrow at x from y1 to y2, titled "column: into what". */
  down(id: string, x: number, y1: number, y2: number, title: string): void;
}

function newMarks(data: ArchitectureData, selected: string | null): Marks {
  const marks: Marks = {
    columns: [],
    frames: [],
    blocks: [],
    arrows: [],
    labels: [],
    text: data.text,
    place(info, x, y, width, height, columnTitle) {
      const style = KIND_STYLE[info.kind];
      const mark: BlockMark = {
        ...info,
        x,
        y,
        width,
        height,
        fill: style.fill,
        stroke: style.stroke,
        dashed: info.kind === 'masked-attention',
        selected: info.id === selected,
        ariaLabel: `${columnTitle}: ${info.label}, ${info.sublabel}`,
      };
      marks.blocks.push(mark);
      return mark;
    },
    down(id, x, y1, y2, title) {
      marks.arrows.push({ id, kind: 'flow', d: `M${x},${y1}V${y2}`, title });
    },
  };
  return marks;
}

/** One stack, its left edge at fx: blocks before, the framed layer, heads after. */
function layoutStack(marks: Marks, column: ColumnSpec, stack: StackSpec, fx: number): { spec: StackSpec; frame: FrameMark; bottom: number } {
  const blockW = column.blockWidth;
  const frameW = blockW + 2 * PAD;
  const cx = fx + frameW / 2;
  const into = (what: string) => marks.text('arch.arrow.into', { column: column.title, what });
  let y = TITLE_H;
  let prevBottom: number | null = null;
  for (const b of stack.before) {
    const m = marks.place(b, fx + PAD, y, blockW, BLOCK_H, column.title);
    if (prevBottom !== null) marks.down(`${b.id}-in`, cx, prevBottom, m.y, into(b.label));
    prevBottom = m.y + m.height;
    y = prevBottom + GAP;
  }

  // The repeated layer: a frame whose top strip is the header block.
  const frameTop = y;
  if (prevBottom !== null) {
    marks.down(`${stack.header.id}-in`, cx, prevBottom, frameTop, marks.text('arch.arrow.intoLayers', { column: column.title }));
  }
  marks.place(stack.header, fx, frameTop, frameW, HEADER_H, column.title);
  y = frameTop + HEADER_H + GAP / 2;
  let inner: number | null = null;
  for (const b of stack.layer) {
    const m = marks.place(b, fx + PAD, y, blockW, BLOCK_H, column.title);
    if (inner !== null) marks.down(`${b.id}-in`, cx, inner, m.y, into(b.label));
    inner = m.y + m.height;
    y = inner + GAP / 2;
  }
  const frame: FrameMark = {
    id: `${stack.header.id}-frame`,
    family: stack.family,
    role: stack.role,
    x: fx,
    y: frameTop,
    width: frameW,
    height: y + PAD / 2 - frameTop,
  };
  marks.frames.push(frame);

  prevBottom = frame.y + frame.height;
  y = prevBottom + GAP;
  for (const row of stack.after) {
    const w = (blockW - (row.length - 1) * ROW_GAP) / row.length;
    row.forEach((b, i) => {
      const m = marks.place(b, fx + PAD + i * (w + ROW_GAP), y, w, BLOCK_H, column.title);
      marks.down(`${b.id}-in`, m.x + w / 2, prevBottom ?? y, m.y, into(b.label));
    });
    prevBottom = y + BLOCK_H;
    y = prevBottom + GAP;
  }
  return { spec: stack, frame, bottom: prevBottom };
}

/** Encoder output → every decoder layer's cross-attention (keys and values), in a column that has both. */
function crossArrow(marks: Marks, column: ColumnSpec, stacks: { spec: StackSpec; frame: FrameMark }[], fontSize: number): void {
  const enc = stacks.find((s) => s.spec.role === 'encoder');
  const dec = stacks.find((s) => s.spec.role === 'decoder');
  const cross = marks.blocks.find((b) => b.family === column.family && b.kind === 'cross-attention');
  if (enc === undefined || dec === undefined || cross === undefined) return;
  const ex = enc.frame.x + enc.frame.width / 2;
  const eb = enc.frame.y + enc.frame.height;
  const mid = enc.frame.x + enc.frame.width + STACK_GAP / 2;
  const cy = cross.y + cross.height / 2;
  marks.arrows.push({
    id: `${column.family}-cross`,
    kind: 'cross',
    d: `M${ex},${eb}V${eb + GAP}H${mid}V${cy}H${cross.x}`,
    title: marks.text('arch.arrow.cross'),
  });
  marks.labels.push({ id: `${column.family}-cross-label`, text: marks.text('arch.arrow.crossLabel'), x: ex, y: eb + GAP + fontSize, anchor: 'middle' });
}
