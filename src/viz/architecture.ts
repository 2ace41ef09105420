/**
 * "How BERT is built": the Transformer (encoder–decoder), GPT (decoder-only)
 * and BERT (encoder-only) side by side, as in the BERT paper's comparison
 * figure. Every block is a keyboard-operable button; the BERT blocks also
 * know the shapes of the live model's tensors (shapesFor).
 *
 * Split in the usual way:
 *   layoutArchitecture(data, options) → plain marks (pure, no DOM),
 *   renderArchitecture(svg, layout, handlers) → D3 joins those marks,
 *   architectureView(svg, data, options) → { update, destroy }.
 */
import type { BertConfig } from '../engine';
import { FONT_SIZE, asButton, clearSvg, placeBox, prepareSvg, uniqueId, withTitle } from './common';
import type { View } from './types';

export type Family = 'transformer' | 'gpt' | 'bert';
export type StackRole = 'encoder' | 'decoder';
export type BlockKind =
  | 'embeddings'
  | 'layer'
  | 'attention'
  | 'masked-attention'
  | 'cross-attention'
  | 'addnorm'
  | 'ffn'
  | 'head';

/** The BERT blocks that map onto the live model. */
export type BertBlock = 'embeddings' | 'layer' | 'attention' | 'addnorm1' | 'ffn' | 'addnorm2' | 'mlm' | 'cls';
export const BERT_BLOCKS: readonly BertBlock[] = ['embeddings', 'layer', 'attention', 'addnorm1', 'ffn', 'addnorm2', 'mlm', 'cls'];

/** Where a BERT block's "show me" button goes in the rest of the app. */
export type JumpTarget = 'tokens' | 'fillmask' | 'attention' | 'finetune';

export interface BlockInfo {
  /** Unique in the diagram, e.g. 'bert-attention', 'gpt-ffn', 'dec-cross'. */
  id: string;
  family: Family;
  role: StackRole;
  kind: BlockKind;
  label: string;
  sublabel: string;
  /** One line for the details box. */
  explain: string;
  /** Set on BERT's blocks only. */
  bert: BertBlock | null;
  jump: JumpTarget | null;
}

/**
 * Supplies the figure's words in another language: `key` names the string
 * (e.g. 'arch.selfAttention'), `english` is its English template with
 * `{placeholders}`, `params` fills them. Without one, the English is used.
 */
export type ArchitectureText = (key: string, english: string, params?: Record<string, string | number>) => string;

export interface ArchitectureData {
  /** The live BERT's layer and head counts, for BERT's labels. */
  layers: number;
  heads: number;
  /** Translated text for every label, explanation and arrow; English when absent. */
  text?: ArchitectureText;
}

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

// ---------------------------------------------------------------------------
// The three architectures as data.

interface StackSpec {
  family: Family;
  role: StackRole;
  before: BlockInfo[];
  /** The repeated layer: its header strip, then its sub-blocks. */
  header: BlockInfo;
  layer: BlockInfo[];
  /** Rows after the stack; a row of two sits side by side. */
  after: BlockInfo[][];
}

interface ColumnSpec {
  family: Family;
  title: string;
  subtitle: string;
  /** Width of a block in this column (BERT's two heads share a row). */
  blockWidth: number;
  stacks: StackSpec[];
}

const BLOCK_W = 196;
const BERT_BLOCK_W = 236;
const BLOCK_H = 46;
const HEADER_H = 40;
const GAP = 16;
const PAD = 10;
const STACK_GAP = 40;
const COLUMN_GAP = 44;
const MARGIN = 10;
const TITLE_H = 64;

function block(
  family: Family,
  role: StackRole,
  prefix: string,
  name: string,
  kind: BlockKind,
  label: string,
  sublabel: string,
  explain: string,
  bert: BertBlock | null = null,
  jump: JumpTarget | null = null,
): BlockInfo {
  return { id: `${prefix}-${name}`, family, role, kind, label, sublabel, explain, bert, jump };
}

/** Fills `{name}` placeholders; unknown ones stay visible. */
export function fillText(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** The built-in text: the English template, filled in. */
export const englishText: ArchitectureText = (_key, english, params) => fillText(english, params);

/** The three columns' blocks, top (input) to bottom (output). */
export function architectureSpec(data: ArchitectureData): ColumnSpec[] {
  const { layers, heads } = data;
  const text = data.text ?? englishText;
  /** Every visible string goes through here: key `arch.<key>`, English as the default. */
  const x = (key: string, english: string, params?: Record<string, string | number>) => text(`arch.${key}`, english, params);
  const E = (name: string, kind: BlockKind, label: string, sublabel: string, explain: string) =>
    block('transformer', 'encoder', 'enc', name, kind, label, sublabel, explain);
  const D = (name: string, kind: BlockKind, label: string, sublabel: string, explain: string) =>
    block('transformer', 'decoder', 'dec', name, kind, label, sublabel, explain);
  const G = (name: string, kind: BlockKind, label: string, sublabel: string, explain: string) =>
    block('gpt', 'decoder', 'gpt', name, kind, label, sublabel, explain);
  const B = (name: BertBlock, kind: BlockKind, label: string, sublabel: string, explain: string, jump: JumpTarget | null = null) =>
    block('bert', 'encoder', 'bert', name, kind, label, sublabel, explain, name, jump);

  const embeddings = x('embeddings', 'Embeddings');
  const tokenPosition = x('tokenPosition', 'token + position');
  const selfAttention = x('selfAttention', 'Self-attention');
  const maskedAttention = x('maskedAttention', 'Masked self-attn.');
  const addNorm = x('addNorm', 'Add & norm');
  const residual = x('residual', 'residual + LayerNorm');
  const feedForward = x('feedForward', 'Feed-forward');
  const perToken = x('perToken', 'per token');
  const decoderLayers = x('decoderLayers', 'N × Decoder layer');
  const tAddNorm = x('transformer.addNorm.explain', 'Transformer: add the input back (residual), then LayerNorm.');
  const tFfn = x('transformer.ffn.explain', 'Transformer: a two-layer MLP applied to each token on its own.');

  const transformer: ColumnSpec = {
    family: 'transformer',
    title: 'Transformer',
    subtitle: x('transformer.subtitle', 'encoder–decoder'),
    blockWidth: BLOCK_W,
    stacks: [
      {
        family: 'transformer',
        role: 'encoder',
        before: [E('embeddings', 'embeddings', embeddings, tokenPosition, x('enc.embeddings.explain', 'Transformer encoder: the source sentence becomes token + position vectors.'))],
        header: E('layer', 'layer', x('encoderLayers', 'N × Encoder layer'), x('enc.layer.sub', 'reads the source'), x('enc.layer.explain', 'Transformer encoder: N identical layers read the whole source sentence.')),
        layer: [
          E('attention', 'attention', selfAttention, x('bidirectional', 'bidirectional'), x('enc.attention.explain', 'Transformer encoder: each source token may attend to every source token.')),
          E('addnorm1', 'addnorm', addNorm, residual, tAddNorm),
          E('ffn', 'ffn', feedForward, perToken, tFfn),
          E('addnorm2', 'addnorm', addNorm, residual, tAddNorm),
        ],
        after: [],
      },
      {
        family: 'transformer',
        role: 'decoder',
        before: [D('embeddings', 'embeddings', embeddings, x('dec.embeddings.sub', 'outputs so far'), x('dec.embeddings.explain', 'Transformer decoder: the translation so far, shifted right by one.'))],
        header: D('layer', 'layer', decoderLayers, x('dec.layer.sub', 'writes the target'), x('dec.layer.explain', 'Transformer decoder: N layers write the output one token at a time.')),
        layer: [
          D('attention', 'masked-attention', maskedAttention, x('causal', 'causal'), x('dec.attention.explain', 'Transformer decoder: each output token may only attend to the outputs before it.')),
          D('addnorm1', 'addnorm', addNorm, residual, tAddNorm),
          D('cross', 'cross-attention', x('crossAttention', 'Cross-attention'), x('dec.cross.sub', 'K, V from encoder'), x('dec.cross.explain', 'Transformer decoder: queries from the decoder, keys and values from the encoder’s output.')),
          D('addnorm2', 'addnorm', addNorm, residual, tAddNorm),
          D('ffn', 'ffn', feedForward, perToken, tFfn),
          D('addnorm3', 'addnorm', addNorm, residual, tAddNorm),
        ],
        after: [[D('output', 'head', x('dec.output', 'Linear + softmax'), x('dec.output.sub', 'next output token'), x('dec.output.explain', 'Transformer decoder: scores over the target vocabulary for the next token.'))]],
      },
    ],
  };

  const gAddNorm = x('gpt.addNorm.explain', 'GPT: add the input back (residual), then LayerNorm.');
  const gpt: ColumnSpec = {
    family: 'gpt',
    title: 'GPT',
    subtitle: x('gpt.subtitle', 'decoder-only'),
    blockWidth: BLOCK_W,
    stacks: [
      {
        family: 'gpt',
        role: 'decoder',
        before: [G('embeddings', 'embeddings', embeddings, tokenPosition, x('gpt.embeddings.explain', 'GPT: token + position vectors; there is no second segment.'))],
        header: G('layer', 'layer', decoderLayers, x('gpt.layer.sub', 'no encoder'), x('gpt.layer.explain', 'GPT: a stack of decoder layers with no encoder, so no cross-attention.')),
        layer: [
          G('attention', 'masked-attention', maskedAttention, x('gpt.attention.sub', 'causal, left only'), x('gpt.attention.explain', 'GPT: each token may only attend to the tokens before it — the causal mask.')),
          G('addnorm1', 'addnorm', addNorm, residual, gAddNorm),
          G('ffn', 'ffn', feedForward, perToken, x('gpt.ffn.explain', 'GPT: a two-layer MLP applied to each token on its own.')),
          G('addnorm2', 'addnorm', addNorm, residual, gAddNorm),
        ],
        after: [[G('lmhead', 'head', x('gpt.lmhead', 'Next-token head'), x('gpt.lmhead.sub', 'predicts token t+1'), x('gpt.lmhead.explain', 'GPT: predicts the next token from the left context only — it writes text left to right.'))]],
      },
    ],
  };

  const headsLabel =
    heads === 1 ? x('bert.attention.sub.one', '1 head, bidirectional') : x('bert.attention.sub', '{heads} heads, bidirectional', { heads });
  const bert: ColumnSpec = {
    family: 'bert',
    title: 'BERT',
    subtitle: x('bert.subtitle', 'encoder-only'),
    blockWidth: BERT_BLOCK_W,
    stacks: [
      {
        family: 'bert',
        role: 'encoder',
        before: [
          B('embeddings', 'embeddings', embeddings, x('bert.embeddings.sub', 'token + position + segment'), x('bert.embeddings.explain', 'BERT: each token’s vector is the sum of a token, a position and a segment embedding.'), 'tokens'),
        ],
        header: B('layer', 'layer', x('bert.layer', '{layers} × Encoder layer', { layers }), x('bert.layer.sub', 'same shape in and out'), x('bert.layer.explain', 'BERT: {layers} identical encoder layers; each keeps one H-sized vector per token.', { layers })),
        layer: [
          B('attention', 'attention', selfAttention, headsLabel, x('bert.attention.explain', 'BERT: every token may attend to every token, left and right — bidirectional.'), 'attention'),
          B('addnorm1', 'addnorm', addNorm, residual, x('bert.addnorm1.explain', 'BERT: add the layer’s input back (residual), then LayerNorm.')),
          B('ffn', 'ffn', feedForward, x('bert.ffn.sub', 'GELU, per token'), x('bert.ffn.explain', 'BERT: a two-layer MLP (GELU) applied to each token on its own.')),
          B('addnorm2', 'addnorm', addNorm, residual, x('bert.addnorm2.explain', 'BERT: add the input back (residual), then LayerNorm.')),
        ],
        after: [
          [
            B('mlm', 'head', x('bert.mlm', 'Masked-LM head'), x('bert.mlm.sub', 'guess [MASK]'), x('bert.mlm.explain', 'BERT: scores every vocabulary word at each position; used to fill in [MASK].'), 'fillmask'),
            B('cls', 'head', x('bert.cls', 'Classifier'), x('bert.cls.sub', 'head on [CLS]'), x('bert.cls.explain', 'BERT: the [CLS] vector, pooled, feeds a small classifier — what fine-tuning trains.'), 'finetune'),
          ],
        ],
      },
    ],
  };
  return [transformer, gpt, bert];
}

// ---------------------------------------------------------------------------
// Colours: light tints of the Okabe–Ito palette (colour-blind safe) with dark
// text; the labels always say what a block is, so colour is never the only cue.

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

/** Positions every block, frame and arrow. Pure: no DOM. */
export function layoutArchitecture(data: ArchitectureData, options: ArchitectureOptions = {}): ArchitectureLayout {
  const fontSize = options.fontSize ?? FONT_SIZE + 1;
  const selected = options.selected ?? null;
  const columns: ColumnMark[] = [];
  const frames: FrameMark[] = [];
  const blocks: BlockMark[] = [];
  const arrows: ArrowMark[] = [];
  const labels: LabelMark[] = [];
  const text = data.text ?? englishText;
  const into = (column: string, what: string) => text('arch.arrow.into', '{column}: into {what}', { column, what });

  const place = (info: BlockInfo, x: number, y: number, width: number, height: number, columnTitle: string): BlockMark => {
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
    blocks.push(mark);
    return mark;
  };
  const down = (id: string, x: number, y1: number, y2: number, title: string) =>
    arrows.push({ id, kind: 'flow', d: `M${x},${y1}V${y2}`, title });

  let left = MARGIN;
  let bottom = 0;
  for (const column of architectureSpec(data)) {
    const blockW = column.blockWidth;
    const frameW = blockW + 2 * PAD;
    const width = column.stacks.length * frameW + (column.stacks.length - 1) * STACK_GAP;
    columns.push({ family: column.family, title: column.title, subtitle: column.subtitle, x: left + width / 2, y: 0, left, width });
    const stackMarks: { spec: StackSpec; frame: FrameMark }[] = [];
    column.stacks.forEach((stack, s) => {
      const fx = left + s * (frameW + STACK_GAP);
      const cx = fx + frameW / 2;
      let y = TITLE_H;
      let prevBottom: number | null = null;
      for (const b of stack.before) {
        const m = place(b, fx + PAD, y, blockW, BLOCK_H, column.title);
        if (prevBottom !== null) down(`${b.id}-in`, cx, prevBottom, m.y, into(column.title, b.label));
        prevBottom = m.y + m.height;
        y = prevBottom + GAP;
      }
      // The repeated layer: a frame whose top strip is the header block.
      const frameTop = y;
      if (prevBottom !== null) down(`${stack.header.id}-in`, cx, prevBottom, frameTop, text('arch.arrow.intoLayers', '{column}: into the layers', { column: column.title }));
      place(stack.header, fx, frameTop, frameW, HEADER_H, column.title);
      y = frameTop + HEADER_H + GAP / 2;
      let inner: number | null = null;
      for (const b of stack.layer) {
        const m = place(b, fx + PAD, y, blockW, BLOCK_H, column.title);
        if (inner !== null) down(`${b.id}-in`, cx, inner, m.y, into(column.title, b.label));
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
      frames.push(frame);
      stackMarks.push({ spec: stack, frame });
      prevBottom = frame.y + frame.height;
      y = prevBottom + GAP;
      for (const row of stack.after) {
        const w = (blockW - (row.length - 1) * 8) / row.length;
        row.forEach((b, i) => {
          const m = place(b, fx + PAD + i * (w + 8), y, w, BLOCK_H, column.title);
          down(`${b.id}-in`, m.x + w / 2, prevBottom ?? y, m.y, into(column.title, b.label));
        });
        prevBottom = y + BLOCK_H;
        y = prevBottom + GAP;
      }
      bottom = Math.max(bottom, prevBottom ?? y);
    });

    // Encoder output → every decoder layer's cross-attention (keys and values).
    const enc = stackMarks.find((s) => s.spec.role === 'encoder');
    const dec = stackMarks.find((s) => s.spec.role === 'decoder');
    const cross = blocks.find((b) => b.family === column.family && b.kind === 'cross-attention');
    if (enc !== undefined && dec !== undefined && cross !== undefined) {
      const ex = enc.frame.x + enc.frame.width / 2;
      const eb = enc.frame.y + enc.frame.height;
      const mid = enc.frame.x + enc.frame.width + STACK_GAP / 2;
      const cy = cross.y + cross.height / 2;
      arrows.push({
        id: `${column.family}-cross`,
        kind: 'cross',
        d: `M${ex},${eb}V${eb + GAP}H${mid}V${cy}H${cross.x}`,
        title: text('arch.arrow.cross', 'Transformer: the encoder’s output is the keys and values of the decoder’s cross-attention'),
      });
      labels.push({ id: `${column.family}-cross-label`, text: text('arch.arrow.crossLabel', 'encoder output'), x: ex, y: eb + GAP + fontSize, anchor: 'middle' });
    }
    left += width + COLUMN_GAP;
  }

  return {
    width: left - COLUMN_GAP + MARGIN,
    height: Math.max(bottom, ...labels.map((l) => l.y)) + MARGIN,
    fontSize,
    title: options.title ?? text('arch.title', 'Transformer, GPT and BERT side by side'),
    columns,
    frames,
    blocks,
    arrows,
    labels,
  };
}

// ---------------------------------------------------------------------------
// Tensor shapes of the live BERT.

export interface ShapeRow {
  name: string;
  /** Symbolic, e.g. ['heads', 'T', 'T']. */
  dims: string[];
  /** The numbers for this model and sentence, e.g. [4, 9, 9]. */
  shape: number[];
  note: string;
}

/**
 * The tensors a BERT block reads and writes, for a sentence of T tokens
 * ([CLS] and [SEP] counted). `numLabels` is the classifier's label count;
 * `text` translates the notes (tensor names stay as they are in code).
 */
export function shapesFor(block: BertBlock, config: BertConfig, T: number, numLabels?: number, text: ArchitectureText = englishText): ShapeRow[] {
  const { hidden: H, heads, intermediate, vocabSize, layers } = config;
  const d = H / heads;
  const n = (key: string, english: string, params?: Record<string, string | number>) => text(`arch.note.${key}`, english, params);
  const row = (name: string, dims: string[], shape: number[], note = ''): ShapeRow => ({ name, dims, shape, note });
  const TH = (name: string, note = '') => row(name, ['T', 'H'], [T, H], note);
  const table = (rows: number) => n('table', 'from a {rows} × {H} table', { rows, H });
  switch (block) {
    case 'embeddings':
      return [
        row('input_ids', ['T'], [T], n('inputIds', 'WordPiece ids')),
        row('token_type_ids', ['T'], [T], n('segment', 'segment: 0 or 1')),
        TH('token embeddings', table(vocabSize)),
        TH('position embeddings', table(config.maxPositions)),
        TH('segment embeddings', table(config.typeVocabSize)),
        TH('output', n('sum', 'sum, then LayerNorm')),
      ];
    case 'layer':
      return [
        TH('input', n('perToken', 'one vector per token')),
        TH('output', n('sameShape', 'same shape: layers stack')),
        row('hidden_states', ['L+1', 'T', 'H'], [layers + 1, T, H], n('hiddenStates', 'embeddings + every layer')),
      ];
    case 'attention':
      return [
        row('query', ['heads', 'T', 'H/heads'], [heads, T, d], n('query', 'Q = x·W_Q, split into heads')),
        row('key', ['heads', 'T', 'H/heads'], [heads, T, d], 'K = x·W_K'),
        row('value', ['heads', 'T', 'H/heads'], [heads, T, d], 'V = x·W_V'),
        row('attention_scores', ['heads', 'T', 'T'], [heads, T, T], `Q·Kᵀ / √${d}`),
        row('attention_probs', ['heads', 'T', 'T'], [heads, T, T], n('probs', 'softmax over keys; one per layer ({layers})', { layers })),
        TH('context', n('context', 'probs·V, heads concatenated')),
        TH('output', n('afterWo', 'after W_O')),
      ];
    case 'addnorm1':
      return [TH('input', 'x + attention(x)'), TH('output', 'LayerNorm')];
    case 'ffn':
      return [TH('input'), row('intermediate', ['T', 'intermediate'], [T, intermediate], 'GELU(x·W₁)'), TH('output', '·W₂')];
    case 'addnorm2':
      return [TH('input', 'x + FFN(x)'), TH('output', n('nextInput', 'LayerNorm: the next layer’s input'))];
    case 'mlm':
      return [TH('transform', 'dense + GELU + LayerNorm'), row('logits', ['T', 'vocab'], [T, vocabSize], n('mlmLogits', 'a score per word per position'))];
    case 'cls': {
      const count = numLabels ?? (config.labels.length > 0 ? config.labels.length : 2);
      return [
        row('[CLS] vector', ['H'], [H], n('clsVector', 'last layer, position 0')),
        row('pooled', ['H'], [H], 'tanh(W·h_[CLS])'),
        row('logits', ['labels'], [count], n('clsLogits', 'one score per label')),
      ];
    }
  }
}

/** [4 × 9 × 9] */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(' × ')}]`;
}

/** [heads × T × T] */
export function formatDims(dims: readonly string[]): string {
  return `[${dims.join(' × ')}]`;
}

/** Every block's description, by id (for the details box). */
export function blockInfo(data: ArchitectureData, id: string): BlockInfo | null {
  for (const column of architectureSpec(data)) {
    for (const stack of column.stacks) {
      const all = [...stack.before, stack.header, ...stack.layer, ...stack.after.flat()];
      const found = all.find((b) => b.id === id);
      if (found !== undefined) return found;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Rendering.

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
