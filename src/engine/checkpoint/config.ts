/**
 * BertConfig: the hyper-parameters of a checkpoint, read from Hugging Face's
 * config.json. Field names follow the paper (L layers, H hidden, A heads).
 */

export type Architecture = 'BertModel' | 'BertForMaskedLM' | 'BertLMHeadModel' | 'BertForSequenceClassification';
export const ARCHITECTURES: readonly Architecture[] = [
  'BertModel',
  'BertForMaskedLM',
  'BertLMHeadModel',
  'BertForSequenceClassification',
];

export interface BertConfig {
  architecture: Architecture;
  vocabSize: number;
  hidden: number; // H
  layers: number; // L
  heads: number; // A
  intermediate: number; // FFN inner size, 4H in the paper
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** A decoder (BertLMHeadModel) only attends to the left: its default mask is causal. */
  isDecoder: boolean;
  /** Classification labels, index → name (BertForSequenceClassification). */
  labels: string[];
}

type Json = Record<string, unknown>;

function int(json: Json, key: string, fallback?: number): number {
  const value = json[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`config.json: "${key}" must be a positive integer (got ${JSON.stringify(json[key])})`);
  }
  return value;
}

/** Parse and check a config.json. Throws a message naming the bad field. */
export function parseConfig(json: unknown): BertConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error('config.json: expected a JSON object');
  }
  const c = json as Json;
  const modelType = c.model_type;
  if (modelType !== undefined && modelType !== 'bert') {
    throw new Error(`config.json: model_type "${String(modelType)}" is not supported (only "bert")`);
  }
  const archs = Array.isArray(c.architectures) ? c.architectures : ['BertModel'];
  const architecture = ARCHITECTURES.find((a) => a === archs[0]);
  if (architecture === undefined) {
    throw new Error(
      `config.json: architecture "${String(archs[0])}" is not supported (supported: ${ARCHITECTURES.join(', ')})`,
    );
  }
  const act = c.hidden_act ?? 'gelu';
  if (act !== 'gelu') {
    throw new Error(`config.json: hidden_act "${String(act)}" is not supported (BERT uses "gelu")`);
  }
  const posType = c.position_embedding_type ?? 'absolute';
  if (posType !== 'absolute') {
    throw new Error(`config.json: position_embedding_type "${String(posType)}" is not supported (only "absolute")`);
  }
  const hidden = int(c, 'hidden_size');
  const heads = int(c, 'num_attention_heads');
  if (hidden % heads !== 0) {
    throw new Error(`config.json: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
  }
  const eps = c.layer_norm_eps ?? 1e-12;
  if (typeof eps !== 'number' || !(eps > 0)) throw new Error('config.json: "layer_norm_eps" must be a positive number');
  return {
    architecture,
    vocabSize: int(c, 'vocab_size'),
    hidden,
    layers: int(c, 'num_hidden_layers'),
    heads,
    intermediate: int(c, 'intermediate_size'),
    maxPositions: int(c, 'max_position_embeddings', 512),
    typeVocabSize: int(c, 'type_vocab_size', 2),
    layerNormEps: eps,
    isDecoder: c.is_decoder === true || architecture === 'BertLMHeadModel',
    labels: parseLabels(c, architecture),
  };
}

function parseLabels(c: Json, architecture: Architecture): string[] {
  if (architecture !== 'BertForSequenceClassification') return [];
  const id2label = (c.id2label ?? {}) as Record<string, unknown>;
  const n = typeof c.num_labels === 'number' ? c.num_labels : Object.keys(id2label).length || 2;
  return Array.from({ length: n }, (_, i) => {
    const name = id2label[String(i)];
    return typeof name === 'string' ? name : `LABEL_${i}`;
  });
}
