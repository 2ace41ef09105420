/**
 * Loading a Hugging Face BERT folder: config.json, vocab.txt, optional
 * tokenizer_config.json, and model.safetensors (or shards listed in
 * model.safetensors.index.json). Tensor names are normalised to one spelling
 * (no `bert.` prefix, LayerNorm `weight`/`bias` rather than TF's `gamma`/`beta`)
 * and every tensor the architecture needs is checked against the config.
 */
import { layerShapes } from '../model/parameters';
import { parseConfig, type BertConfig } from './config';
import { checkFileName } from './hub';
import { inFile } from '../util/inFile';
import { tokenizerOptionsFromConfig, WordPieceTokenizer } from '../tokenizer/tokenizer';
import { checkFinite, parseSafetensors, readFloat32, type SafetensorsFile } from './safetensors';
import type { CheckpointSource, ReadOptions } from './source';

export interface Weight {
  shape: number[];
  values: Float32Array;
}

export interface Checkpoint {
  location: string;
  config: BertConfig;
  vocabText: string;
  tokenizerConfig: Record<string, unknown> | null;
  /** Normalised name → float32 values. */
  weights: Map<string, Weight>;
  /** Bytes of weight files read. */
  bytes: number;
}

export async function loadCheckpoint(source: CheckpointSource, options: ReadOptions = {}): Promise<Checkpoint> {
  const where = source.location;
  const require = async (name: string, why: string): Promise<ArrayBuffer> => {
    const bytes = await source.read(name, options);
    if (bytes === null) throw new Error(`${where}: ${name} is missing (${why})`);
    return bytes;
  };
  const text = (bytes: ArrayBuffer) => new TextDecoder().decode(bytes);
  const json = (name: string, bytes: ArrayBuffer): unknown => {
    try {
      return JSON.parse(text(bytes));
    } catch {
      throw new Error(`${where}: ${name} is not valid JSON`);
    }
  };

  // All four requests go out together (a page load waits on them; one after another
  // cost a round trip each); results are still checked in this order, so the
  // first missing file named is the same as before.
  const started = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined); // rejections are seen when awaited below
    return p;
  };
  const configRead = started(require('config.json', 'the model hyper-parameters'));
  const vocabRead = started(require('vocab.txt', 'the WordPiece vocabulary'));
  const tokenizerRead = started(source.read('tokenizer_config.json', options));
  const weightsRead = started(source.read('model.safetensors', options));

  const config = parseConfig(json('config.json', await configRead));
  const vocabText = text(await vocabRead);
  const tokenizerBytes = await tokenizerRead;
  const tokenizerConfig =
    tokenizerBytes === null ? null : (json('tokenizer_config.json', tokenizerBytes) as Record<string, unknown>);

  const files: SafetensorsFile[] = [];
  const single = await weightsRead;
  if (single !== null) {
    files.push(parseSafetensors('model.safetensors', single));
  } else {
    const indexBytes = await source.read('model.safetensors.index.json', options);
    if (indexBytes === null) {
      throw new Error(
        `${where}: no weights found — expected model.safetensors or model.safetensors.index.json ` +
          '(PyTorch .bin and TensorFlow .h5 checkpoints are not supported; convert them to safetensors)',
      );
    }
    const index = json('model.safetensors.index.json', indexBytes) as { weight_map?: Record<string, string> };
    if (typeof index.weight_map !== 'object' || index.weight_map === null) {
      throw new Error(`${where}: model.safetensors.index.json has no "weight_map"`);
    }
    for (const shard of [...new Set(Object.values(index.weight_map))]) {
      // A shard name comes from the file: a folder on disk or in the cache must not be led outside itself.
      if (typeof shard !== 'string') throw new Error(`${where}: model.safetensors.index.json names a shard that is not a string`);
      try {
        checkFileName(shard);
      } catch (error) {
        throw new Error(`${where}: model.safetensors.index.json: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      files.push(parseSafetensors(shard, await require(shard, 'listed in model.safetensors.index.json')));
    }
  }

  const weights = new Map<string, Weight>();
  const from = new Map<string, string>(); // normalised name → file, for messages
  // Tensors the model reads must hold finite numbers; unused extras (an NSP head…) may hold anything.
  const { required, optional } = expectedWeights(config);
  const used = new Set([...required.keys(), ...optional.keys(), ...HEADS.flat(), 'cls.predictions.decoder.bias']);
  for (const file of files) {
    for (const entry of file.tensors.values()) {
      const name = normaliseName(entry.name);
      const values = readFloat32(file, entry);
      if (used.has(name)) checkFinite(file.file, entry.name, values);
      weights.set(name, { shape: entry.shape, values });
      from.set(name, file.file);
    }
  }
  // Some exports store the MLM output bias only under the decoder's name.
  const decoderBias = weights.get('cls.predictions.decoder.bias');
  if (!weights.has('cls.predictions.bias') && decoderBias !== undefined) {
    weights.set('cls.predictions.bias', decoderBias);
  }
  checkWeights(config, weights, from, files.map((f) => f.file).join(', '));
  // The tokenizer is built from these two files later (model/bert.ts): check them here, where an
  // error can name the file ("vocab.txt: … lacks [UNK]" rather than a bare "lacks [UNK]").
  inFile(`${where}: vocab.txt`, () => {
    if (vocabText.trim() === '') throw new Error('the file is empty (one WordPiece per line expected)');
    WordPieceTokenizer.fromVocabText(vocabText);
  });
  if (tokenizerConfig !== null) inFile(`${where}: tokenizer_config.json`, () => tokenizerOptionsFromConfig(tokenizerConfig, config.maxPositions));
  return {
    location: where,
    config,
    vocabText,
    tokenizerConfig,
    weights,
    bytes: files.reduce((sum, f) => sum + f.bytes.byteLength, 0),
  };
}

/** `bert.encoder…` → `encoder…`; `LayerNorm.gamma` → `LayerNorm.weight`. */
export function normaliseName(name: string): string {
  let n = name.startsWith('bert.') ? name.slice('bert.'.length) : name;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return n;
}

/** name → expected shape, for what this architecture needs; `optional` may be absent. */
export function expectedWeights(config: BertConfig): { required: Map<string, number[]>; optional: Map<string, number[]> } {
  const { hidden: H, vocabSize: V } = config;
  const required = new Map<string, number[]>([
    ['embeddings.word_embeddings.weight', [V, H]],
    ['embeddings.position_embeddings.weight', [config.maxPositions, H]],
    ['embeddings.token_type_embeddings.weight', [config.typeVocabSize, H]],
    ['embeddings.LayerNorm.weight', [H]],
    ['embeddings.LayerNorm.bias', [H]],
  ]);
  for (let i = 0; i < config.layers; i++) layerShapes(config, i).forEach((shape, name) => required.set(name, shape));
  const optional = new Map<string, number[]>();
  const pooler: [string, number[]][] = [
    ['pooler.dense.weight', [H, H]],
    ['pooler.dense.bias', [H]],
  ];
  const lmHead: [string, number[]][] = [
    ['cls.predictions.transform.dense.weight', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.weight', [H]],
    ['cls.predictions.transform.LayerNorm.bias', [H]],
    ['cls.predictions.bias', [V]],
  ];
  const classifier: [string, number[]][] = [
    ['classifier.weight', [config.labels.length, H]],
    ['classifier.bias', [config.labels.length]],
  ];
  switch (config.architecture) {
    case 'BertForMaskedLM':
    case 'BertLMHeadModel':
      lmHead.forEach(([n, s]) => required.set(n, s));
      pooler.forEach(([n, s]) => optional.set(n, s));
      optional.set('cls.predictions.decoder.weight', [V, H]); // absent when tied to the word embeddings
      break;
    case 'BertForSequenceClassification':
      [...pooler, ...classifier].forEach(([n, s]) => required.set(n, s));
      break;
    case 'BertModel':
      pooler.forEach(([n, s]) => optional.set(n, s));
      break;
  }
  return { required, optional };
}

/**
 * The heads BertModel builds whenever a checkpoint has the first tensor listed
 * (model/model.ts), whatever the architecture: with that one present, the rest
 * must be too. A pooler weight without its bias (one flipped bit in a name does
 * it) used to load, then fail inside the model with a bare TypeError.
 */
const HEADS: readonly (readonly string[])[] = [
  ['pooler.dense.weight', 'pooler.dense.bias'],
  [
    'cls.predictions.transform.dense.weight',
    'cls.predictions.transform.dense.bias',
    'cls.predictions.transform.LayerNorm.weight',
    'cls.predictions.transform.LayerNorm.bias',
    'cls.predictions.bias',
  ],
  ['classifier.weight', 'classifier.bias'],
];

function checkWeights(config: BertConfig, weights: Map<string, Weight>, from: Map<string, string>, files: string): void {
  const { required, optional } = expectedWeights(config);
  for (const name of required.keys()) {
    if (!weights.has(name)) {
      throw new Error(
        `${files}: tensor "${name}" is missing (needed by ${config.architecture} with ${config.layers} layers)`,
      );
    }
  }
  for (const [first, ...rest] of HEADS) {
    const missing = weights.has(first) ? rest.find((name) => !weights.has(name)) : undefined;
    if (missing !== undefined) {
      throw new Error(`${files}: tensor "${missing}" is missing (the checkpoint has "${first}", so its head is built)`);
    }
  }
  for (const [name, shape] of [...required, ...optional]) {
    const w = weights.get(name);
    if (w !== undefined && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(
        `${from.get(name)}: tensor "${name}" has shape [${w.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`,
      );
    }
  }
}
