/**
 * The tensors each BERT block reads and writes, with their shapes for the
 * live model and sentence: the details box under the figure. Tensor names and
 * formulas are code and stay as they are; the notes come from `text`.
 */
import type { BertConfig } from '../../engine';
import type { Translate } from '../types';
import type { BertBlock } from './spec';

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
 * ([CLS] and [SEP] counted). `numLabels` is the classifier's label count.
 */
export function shapesFor(block: BertBlock, config: BertConfig, T: number, text: Translate, numLabels?: number): ShapeRow[] {
  const { hidden: H, heads, intermediate, vocabSize, layers } = config;
  const d = H / heads;
  const row = (name: string, dims: string[], shape: number[], note = ''): ShapeRow => ({ name, dims, shape, note });
  /** A [T × H] tensor: one H-vector per token. */
  const perToken = (name: string, note = '') => row(name, ['T', 'H'], [T, H], note);
  const table = (rows: number) => text('arch.note.table', { rows, H });
  switch (block) {
    case 'embeddings':
      return [
        row('input_ids', ['T'], [T], text('arch.note.inputIds')),
        row('token_type_ids', ['T'], [T], text('arch.note.segment')),
        perToken('token embeddings', table(vocabSize)),
        perToken('position embeddings', table(config.maxPositions)),
        perToken('segment embeddings', table(config.typeVocabSize)),
        perToken('output', text('arch.note.sum')),
      ];
    case 'layer':
      return [
        perToken('input', text('arch.note.perToken')),
        perToken('output', text('arch.note.sameShape')),
        row('hidden_states', ['L+1', 'T', 'H'], [layers + 1, T, H], text('arch.note.hiddenStates')),
      ];
    case 'attention':
      return [
        row('query', ['heads', 'T', 'H/heads'], [heads, T, d], text('arch.note.query')),
        row('key', ['heads', 'T', 'H/heads'], [heads, T, d], 'K = x·W_K'),
        row('value', ['heads', 'T', 'H/heads'], [heads, T, d], 'V = x·W_V'),
        row('attention_scores', ['heads', 'T', 'T'], [heads, T, T], `Q·Kᵀ / √${d}`),
        row('attention_probs', ['heads', 'T', 'T'], [heads, T, T], text('arch.note.probs', { layers })),
        perToken('context', text('arch.note.context')),
        perToken('output', text('arch.note.afterWo')),
      ];
    case 'addnorm1':
      return [perToken('input', text('arch.note.addAttention')), perToken('output', 'LayerNorm')];
    case 'ffn':
      return [perToken('input'), row('intermediate', ['T', 'intermediate'], [T, intermediate], 'GELU(x·W₁)'), perToken('output', '·W₂')];
    case 'addnorm2':
      return [perToken('input', 'x + FFN(x)'), perToken('output', text('arch.note.nextInput'))];
    case 'mlm':
      return [perToken('transform', text('arch.note.transform')), row('logits', ['T', 'vocab'], [T, vocabSize], text('arch.note.mlmLogits'))];
    case 'cls': {
      const count = numLabels ?? (config.labels.length > 0 ? config.labels.length : 2);
      return [
        row('[CLS] vector', ['H'], [H], text('arch.note.clsVector')),
        row('pooled', ['H'], [H], 'tanh(W·h_[CLS])'),
        row('logits', ['labels'], [count], text('arch.note.clsLogits')),
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
