/**
 * Fine-tuning BERT for sentence classification (paper §4.1, Fig. 4b): a small
 * classifier on a sentence vector, trained on a few labelled examples.
 *
 * By default the encoder is frozen, so every sentence vector is computed once
 * and training only touches the head (fast enough for a browser tab). With
 * `unfreezeLayers: N` the top N encoder layers are trained too: the frozen
 * bottom runs once (its output at layer L−N is kept), and only the top N
 * layers — copied into tf.variables — run inside the gradient.
 *
 * Like bert.ts, tensors never leave this file: heads are plain typed arrays.
 */
import * as tf from '@tensorflow/tfjs';
import { attentionMask } from '../model/attention';
import type { Bert } from '../model/bert';
import { pool } from '../model/heads';
import { encoderLayer, type LayerWeights } from '../model/layer';
import { dense, gelu, type Dense } from '../model/ops';
import { layerFrom, layerParts, layerShapes } from '../model/parameters';
import { prng, shuffle, stratifiedSplit } from '../util/prng';
import { writeSafetensors, type NamedTensor } from '../checkpoint/safetensorsWriter';
import type { Encoding, Offset } from '../tokenizer/wordpiece';

export { pca2d, type Pca2d } from './pca';

/**
 * The sentence vector: 'mean' averages the last layer over the real tokens
 * ([CLS] and [SEP] included, padding excluded); 'cls' takes BERT's pooled
 * [CLS] vector, tanh(W·h[CLS] + b) — exactly what Hugging Face's
 * BertForSequenceClassification classifies, so a linear 'cls' head exports
 * exactly. A checkpoint without pooler weights gets tanh(h[CLS]), i.e. a pooler
 * whose W is the identity (and that is what the export writes).
 */
export type Pooling = 'cls' | 'mean';

export interface LabelledExample {
  text: string;
  label: string;
}

export interface TrainOptions {
  /** Label order = output order. At least two, all different. */
  labels: string[];
  /**
   * Default 'mean': with a frozen encoder (never trained for classification,
   * and its pooler only for next-sentence prediction, or not at all) the mean
   * of all token vectors carries more of the sentence than [CLS] does — the
   * finding of Sentence-BERT (Reimers & Gurevych 2019). Measured with
   * bench/finetune.ts (amazon/imdb/yelp × 16–128 examples, 3 seeds): 'mean'
   * beat 'cls' in all 12 cells on an early pretraining snapshot, and in 10 of
   * 12 on the shipped bert-mini (behind by ≤ 1 point at 64 examples on amazon
   * and imdb). Choose 'cls' to export to Hugging Face.
   */
  pooling?: Pooling;
  /** 0 (default) = a linear head (logistic regression); >0 = one hidden GELU layer of this width. */
  hiddenUnits?: number;
  /**
   * Default 30 passes over the training set. On bert-mini features the result
   * barely moved between 10 and 100 epochs or step sizes 1e-3 … 1e-2 (features,
   * not optimisation, limit a frozen head), so the defaults favour speed.
   */
  epochs?: number;
  /** Default 16. */
  batchSize?: number;
  /** Adam's step size for the head. Default 1e-2: a small head on fixed features tolerates a large step. */
  learningRate?: number;
  /** Adam's step size for unfrozen encoder layers. Default 3e-4: large steps would undo pre-training. */
  encoderLearningRate?: number;
  /** Share of each label's examples held out for validation (stratified, seeded). Default 0.2; 0 = none. */
  validationFraction?: number;
  /**
   * Seeds the head's initial weights, the split and the shuffling. Default 0.
   * Same seed + same data → the same head and curves on one backend (tested on
   * cpu); WebGPU may sum in another order, so its last digits can differ.
   */
  seed?: number;
  /** 0 (default) = frozen encoder; N = also train the top N encoder layers. */
  unfreezeLayers?: number;
  /** Stops after the current batch; trainHead then returns the head so far with `stopped: true`. */
  signal?: AbortSignal;
  onEpoch?: (report: EpochReport) => void;
  onProgress?: (progress: TrainProgress) => void;
}

export interface TrainProgress {
  phase: 'features' | 'training';
  done: number;
  total: number;
}

export interface EpochReport {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean loss and accuracy over the epoch's batches, each measured before its update (as Keras reports). */
  trainLoss: number;
  trainAccuracy: number;
  /** On the held-out examples after the epoch; null without validation. */
  valLoss: number | null;
  valAccuracy: number | null;
  ms: number;
}

export interface HeadLayer {
  /** [in, out] row-major: y = x·kernel + bias. */
  kernel: Float32Array;
  bias: Float32Array;
  shape: [number, number];
}

/** A retrained encoder weight, under its checkpoint name (no `bert.` prefix) and layout (nn.Linear weights [out, in]). */
export interface HeadWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface UnfrozenLayers {
  /** Index of the first retrained layer: L − N. */
  from: number;
  /** Every weight of layers from … L−1. */
  weights: HeadWeight[];
}

export interface ClassifierHead {
  labels: string[];
  pooling: Pooling;
  hiddenUnits: number;
  /** Input to output; GELU between layers. The first layer's input is the model's hidden size. */
  layers: HeadLayer[];
  /** The top encoder layers as fine-tuned, when trained with unfreezeLayers > 0. */
  unfrozen?: UnfrozenLayers;
  trainedOn: { model: string; examples: number; seed: number };
}

export interface TrainResult {
  head: ClassifierHead;
  history: EpochReport[];
  stopped: boolean;
}

const DEFAULTS = {
  pooling: 'mean' as Pooling,
  hiddenUnits: 0,
  epochs: 30,
  batchSize: 16,
  learningRate: 1e-2,
  encoderLearningRate: 3e-4,
  validationFraction: 0.2,
  seed: 0,
  unfreezeLayers: 0,
};
/** Sentences per forward pass when computing features. */
const FEATURE_BATCH = 16;
/** Hand the event loop a turn at least this often (ms), so a page stays responsive and a stop button is heard. */
const YIELD_EVERY_MS = 30;

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------


const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

// ---------------------------------------------------------------------------
// The forward pass: encoder (with optional retrained top layers) → pooling → head
// ---------------------------------------------------------------------------

/** The top encoder layers to run in place of the model's own. */
interface TopLayers {
  from: number;
  layers: LayerWeights[];
}

interface Padded {
  ids: number[][];
  tokenTypes: number[][];
  lengths: number[];
}

function padBatch(bert: Bert, encodings: Encoding[]): Padded {
  const T = Math.max(...encodings.map((e) => e.ids.length));
  const pad = (xs: number[], fill: number) => [...xs, ...new Array<number>(T - xs.length).fill(fill)];
  return {
    ids: encodings.map((e) => pad(e.ids, bert.tokenizer.padId)),
    tokenTypes: encodings.map((e) => pad(e.tokenTypeIds, 0)),
    lengths: encodings.map((e) => e.ids.length),
  };
}

/** Hidden states [B, T, H] after layer `layer` (0 = embeddings) of the model as loaded. Call inside tf.tidy. */
function hiddenAt(bert: Bert, batch: Padded, layer: number): tf.Tensor3D {
  const out = bert.model.forward({ ...batch, mask: bert.defaultMask, lmPositions: [] });
  return out.hiddenStates.slice([layer, 0, 0, 0], [1, -1, -1, -1]).squeeze([0]) as tf.Tensor3D;
}

/** x [B, T, H] from layer `top.from` through the retrained layers. Call inside tf.tidy. */
function runTop(bert: Bert, x: tf.Tensor3D, lengths: number[], top: TopLayers): tf.Tensor3D {
  const mask = attentionMask(lengths, x.shape[1], bert.defaultMask);
  for (const layer of top.layers) x = encoderLayer(x, layer, mask, bert.config.heads, bert.config.layerNormEps).hidden;
  return x;
}

/** Last-layer hidden states [B, T, H] → sentence vectors [B, H]. Call inside tf.tidy. */
function poolSentence(bert: Bert, x: tf.Tensor3D, lengths: number[], pooling: Pooling): tf.Tensor2D {
  if (pooling === 'cls') {
    const pooler = bert.model.poolerWeights;
    if (pooler !== null) return pool(x, pooler);
    return tf.tanh(x.slice([0, 0, 0], [-1, 1, -1]).squeeze([1])) as tf.Tensor2D; // the identity pooler
  }
  const [B, T] = x.shape;
  const real = tf.less(tf.range(0, T, 1, 'int32').reshape([1, T]), tf.tensor2d(lengths, [B, 1], 'int32'));
  const weights = real.cast('float32').expandDims(2); // [B, T, 1]: 1 for real tokens, 0 for padding
  return x.mul(weights).sum(1).div(tf.tensor2d(lengths, [B, 1], 'float32')) as tf.Tensor2D;
}

/** Sentence vectors [B, H] for one batch. Call inside tf.tidy. */
function sentenceBatch(bert: Bert, batch: Padded, pooling: Pooling, top: TopLayers | null): tf.Tensor2D {
  const L = bert.config.layers;
  let x = hiddenAt(bert, batch, top?.from ?? L);
  if (top !== null) x = runTop(bert, x, batch.lengths, top);
  return poolSentence(bert, x, batch.lengths, pooling);
}

/** Sentence vectors [B, H] → logits [B, labels]: dense layers with GELU between them. */
function headForward(layers: Dense[], features: tf.Tensor2D): tf.Tensor2D {
  let y: tf.Tensor = features;
  layers.forEach((layer, i) => {
    y = dense(y, layer);
    if (i < layers.length - 1) y = gelu(y);
  });
  return y as tf.Tensor2D;
}

// ---------------------------------------------------------------------------
// Encoder layers ↔ checkpoint names
// ---------------------------------------------------------------------------

/** A head's retrained layers as tensors. Call inside tf.tidy (they are created here). */
function topFromHead(unfrozen: UnfrozenLayers, layers: number): TopLayers {
  const byName = new Map(unfrozen.weights.map((w) => [w.name, w]));
  return {
    from: unfrozen.from,
    layers: Array.from({ length: layers - unfrozen.from }, (_, i) =>
      layerFrom(
        (name) => {
          const w = (suffix: string) => byName.get(`encoder.layer.${unfrozen.from + i}.${name}.${suffix}`) as HeadWeight; // checked by checkHead
          const weight = w('weight');
          return { kernel: tf.tensor2d(weight.values, weight.shape as [number, number]).transpose(), bias: tf.tensor1d(w('bias').values) };
        },
        (name) => {
          const w = (suffix: string) => byName.get(`encoder.layer.${unfrozen.from + i}.${name}.${suffix}`) as HeadWeight;
          return { weight: tf.tensor1d(w('weight').values), bias: tf.tensor1d(w('bias').values) };
        },
      ),
    ),
  };
}

function headDense(head: ClassifierHead): Dense[] {
  return head.layers.map((l) => ({ kernel: tf.tensor2d(l.kernel, l.shape), bias: tf.tensor1d(l.bias) }));
}

/** Throws when the head does not fit this model (another hidden size, layer count or label count). */
function checkHead(bert: Bert, head: ClassifierHead): void {
  const H = bert.config.hidden;
  const first = head.layers[0].shape[0];
  if (first !== H) {
    throw new Error(
      `this head was trained on a model with hidden size ${first} (${head.trainedOn.model}); ${bert.location} has ${H}`,
    );
  }
  if (head.unfrozen !== undefined) {
    const { from, weights } = head.unfrozen;
    if (from < 0 || from >= bert.config.layers) {
      throw new Error(`this head retrained layers ${from}… but ${bert.location} has only ${bert.config.layers} layers`);
    }
    const byName = new Map(weights.map((w) => [w.name, w]));
    for (let l = from; l < bert.config.layers; l++) {
      for (const [name, shape] of layerShapes(bert.config, l)) {
        const w = byName.get(name);
        if (w === undefined) throw new Error(`this head's retrained layers lack "${name}"`);
        if (w.shape.join() !== shape.join()) {
          throw new Error(`this head's "${name}" has shape [${w.shape.join(', ')}] but ${bert.location} needs [${shape.join(', ')}]`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Batched inference
// ---------------------------------------------------------------------------

function encodeText(bert: Bert, text: string, where: string): Encoding {
  if (typeof text !== 'string' || text.trim() === '') throw new Error(`${where}: the text is empty`);
  return bert.tokenizer.encode(text);
}

/**
 * Runs `compute` over the encodings in batches of similar length (less
 * padding), reading each batch's rows back; returns rows in input order.
 */
async function batched(
  encodings: Encoding[],
  batchSize: number,
  compute: (batch: Encoding[]) => tf.Tensor,
  onBatch?: (done: number) => void,
  signal?: AbortSignal,
): Promise<Float32Array[] | null> {
  const order = encodings.map((_, i) => i).sort((a, b) => encodings[b].ids.length - encodings[a].ids.length || a - b);
  const rows: Float32Array[] = new Array<Float32Array>(encodings.length);
  for (let start = 0; start < order.length; start += batchSize) {
    if (signal?.aborted) return null;
    const idx = order.slice(start, start + batchSize);
    const out = tf.tidy(() => compute(idx.map((i) => encodings[i])));
    const width = out.shape[out.shape.length - 1];
    const values = (await out.data()) as Float32Array;
    out.dispose();
    idx.forEach((i, r) => (rows[i] = values.slice(r * width, (r + 1) * width)));
    onBatch?.(Math.min(start + batchSize, order.length));
  }
  return rows;
}

export interface FeatureOptions {
  /** Use this head's retrained top layers (when it has any) instead of the model's own. */
  head?: ClassifierHead;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** One sentence vector (length H) per text, as the classifier sees it. Texts must not be empty. */
export async function sentenceFeatures(
  bert: Bert,
  texts: string[],
  pooling: Pooling,
  options: FeatureOptions = {},
): Promise<Float32Array[]> {
  const encodings = texts.map((t, i) => encodeText(bert, t, `text ${i}`));
  if (options.head !== undefined) checkHead(bert, options.head);
  const unfrozen = options.head?.unfrozen;
  const rows = await batched(
    encodings,
    FEATURE_BATCH,
    (batch) =>
      sentenceBatch(bert, padBatch(bert, batch), pooling, unfrozen === undefined ? null : topFromHead(unfrozen, bert.config.layers)),
    (done) => options.onProgress?.(done, texts.length),
    options.signal,
  );
  if (rows === null) throw abortError('computing sentence features');
  return rows;
}

/** Logits [labels] for each encoding. */
async function headLogits(bert: Bert, head: ClassifierHead, encodings: Encoding[]): Promise<Float32Array[]> {
  checkHead(bert, head);
  const rows = await batched(encodings, FEATURE_BATCH, (batch) => {
    const top = head.unfrozen === undefined ? null : topFromHead(head.unfrozen, bert.config.layers);
    return headForward(headDense(head), sentenceBatch(bert, padBatch(bert, batch), head.pooling, top));
  });
  return rows as Float32Array[];
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

export interface Classification {
  label: string;
  probs: Record<string, number>;
}

export async function classify(bert: Bert, head: ClassifierHead, text: string): Promise<Classification> {
  return (await classifyBatch(bert, head, [text]))[0];
}

/** classify for many texts, batched. */
export async function classifyBatch(bert: Bert, head: ClassifierHead, texts: string[]): Promise<Classification[]> {
  const logits = await headLogits(bert, head, texts.map((t, i) => encodeText(bert, t, `text ${i}`)));
  return logits.map((row) => {
    const p = softmax(row);
    return { label: head.labels[argmax(p)], probs: Object.fromEntries(head.labels.map((l, i) => [l, p[i]])) };
  });
}

export interface Attributions {
  tokens: string[];
  offsets: Offset[];
  /** Per token: p(label) − p(label with this token masked). Positive = the token pushed towards the prediction; 0 for [CLS]/[SEP]. */
  scores: number[];
  /** The predicted label for the whole text. */
  label: string;
}

/**
 * Which tokens the prediction rests on, by occlusion (Zeiler & Fergus 2014):
 * replace one token at a time with [MASK] — the token BERT learnt to read as
 * "unknown word" — and measure how much the predicted label's probability drops.
 * One batch for all variants; no gradients, so it works for any head.
 */
export async function tokenAttributions(bert: Bert, head: ClassifierHead, text: string): Promise<Attributions> {
  const original = encodeText(bert, text, 'text');
  const positions = original.ids.map((_, p) => p).filter((p) => original.specialTokensMask[p] === 0);
  const variants = positions.map((p) => {
    const ids = [...original.ids];
    ids[p] = bert.tokenizer.maskId;
    return { ...original, ids };
  });
  const logits = await headLogits(bert, head, [original, ...variants]);
  const base = softmax(logits[0]);
  const label = argmax(base);
  const scores = original.ids.map(() => 0);
  positions.forEach((p, i) => (scores[p] = base[label] - softmax(logits[i + 1])[label]));
  return { tokens: original.tokens, offsets: original.offsets, scores, label: head.labels[label] };
}

// ---------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------

function checkInput(bert: Bert, examples: LabelledExample[], options: TrainOptions): void {
  const { labels } = options;
  if (!Array.isArray(labels) || labels.length < 2) {
    throw new Error(`a classifier needs at least 2 labels (got ${Array.isArray(labels) ? labels.length : 'none'})`);
  }
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l === '') throw new Error(`label ${i} is empty`);
    if (labels.indexOf(l) !== i) throw new Error(`label "${l}" is listed twice`);
  });
  if (examples.length === 0) throw new Error('no training examples');
  examples.forEach((e, i) => {
    if (typeof e.text !== 'string' || e.text.trim() === '') throw new Error(`example ${i}: the text is empty`);
    if (!labels.includes(e.label)) {
      throw new Error(`example ${i}: label "${e.label}" is not one of the labels (${labels.join(', ')})`);
    }
  });
  const positiveInt = (name: string, v: number | undefined, min = 1) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw new Error(`${name} must be an integer ≥ ${min} (got ${v})`);
    }
  };
  positiveInt('epochs', options.epochs);
  positiveInt('batchSize', options.batchSize);
  positiveInt('hiddenUnits', options.hiddenUnits, 0);
  positiveInt('unfreezeLayers', options.unfreezeLayers, 0);
  if ((options.unfreezeLayers ?? 0) > bert.config.layers) {
    throw new Error(`unfreezeLayers ${options.unfreezeLayers} is more than the model's ${bert.config.layers} layers`);
  }
  for (const name of ['learningRate', 'encoderLearningRate'] as const) {
    const v = options[name];
    if (v !== undefined && !(v > 0)) throw new Error(`${name} must be positive (got ${v})`);
  }
  const f = options.validationFraction;
  if (f !== undefined && !(f >= 0 && f < 1)) throw new Error(`validationFraction must be in [0, 1) (got ${f})`);
  if (options.pooling !== undefined && options.pooling !== 'cls' && options.pooling !== 'mean') {
    throw new Error(`pooling must be "cls" or "mean" (got "${String(options.pooling)}")`);
  }
}

/** Glorot-uniform kernel [in, out] (Glorot & Bengio 2010), seeded. */
function glorot(fanIn: number, fanOut: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * random() - 1) * limit);
}

export async function trainHead(bert: Bert, examples: LabelledExample[], options: TrainOptions): Promise<TrainResult> {
  checkInput(bert, examples, options);
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const { labels, signal } = options;
  const C = labels.length;
  const H = bert.config.hidden;
  const L = bert.config.layers;
  const from = L - o.unfreezeLayers;
  const random = prng(o.seed);
  const targets = examples.map((e) => labels.indexOf(e.label));
  const { train, validation } = stratifiedSplit(targets, C, o.validationFraction, random);

  // 1. What the frozen part of the encoder computes, once: sentence vectors [N, H] when
  //    nothing is unfrozen, else the hidden states [N, T, H] after layer L−N.
  const encodings = examples.map((e) => bert.tokenizer.encode(e.text));
  const N = examples.length;
  const progress = (phase: TrainProgress['phase'], done: number, total: number) =>
    options.onProgress?.({ phase, done, total });
  const Tmax = Math.max(...encodings.map((e) => e.ids.length));
  const rows = await batched(
    encodings,
    FEATURE_BATCH,
    (batch) => {
      const padded = padBatch(bert, batch);
      const features = sentenceBatch(bert, padded, o.pooling, null); // [B, H] with the model's own layers
      if (from === L) return features;
      const x = hiddenAt(bert, padded, from);
      const T = x.shape[1];
      // Padded to one length so all rows read back alike: [B, H + Tmax·H].
      return tf.concat([features, x.pad([[0, 0], [0, Tmax - T], [0, 0]]).reshape([batch.length, Tmax * H])], 1);
    },
    (done) => progress('features', done, N),
    signal,
  );
  const lengths = encodings.map((e) => e.ids.length);
  const frozen =
    rows === null
      ? null
      : tf.tidy(() => {
          const flat = tf.tensor2d(concatRows(rows), [N, rows[0].length]);
          return from === L ? flat : flat.slice([0, H], [-1, -1]).reshape([N, Tmax, H]);
        });

  // Features are standardised with the training set's mean and spread before the head
  // sees them, so one default step size suits every model (mean-pooled LayerNorm outputs
  // and tanh-pooled vectors differ in scale, and a few dimensions often dominate).
  // After training the scaling is folded into the first layer, so a head is still
  // just x·W + b on the raw sentence vector (and exports exactly).
  const mu = new Float32Array(H);
  const sigma = new Float32Array(H).fill(1);
  if (rows !== null) {
    for (const i of train) for (let j = 0; j < H; j++) mu[j] += rows[i][j] / train.length;
    const variance = new Float32Array(H);
    for (const i of train) for (let j = 0; j < H; j++) variance[j] += (rows[i][j] - mu[j]) ** 2 / train.length;
    for (let j = 0; j < H; j++) sigma[j] = Math.sqrt(variance[j] + 1e-6);
  }
  const muT = tf.tensor1d(mu);
  const sigmaT = tf.tensor1d(sigma);

  // 2. The trainable weights: the head (seeded Glorot init, zero biases) and copies of the top layers.
  const widths = o.hiddenUnits > 0 ? [H, o.hiddenUnits, C] : [H, C];
  // (tf.tidy disposes the initial values; the variables keep their own copy.)
  const headVars = widths.slice(1).map((out, i) => ({
    kernel: tf.tidy(() => tf.variable(tf.tensor2d(glorot(widths[i], out, random), [widths[i], out]))),
    bias: tf.tidy(() => tf.variable(tf.zeros([out]))),
  }));
  const topVars: { layer: number; suffix: string; kernel: boolean; variable: tf.Variable }[] = [];
  for (let l = from; l < L; l++) {
    for (const part of layerParts(bert.model.layerWeights(l))) {
      topVars.push({ layer: l, suffix: part.suffix, kernel: part.kernel, variable: tf.tidy(() => tf.variable(part.tensor.clone())) });
    }
  }
  const top: TopLayers | null =
    from === L
      ? null
      : {
          from,
          layers: Array.from({ length: L - from }, (_, i) => {
            const variable = (suffix: string) => (topVars.find((v) => v.layer === from + i && v.suffix === suffix) as (typeof topVars)[number]).variable;
            return layerFrom(
              (name) => ({ kernel: variable(`${name}.weight`) as tf.Tensor2D, bias: variable(`${name}.bias`) as tf.Tensor1D }),
              (name) => ({ weight: variable(`${name}.weight`) as tf.Tensor1D, bias: variable(`${name}.bias`) as tf.Tensor1D }),
            );
          }),
        };
  const headLayers: Dense[] = headVars.map((v) => ({ kernel: v.kernel as tf.Tensor2D, bias: v.bias as tf.Tensor1D }));
  const headOptimizer = tf.train.adam(o.learningRate);
  const encoderOptimizer = tf.train.adam(o.encoderLearningRate);
  const headNames = new Set(headVars.flatMap((v) => [v.kernel.name, v.bias.name]));
  // Named explicitly: by default tfjs differentiates every trainable variable in the process.
  const trainable = [...headVars.flatMap((v) => [v.kernel, v.bias]), ...topVars.map((v) => v.variable)];

  /** Logits for some examples, through the trainable part. Call inside tf.tidy or a gradient. */
  const logitsOf = (idx: number[]): tf.Tensor2D => {
    const rowsT = tf.tensor1d(idx, 'int32');
    let features: tf.Tensor2D;
    if (top === null) {
      features = tf.gather(frozen as tf.Tensor2D, rowsT);
    } else {
      const batchLengths = idx.map((i) => lengths[i]);
      const T = Math.max(...batchLengths);
      const x = tf.gather(frozen as tf.Tensor3D, rowsT).slice([0, 0, 0], [-1, T, -1]) as tf.Tensor3D;
      features = poolSentence(bert, runTop(bert, x, batchLengths, top), batchLengths, o.pooling);
    }
    return headForward(headLayers, features.sub(muT).div(sigmaT));
  };
  const lossAndCorrect = (idx: number[]) => {
    const logits = logitsOf(idx);
    const truth = tf.tensor1d(idx.map((i) => targets[i]), 'int32');
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(truth, C), logits) as tf.Scalar;
    const correct = tf.equal(logits.argMax(1), truth).sum().cast('float32');
    return { loss, correct };
  };
  /** Mean loss and accuracy on some examples, in batches, with one read-back. */
  const evaluate = async (idx: number[]): Promise<{ loss: number; accuracy: number }> => {
    const step = top === null ? Math.max(idx.length, 1) : o.batchSize;
    let totals = tf.zeros([2]);
    for (let s = 0; s < idx.length; s += step) {
      const part = idx.slice(s, s + step);
      const next = tf.tidy(() => {
        const { loss, correct } = lossAndCorrect(part);
        return totals.add(tf.stack([loss.mul(part.length), correct]));
      });
      totals.dispose();
      totals = next;
    }
    const [loss, correct] = await totals.data();
    totals.dispose();
    return { loss: loss / idx.length, accuracy: correct / idx.length };
  };

  // 3. Mini-batch Adam.
  const history: EpochReport[] = [];
  let stopped = rows === null;
  const batchesPerEpoch = Math.ceil(train.length / o.batchSize);
  let lastTurn = performance.now();
  try {
    for (let epoch = 1; epoch <= o.epochs && !stopped; epoch++) {
      const started = performance.now();
      const order = shuffle([...train], random);
      let totals = tf.zeros([2]); // Σ loss·n, Σ correct over the epoch's batches
      for (let b = 0; b < batchesPerEpoch; b++) {
        const idx = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
        const kept: { correct?: tf.Tensor } = {};
        const { value, grads } = tf.variableGrads(() => {
          const out = lossAndCorrect(idx);
          kept.correct = tf.keep(out.correct); // accuracy comes out of the same forward pass as the loss
          return out.loss;
        }, trainable);
        const correct = kept.correct as tf.Tensor;
        const headGrads: { name: string; tensor: tf.Tensor }[] = [];
        const encoderGrads: { name: string; tensor: tf.Tensor }[] = [];
        for (const [name, tensor] of Object.entries(grads)) (headNames.has(name) ? headGrads : encoderGrads).push({ name, tensor });
        headOptimizer.applyGradients(headGrads);
        if (top !== null) encoderOptimizer.applyGradients(encoderGrads);
        const next = tf.tidy(() => totals.add(tf.stack([value.mul(idx.length), correct])));
        tf.dispose([totals, value, correct, ...Object.values(grads)]);
        totals = next;
        progress('training', (epoch - 1) * batchesPerEpoch + b + 1, o.epochs * batchesPerEpoch);
        if (performance.now() - lastTurn > YIELD_EVERY_MS) {
          await nextTurn();
          lastTurn = performance.now();
        }
        if (signal?.aborted) {
          stopped = true;
          break;
        }
      }
      const [lossSum, correctSum] = await totals.data();
      totals.dispose();
      if (stopped) break; // a partial epoch is not reported: its numbers would not be comparable
      const val = validation.length > 0 ? await evaluate(validation) : null;
      const report: EpochReport = {
        epoch,
        epochs: o.epochs,
        trainLoss: lossSum / train.length,
        trainAccuracy: correctSum / train.length,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        ms: performance.now() - started,
      };
      history.push(report);
      options.onEpoch?.(report);
      await nextTurn();
      lastTurn = performance.now();
      if (signal?.aborted) stopped = true;
    }

    // 4. Read the trained weights back into plain arrays.
    const layers: HeadLayer[] = [];
    for (const v of headVars) {
      const [kernel, bias] = (await Promise.all([v.kernel.data(), v.bias.data()])) as Float32Array[];
      layers.push({ kernel: Float32Array.from(kernel), bias: Float32Array.from(bias), shape: v.kernel.shape as [number, number] });
    }
    // Fold the standardisation in: ((x − μ)/σ)·W + b = x·(W/σ) + (b − (μ/σ)·W).
    const first = layers[0];
    const out = first.shape[1];
    for (let j = 0; j < H; j++) {
      for (let k = 0; k < out; k++) {
        first.kernel[j * out + k] /= sigma[j];
        first.bias[k] -= mu[j] * first.kernel[j * out + k];
      }
    }
    let unfrozen: UnfrozenLayers | undefined;
    if (top !== null) {
      const weights: HeadWeight[] = [];
      for (const v of topVars) {
        const layout = v.kernel ? v.variable.transpose() : v.variable; // back to nn.Linear's [out, in]
        const values = (await layout.data()) as Float32Array;
        weights.push({ name: `encoder.layer.${v.layer}.${v.suffix}`, shape: [...layout.shape], values: Float32Array.from(values) });
        if (layout !== v.variable) layout.dispose();
      }
      unfrozen = { from, weights };
    }
    const head: ClassifierHead = {
      labels: [...labels],
      pooling: o.pooling,
      hiddenUnits: o.hiddenUnits,
      layers,
      ...(unfrozen === undefined ? {} : { unfrozen }),
      trainedOn: { model: bert.location, examples: N, seed: o.seed },
    };
    return { head, history, stopped };
  } finally {
    tf.dispose([...headVars.flatMap((v) => [v.kernel, v.bias]), ...topVars.map((v) => v.variable)]);
    tf.dispose([muT, sigmaT]);
    if (frozen !== null) frozen.dispose();
    headOptimizer.dispose();
    encoderOptimizer.dispose();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function concatRows(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

function abortError(what: string): Error {
  const error = new Error(`${what} was cancelled`);
  error.name = 'AbortError';
  return error;
}

// ---------------------------------------------------------------------------
// Saving and loading heads
// ---------------------------------------------------------------------------

const FORMAT = 'bert-playground/classifier-head';
const VERSION = 1;

/** Float32 values as base64 of their little-endian bytes: exact, and ~5 bytes a value instead of ~20 as decimals. */
function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: unknown, count: number, where: string): Float32Array {
  if (typeof text !== 'string') throw new Error(`head JSON: ${where} must be a base64 string`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`head JSON: ${where} is not valid base64`);
  }
  if (binary.length !== count * 4) {
    throw new Error(`head JSON: ${where} has ${binary.length} bytes but its shape needs ${count} float32 values (${count * 4} bytes)`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function headToJson(head: ClassifierHead): string {
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    labels: head.labels,
    pooling: head.pooling,
    hiddenUnits: head.hiddenUnits,
    layers: head.layers.map((l) => ({ shape: l.shape, kernel: toBase64(l.kernel), bias: toBase64(l.bias) })),
    unfrozen:
      head.unfrozen === undefined
        ? undefined
        : {
            from: head.unfrozen.from,
            weights: head.unfrozen.weights.map((w) => ({ name: w.name, shape: w.shape, values: toBase64(w.values) })),
          },
    trainedOn: head.trainedOn,
  });
}

/** Parses and checks a head saved by headToJson; every error says what is wrong. */
export function headFromJson(json: string): ClassifierHead {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('head JSON: not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('head JSON: expected an object');
  const r = raw as Record<string, unknown>;
  if (r.format !== FORMAT) throw new Error(`head JSON: "format" must be "${FORMAT}" (is this a classifier head?)`);
  if (r.version !== VERSION) throw new Error(`head JSON: version ${String(r.version)} is not supported (expected ${VERSION})`);
  const labels = r.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string' && l !== '')) {
    throw new Error('head JSON: "labels" must be a list of at least 2 non-empty strings');
  }
  if (new Set(labels).size !== labels.length) throw new Error('head JSON: "labels" has duplicates');
  if (r.pooling !== 'cls' && r.pooling !== 'mean') throw new Error('head JSON: "pooling" must be "cls" or "mean"');
  const hiddenUnits = r.hiddenUnits;
  if (typeof hiddenUnits !== 'number' || !Number.isInteger(hiddenUnits) || hiddenUnits < 0) {
    throw new Error('head JSON: "hiddenUnits" must be an integer ≥ 0');
  }
  if (!Array.isArray(r.layers) || r.layers.length !== (hiddenUnits > 0 ? 2 : 1)) {
    throw new Error(`head JSON: "layers" must list ${hiddenUnits > 0 ? 2 : 1} layer(s) for hiddenUnits ${hiddenUnits}`);
  }
  const isShape = (s: unknown, rank?: number): s is number[] =>
    Array.isArray(s) && (rank === undefined || s.length === rank) && s.every((d) => Number.isInteger(d) && d > 0);
  const layers: HeadLayer[] = (r.layers as unknown[]).map((l, i) => {
    const layer = (l ?? {}) as Record<string, unknown>;
    if (!isShape(layer.shape, 2)) throw new Error(`head JSON: layers[${i}].shape must be [in, out]`);
    const [inDim, outDim] = layer.shape;
    return {
      shape: [inDim, outDim],
      kernel: fromBase64(layer.kernel, inDim * outDim, `layers[${i}].kernel`),
      bias: fromBase64(layer.bias, outDim, `layers[${i}].bias`),
    };
  });
  layers.forEach((l, i) => {
    if (i > 0 && layers[i - 1].shape[1] !== l.shape[0]) {
      throw new Error(`head JSON: layers[${i}] takes ${l.shape[0]} inputs but layers[${i - 1}] gives ${layers[i - 1].shape[1]}`);
    }
  });
  if (hiddenUnits > 0 && layers[0].shape[1] !== hiddenUnits) {
    throw new Error(`head JSON: layers[0] has ${layers[0].shape[1]} outputs but hiddenUnits is ${hiddenUnits}`);
  }
  if (layers[layers.length - 1].shape[1] !== labels.length) {
    throw new Error(`head JSON: the last layer has ${layers[layers.length - 1].shape[1]} outputs for ${labels.length} labels`);
  }
  let unfrozen: UnfrozenLayers | undefined;
  if (r.unfrozen !== undefined) {
    const u = (r.unfrozen ?? {}) as Record<string, unknown>;
    if (typeof u.from !== 'number' || !Number.isInteger(u.from) || u.from < 0) {
      throw new Error('head JSON: "unfrozen.from" must be an integer ≥ 0');
    }
    if (!Array.isArray(u.weights)) throw new Error('head JSON: "unfrozen.weights" must be a list');
    unfrozen = {
      from: u.from,
      weights: (u.weights as unknown[]).map((w, i) => {
        const x = (w ?? {}) as Record<string, unknown>;
        if (typeof x.name !== 'string' || !x.name.startsWith('encoder.layer.')) {
          throw new Error(`head JSON: unfrozen.weights[${i}].name must name an encoder layer weight`);
        }
        if (!isShape(x.shape)) throw new Error(`head JSON: unfrozen.weights[${i}].shape is invalid`);
        const count = x.shape.reduce((a, d) => a * d, 1);
        return { name: x.name, shape: x.shape, values: fromBase64(x.values, count, `unfrozen "${x.name}"`) };
      }),
    };
  }
  const t = (r.trainedOn ?? {}) as Record<string, unknown>;
  const trainedOn = {
    model: typeof t.model === 'string' ? t.model : 'unknown',
    examples: typeof t.examples === 'number' ? t.examples : 0,
    seed: typeof t.seed === 'number' ? t.seed : 0,
  };
  return { labels: labels as string[], pooling: r.pooling, hiddenUnits, layers, ...(unfrozen ? { unfrozen } : {}), trainedOn };
}

// ---------------------------------------------------------------------------
// Export to Hugging Face
// ---------------------------------------------------------------------------

/**
 * A Hugging Face BertForSequenceClassification folder (config.json, vocab.txt,
 * tokenizer_config.json, model.safetensors in F32) that gives the same
 * probabilities as `classify`. That class computes softmax(W·pooled + b) with
 * pooled = tanh(W_p·h[CLS] + b_p), so only heads of that form export exactly:
 * pooling 'cls' and a linear head. Other heads are refused with the reason
 * (a mean-pooled or two-layer head would silently change its predictions).
 * Retrained top layers replace the base model's; the base's masked-LM head is
 * left out (the classifier does not use it). A base without a pooler gets the
 * identity pooler (W_p = I, b_p = 0), which is what 'cls' trained on.
 */
export function exportSequenceClassification(bert: Bert, head: ClassifierHead): Map<string, Uint8Array> {
  if (head.pooling !== 'cls') {
    throw new Error(
      "only a head with pooling 'cls' can be exported: BertForSequenceClassification classifies the pooled [CLS] vector, " +
        "and this head reads the mean of all tokens — train with pooling 'cls' to export",
    );
  }
  if (head.layers.length !== 1) {
    throw new Error(
      'only a linear head (hiddenUnits 0) can be exported: BertForSequenceClassification has a single linear classifier',
    );
  }
  checkHead(bert, head);
  const { config } = bert;
  const H = config.hidden;
  const C = head.labels.length;
  const weights = bert.model.readWeights();
  for (const w of head.unfrozen?.weights ?? []) weights.set(w.name, { shape: w.shape, values: w.values });
  if (!weights.has('pooler.dense.weight')) {
    const identity = new Float32Array(H * H);
    for (let i = 0; i < H; i++) identity[i * H + i] = 1;
    weights.set('pooler.dense.weight', { shape: [H, H], values: identity });
    weights.set('pooler.dense.bias', { shape: [H], values: new Float32Array(H) });
  }
  const tensors: NamedTensor[] = [];
  for (const [name, w] of weights) {
    if (/^(embeddings|encoder|pooler)\./.test(name)) tensors.push({ name: `bert.${name}`, shape: w.shape, values: w.values });
  }
  const { kernel, bias } = head.layers[0]; // kernel [H, C] → nn.Linear weight [C, H]
  const classifier = new Float32Array(C * H);
  for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) classifier[c * H + i] = kernel[i * C + c];
  tensors.push({ name: 'classifier.weight', shape: [C, H], values: classifier });
  tensors.push({ name: 'classifier.bias', shape: [C], values: Float32Array.from(bias) });

  const hfConfig = {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: H,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    intermediate_size: config.intermediate,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    initializer_range: 0.02,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: bert.tokenizer.padId,
    position_embedding_type: 'absolute',
    is_decoder: config.isDecoder,
    use_cache: true,
    classifier_dropout: null,
    num_labels: C,
    id2label: Object.fromEntries(head.labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(head.labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: bert.tokenizer.doLowerCase,
    strip_accents: bert.tokenizer.stripAccents,
    tokenize_chinese_chars: bert.tokenizer.tokenizeChineseChars,
    model_max_length: bert.tokenizer.maxLength,
  };
  const vocab = Array.from({ length: bert.tokenizer.vocabSize }, (_, i) => bert.tokenizer.idToToken(i));
  const text = (s: string) => new TextEncoder().encode(s);
  return new Map<string, Uint8Array>([
    ['config.json', text(JSON.stringify(hfConfig, null, 2) + '\n')],
    ['vocab.txt', text(vocab.join('\n') + '\n')],
    ['tokenizer_config.json', text(JSON.stringify(tokenizerConfig, null, 2) + '\n')],
    ['model.safetensors', writeSafetensors(tensors, { format: 'pt' })],
  ]);
}
