/**
 * The three architectures of the BERT paper's comparison figure as data: the
 * Transformer (encoder–decoder), GPT (decoder-only) and BERT (encoder-only),
 * each a column of stacks, each stack its blocks from input (top) to output.
 * Every word comes from the caller's `text` (keys 'arch.…' in src/ui/i18n).
 */
import type { Translate } from '../types';

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

export interface ArchitectureData {
  /** The live BERT's layer and head counts, for BERT's labels. */
  layers: number;
  heads: number;
  /** Every label, explanation and arrow title, in the page's language. */
  text: Translate;
}

export interface StackSpec {
  family: Family;
  role: StackRole;
  before: BlockInfo[];
  /** The repeated layer: its header strip, then its sub-blocks. */
  header: BlockInfo;
  layer: BlockInfo[];
  /** Rows after the stack; a row of two sits side by side. */
  after: BlockInfo[][];
}

export interface ColumnSpec {
  family: Family;
  /** The architecture's name (not translated). */
  title: string;
  subtitle: string;
  /** Width of a block in this column (BERT's two heads share a row). */
  blockWidth: number;
  stacks: StackSpec[];
}

const BLOCK_W = 196;
const BERT_BLOCK_W = 236;

/** The three columns' blocks, top (input) to bottom (output). */
export function architectureSpec(data: ArchitectureData): ColumnSpec[] {
  const words = sharedWords(data.text);
  return [transformerColumn(data.text, words), gptColumn(data.text, words), bertColumn(data, words)];
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

/** Block names that several columns share. */
function sharedWords(text: Translate) {
  return {
    embeddings: text('arch.embeddings'),
    tokenPosition: text('arch.tokenPosition'),
    selfAttention: text('arch.selfAttention'),
    maskedAttention: text('arch.maskedAttention'),
    addNorm: text('arch.addNorm'),
    residual: text('arch.residual'),
    feedForward: text('arch.feedForward'),
    perToken: text('arch.perToken'),
    decoderLayers: text('arch.decoderLayers'),
  };
}
type Words = ReturnType<typeof sharedWords>;

/** A block maker for one stack: ids are `${prefix}-${name}`. */
function blocksOf(family: Family, role: StackRole, prefix: string) {
  return (name: string, kind: BlockKind, label: string, sublabel: string, explain: string): BlockInfo => ({
    id: `${prefix}-${name}`,
    family,
    role,
    kind,
    label,
    sublabel,
    explain,
    bert: null,
    jump: null,
  });
}

function transformerColumn(text: Translate, w: Words): ColumnSpec {
  const encoderBlock = blocksOf('transformer', 'encoder', 'enc');
  const decoderBlock = blocksOf('transformer', 'decoder', 'dec');
  const addNormExplain = text('arch.transformer.addNorm.explain');
  const ffnExplain = text('arch.transformer.ffn.explain');
  return {
    family: 'transformer',
    title: 'Transformer',
    subtitle: text('arch.transformer.subtitle'),
    blockWidth: BLOCK_W,
    stacks: [
      {
        family: 'transformer',
        role: 'encoder',
        before: [encoderBlock('embeddings', 'embeddings', w.embeddings, w.tokenPosition, text('arch.enc.embeddings.explain'))],
        header: encoderBlock('layer', 'layer', text('arch.encoderLayers'), text('arch.enc.layer.sub'), text('arch.enc.layer.explain')),
        layer: [
          encoderBlock('attention', 'attention', w.selfAttention, text('arch.bidirectional'), text('arch.enc.attention.explain')),
          encoderBlock('addnorm1', 'addnorm', w.addNorm, w.residual, addNormExplain),
          encoderBlock('ffn', 'ffn', w.feedForward, w.perToken, ffnExplain),
          encoderBlock('addnorm2', 'addnorm', w.addNorm, w.residual, addNormExplain),
        ],
        after: [],
      },
      {
        family: 'transformer',
        role: 'decoder',
        before: [decoderBlock('embeddings', 'embeddings', w.embeddings, text('arch.dec.embeddings.sub'), text('arch.dec.embeddings.explain'))],
        header: decoderBlock('layer', 'layer', w.decoderLayers, text('arch.dec.layer.sub'), text('arch.dec.layer.explain')),
        layer: [
          decoderBlock('attention', 'masked-attention', w.maskedAttention, text('arch.causal'), text('arch.dec.attention.explain')),
          decoderBlock('addnorm1', 'addnorm', w.addNorm, w.residual, addNormExplain),
          decoderBlock('cross', 'cross-attention', text('arch.crossAttention'), text('arch.dec.cross.sub'), text('arch.dec.cross.explain')),
          decoderBlock('addnorm2', 'addnorm', w.addNorm, w.residual, addNormExplain),
          decoderBlock('ffn', 'ffn', w.feedForward, w.perToken, ffnExplain),
          decoderBlock('addnorm3', 'addnorm', w.addNorm, w.residual, addNormExplain),
        ],
        after: [[decoderBlock('output', 'head', text('arch.dec.output'), text('arch.dec.output.sub'), text('arch.dec.output.explain'))]],
      },
    ],
  };
}

function gptColumn(text: Translate, w: Words): ColumnSpec {
  const gptBlock = blocksOf('gpt', 'decoder', 'gpt');
  const addNormExplain = text('arch.gpt.addNorm.explain');
  return {
    family: 'gpt',
    title: 'GPT',
    subtitle: text('arch.gpt.subtitle'),
    blockWidth: BLOCK_W,
    stacks: [
      {
        family: 'gpt',
        role: 'decoder',
        before: [gptBlock('embeddings', 'embeddings', w.embeddings, w.tokenPosition, text('arch.gpt.embeddings.explain'))],
        header: gptBlock('layer', 'layer', w.decoderLayers, text('arch.gpt.layer.sub'), text('arch.gpt.layer.explain')),
        layer: [
          gptBlock('attention', 'masked-attention', w.maskedAttention, text('arch.gpt.attention.sub'), text('arch.gpt.attention.explain')),
          gptBlock('addnorm1', 'addnorm', w.addNorm, w.residual, addNormExplain),
          gptBlock('ffn', 'ffn', w.feedForward, w.perToken, text('arch.gpt.ffn.explain')),
          gptBlock('addnorm2', 'addnorm', w.addNorm, w.residual, addNormExplain),
        ],
        after: [[gptBlock('lmhead', 'head', text('arch.gpt.lmhead'), text('arch.gpt.lmhead.sub'), text('arch.gpt.lmhead.explain'))]],
      },
    ],
  };
}

/** BERT's column is the live model's: its labels carry the layer and head counts, and its blocks jump into the app. */
function bertColumn({ text, layers, heads }: ArchitectureData, w: Words): ColumnSpec {
  const plain = blocksOf('bert', 'encoder', 'bert');
  const bertBlock = (name: BertBlock, kind: BlockKind, label: string, sublabel: string, explain: string, jump: JumpTarget | null = null) => ({
    ...plain(name, kind, label, sublabel, explain),
    bert: name,
    jump,
  });
  const headsLabel = heads === 1 ? text('arch.bert.attention.sub.one') : text('arch.bert.attention.sub', { heads });
  return {
    family: 'bert',
    title: 'BERT',
    subtitle: text('arch.bert.subtitle'),
    blockWidth: BERT_BLOCK_W,
    stacks: [
      {
        family: 'bert',
        role: 'encoder',
        before: [bertBlock('embeddings', 'embeddings', w.embeddings, text('arch.bert.embeddings.sub'), text('arch.bert.embeddings.explain'), 'tokens')],
        header: bertBlock('layer', 'layer', text('arch.bert.layer', { layers }), text('arch.bert.layer.sub'), text('arch.bert.layer.explain', { layers })),
        layer: [
          bertBlock('attention', 'attention', w.selfAttention, headsLabel, text('arch.bert.attention.explain'), 'attention'),
          bertBlock('addnorm1', 'addnorm', w.addNorm, w.residual, text('arch.bert.addnorm1.explain')),
          bertBlock('ffn', 'ffn', w.feedForward, text('arch.bert.ffn.sub'), text('arch.bert.ffn.explain')),
          bertBlock('addnorm2', 'addnorm', w.addNorm, w.residual, text('arch.bert.addnorm2.explain')),
        ],
        after: [
          [
            bertBlock('mlm', 'head', text('arch.bert.mlm'), text('arch.bert.mlm.sub'), text('arch.bert.mlm.explain'), 'fillmask'),
            bertBlock('cls', 'head', text('arch.bert.cls'), text('arch.bert.cls.sub'), text('arch.bert.cls.explain'), 'finetune'),
          ],
        ],
      },
    ],
  };
}
