/**
 * The lab models as checkpoints: a freshly initialised one to start from, and
 * a trained one written as a Hugging Face folder (config.json, vocab.txt,
 * tokenizer_config.json, model.safetensors) that loadModel reads back — so a
 * class can use the model it pre-trained as the page's main model.
 */
import { expectedWeights, type Checkpoint, type Weight } from '../../checkpoint/checkpoint';
import { parseConfig, type BertConfig } from '../../checkpoint/config';
import { writeSafetensors, type NamedTensor } from '../../checkpoint/safetensorsWriter';
import type { BertModel } from '../../model/model';
import type { WordPieceTokenizer } from '../../tokenizer/tokenizer';
import { prng } from '../../util/prng';

/** Layers / hidden size / attention heads / feed-forward width. */
export interface LabShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export type Objective = 'masked' | 'causal';

const ARCHITECTURE = { masked: 'BertForMaskedLM', causal: 'BertLMHeadModel' } as const;

/** config.json of a lab model, in Hugging Face's spelling. */
function hfConfig(shape: LabShape, vocabSize: number, maxPositions: number, objective: Objective, padId: number): Record<string, unknown> {
  return {
    architectures: [ARCHITECTURE[objective]],
    model_type: 'bert',
    vocab_size: vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    max_position_embeddings: maxPositions,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: padId,
    position_embedding_type: 'absolute',
    is_decoder: objective === 'causal',
    tie_word_embeddings: true,
    torch_dtype: 'float32',
  };
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * A fresh model, seeded: weights N(0, 0.02) as BERT initialises them, except
 * query and key N(0, 0.1) — with BERT's tiny query/key weights attention
 * starts uniform and leaves that saddle slowly (tools/pretrain/README.md,
 * "Why the first shipped BERT-mini did not learn"); LayerNorm scales 1,
 * biases 0. Both objectives start from the same weights (same seed).
 */
export function initialCheckpoint(
  shape: LabShape,
  tokenizer: WordPieceTokenizer,
  vocabText: string,
  tokenizerConfig: Record<string, unknown>,
  maxPositions: number,
  objective: Objective,
  seed: number,
): Checkpoint {
  const config = parseConfig(hfConfig(shape, tokenizer.vocabSize, maxPositions, objective, tokenizer.padId));
  const random = prng(seed);
  const weights = new Map<string, Weight>();
  for (const [name, dims] of expectedWeights(config).required) {
    const values = new Float32Array(dims.reduce((a, d) => a * d, 1));
    if (name.endsWith('LayerNorm.weight')) values.fill(1);
    else if (name.endsWith('.weight')) {
      const std = /attention\.self\.(query|key)\.weight$/.test(name) ? 0.1 : 0.02;
      for (let i = 0; i < values.length; i++) values[i] = std * gaussian(random);
    }
    weights.set(name, { shape: dims, values });
  }
  return { location: `pre-training lab (${objective})`, config, vocabText, tokenizerConfig, weights, bytes: 0 };
}

/** The model's weights as a Hugging Face folder: file name → bytes. */
export function hfFolder(model: BertModel, config: BertConfig, objective: Objective, tokenizer: WordPieceTokenizer, tokenizerConfig: Record<string, unknown>): Map<string, Uint8Array> {
  const shape = { layers: config.layers, hidden: config.hidden, heads: config.heads, intermediate: config.intermediate };
  const tensors: NamedTensor[] = [];
  for (const [name, w] of model.readWeights()) {
    // Hugging Face's *ForMaskedLM / *LMHeadModel keep the encoder under `bert.`; the head is `cls.`.
    tensors.push({ name: name.startsWith('cls.') ? name : `bert.${name}`, shape: w.shape, values: w.values });
  }
  const vocab = Array.from({ length: tokenizer.vocabSize }, (_, i) => tokenizer.idToToken(i));
  const text = (s: string) => new TextEncoder().encode(s);
  return new Map<string, Uint8Array>([
    ['config.json', text(JSON.stringify(hfConfig(shape, config.vocabSize, config.maxPositions, objective, tokenizer.padId), null, 2) + '\n')],
    ['vocab.txt', text(vocab.join('\n') + '\n')],
    ['tokenizer_config.json', text(JSON.stringify({ ...tokenizerConfig, model_max_length: config.maxPositions }, null, 2) + '\n')],
    ['model.safetensors', writeSafetensors(tensors, { format: 'pt' })],
  ]);
}
