/**
 * A randomly initialised BERT of any shape, without files — for benchmarks
 * (a bert-base-shaped model without downloading 440 MB) and for tests.
 * Seeded, so two runs build the same weights.
 */
import { expectedWeights, type Checkpoint, type Weight } from './checkpoint';
import { parseConfig } from './config';
import { prng } from '../util/prng';

export interface RandomShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize?: number;
  maxPositions?: number;
  architecture?: 'BertModel' | 'BertForMaskedLM' | 'BertLMHeadModel';
}


export function randomCheckpoint(shape: RandomShape, seed = 1): Checkpoint {
  const vocabSize = shape.vocabSize ?? 1000;
  const architecture = shape.architecture ?? 'BertForMaskedLM';
  const config = parseConfig({
    model_type: 'bert',
    architectures: [architecture],
    vocab_size: vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    max_position_embeddings: shape.maxPositions ?? 512,
    is_decoder: architecture === 'BertLMHeadModel',
  });
  const random = prng(seed);
  const weights = new Map<string, Weight>();
  const { required, optional } = expectedWeights(config);
  for (const [name, dims] of [...required, ...optional]) {
    if (name === 'cls.predictions.decoder.weight') continue; // tied
    const values = new Float32Array(dims.reduce((a, d) => a * d, 1));
    // LayerNorm scales start at 1; everything else uniform in ±0.05 (BERT's init is N(0, 0.02)).
    const isScale = name.endsWith('LayerNorm.weight');
    for (let i = 0; i < values.length; i++) values[i] = isScale ? 1 : (random() - 0.5) * 0.1;
    weights.set(name, { shape: dims, values });
  }
  // A vocabulary where "the" and "w5" … are whole tokens, so any token count is easy to ask for.
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the'];
  const vocab = [...specials, ...Array.from({ length: vocabSize - specials.length }, (_, i) => `w${i + specials.length}`)];
  return {
    location: `random ${shape.layers}/${shape.hidden}/${shape.heads}/${shape.intermediate}`,
    config,
    vocabText: vocab.join('\n') + '\n',
    tokenizerConfig: null,
    weights,
    bytes: 0,
  };
}
