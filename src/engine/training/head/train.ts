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
 * trainHead's steps, each a function below: (1) what the frozen encoder
 * computes, once; (2) the standardisation of the features; (3) the trainable
 * weights; (4) mini-batch Adam; (5) the trained weights read back as a head.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bert } from '../../model/bert';
import { layerParts } from '../../model/parameters';
import type { Encoding } from '../../tokenizer/tokenizer';
import { prng, shuffle, stratifiedSplit } from '../../util/prng';
import { nextTurn } from '../../util/turn';
import { checkExamples, checkLabels, type LabelledExample } from '../examples';
import { layerFromParts } from '../../model/parameters';
import { batched, FEATURE_BATCH, headForward, padded, sentenceBatch, sentencesFrom, type TopLayers } from './features';
import type { ClassifierHead, HeadLayer, HeadWeight, Pooling, UnfrozenLayers } from './head';
import { TRAINING_DEFAULTS, type TrainSettings } from './defaults';

export { TRAINING_DEFAULTS } from './defaults';
import { foldStandardisation, standardisation, type Standardisation } from './standardise';
import { truncationReport, type TruncationReport } from './truncation';

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

type Settings = TrainSettings;

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

export interface TrainResult {
  head: ClassifierHead;
  history: EpochReport[];
  stopped: boolean;
  /** Which examples were cut to fit the model's positions, and how much text that dropped. */
  truncation: TruncationReport;
}

/** Hand the event loop a turn at least this often (ms), so a page stays responsive and a stop button is heard. */
const YIELD_EVERY_MS = 30;

function checkOptions(bert: Bert, options: TrainOptions): void {
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

export async function trainHead(bert: Bert, examples: LabelledExample[], options: TrainOptions): Promise<TrainResult> {
  const { labels, signal } = options;
  checkLabels(labels);
  const targets = checkExamples(examples, labels, { emptyText: false });
  checkOptions(bert, options);
  const o: Settings = { ...TRAINING_DEFAULTS, ...stripUndefined(options) };
  const H = bert.config.hidden;
  const from = bert.config.layers - o.unfreezeLayers;
  const random = prng(o.seed);
  const { train, validation } = stratifiedSplit(targets, labels.length, o.validationFraction, random);
  const progress = (phase: TrainProgress['phase'], done: number, total: number) => options.onProgress?.({ phase, done, total });

  // 1. The frozen encoder, once (null when stopped meanwhile: then the untrained head is returned).
  const encodings = examples.map((e) => bert.tokenizer.encode(e.text));
  const frozen = await frozenPart(bert, encodings, o.pooling, from, (done) => progress('features', done, examples.length), signal);
  // 2. The training rows' mean and spread.
  const scaling = frozen === null ? standardisation([], [], H) : standardisation(frozen.features, train, H);
  // 3. The trainable weights.
  const weights = trainableWeights(bert, o.hiddenUnits > 0 ? [H, o.hiddenUnits, labels.length] : [H, labels.length], from, random);
  try {
    // 4. Mini-batch Adam.
    const { history, stopped } =
      frozen === null
        ? { history: [], stopped: true }
        : await fit({ bert, frozen, targets, train, validation, scaling, weights, o, random, signal, progress, onEpoch: options.onEpoch });
    const head: ClassifierHead = {
      labels: [...labels],
      pooling: o.pooling,
      hiddenUnits: o.hiddenUnits,
      ...(await readBack(weights, scaling)), // 5. The weights as plain arrays, the standardisation folded in.
      trainedOn: { model: bert.location, examples: examples.length, seed: o.seed },
    };
    return { head, history, stopped, truncation: truncationReport(encodings, { train, validation }) };
  } finally {
    tf.dispose([...weights.head.flatMap((v) => [v.kernel, v.bias]), ...weights.top.map((v) => v.variable)]);
    frozen?.tensor.dispose();
  }
}

// ---------------------------------------------------------------------------
// 1. What the frozen part of the encoder computes, once
// ---------------------------------------------------------------------------

interface Frozen {
  /**
   * Per example, its sentence vector through the model's own layers in the
   * first H values (what the standardisation is measured on), then — when
   * layers are unfrozen — its hidden states, as `tensor` holds them.
   */
  features: Float32Array[];
  /** [N, H] sentence vectors when nothing is unfrozen, else the hidden states [N, Tmax, H] after layer `from`. */
  tensor: tf.Tensor;
  /** Real length of each example. */
  lengths: number[];
}

/** Null when `signal` stopped it. */
async function frozenPart(
  bert: Bert,
  encodings: Encoding[],
  pooling: Pooling,
  from: number,
  onBatch: (done: number) => void,
  signal: AbortSignal | undefined,
): Promise<Frozen | null> {
  const H = bert.config.hidden;
  const N = encodings.length;
  const unfrozen = from < bert.config.layers;
  const Tmax = Math.max(...encodings.map((e) => e.ids.length));
  const rows = await batched(
    encodings,
    FEATURE_BATCH,
    (batch) => {
      const input = padded(bert, batch);
      if (!unfrozen) return sentenceBatch(bert, input, pooling, null);
      const x = bert.model.hiddenAt({ ...input, mask: bert.defaultMask }, from);
      const features = sentencesFrom(bert, x, input.lengths, pooling, from); // [B, H] with the model's own layers
      // Padded to one length so all rows read back alike: [B, H + Tmax·H].
      return tf.concat([features, x.pad([[0, 0], [0, Tmax - x.shape[1]], [0, 0]]).reshape([batch.length, Tmax * H])], 1);
    },
    onBatch,
    signal,
  );
  if (rows === null) return null;
  const tensor = tf.tidy(() => {
    const flat = tf.tensor2d(concatRows(rows), [N, rows[0].length]);
    return unfrozen ? flat.slice([0, H], [-1, -1]).reshape([N, Tmax, H]) : flat;
  });
  return { features: rows, tensor, lengths: encodings.map((e) => e.ids.length) };
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

// ---------------------------------------------------------------------------
// 3. The trainable weights: the head (seeded Glorot init, zero biases) and copies of the top layers (2 is standardise.ts)
// ---------------------------------------------------------------------------

interface Trainable {
  head: { kernel: tf.Variable; bias: tf.Variable }[];
  /** Copies of the top layers' parameters, by layer and name suffix (`kernel`: a dense weight, kept [in, out]). */
  top: { layer: number; suffix: string; kernel: boolean; variable: tf.Variable }[];
  /** The same copies assembled as layers; null when the encoder is frozen. */
  topLayers: TopLayers | null;
}

/** Glorot-uniform kernel [in, out] (Glorot & Bengio 2010), seeded. */
function glorot(fanIn: number, fanOut: number, random: () => number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: fanIn * fanOut }, () => (2 * random() - 1) * limit);
}

/** `widths`: the head's layer sizes, input first. */
function trainableWeights(bert: Bert, widths: number[], from: number, random: () => number): Trainable {
  const L = bert.config.layers;
  // (tf.tidy disposes the initial values; the variables keep their own copy.)
  const head = widths.slice(1).map((out, i) => ({
    kernel: tf.tidy(() => tf.variable(tf.tensor2d(glorot(widths[i], out, random), [widths[i], out]))),
    bias: tf.tidy(() => tf.variable(tf.zeros([out]))),
  }));
  const top: Trainable['top'] = [];
  for (let l = from; l < L; l++) {
    for (const part of layerParts(bert.model.layerWeights(l))) {
      top.push({ layer: l, suffix: part.suffix, kernel: part.kernel, variable: tf.tidy(() => tf.variable(part.tensor.clone())) });
    }
  }
  const variable = (layer: number, suffix: string) => (top.find((v) => v.layer === layer && v.suffix === suffix) as Trainable['top'][number]).variable;
  const topLayers =
    from === L ? null : { from, layers: Array.from({ length: L - from }, (_, i) => layerFromParts((suffix) => variable(from + i, suffix))) };
  return { head, top, topLayers };
}

// ---------------------------------------------------------------------------
// 4. Mini-batch Adam
// ---------------------------------------------------------------------------

interface FitInput {
  bert: Bert;
  frozen: Frozen;
  targets: number[];
  train: number[];
  validation: number[];
  scaling: Standardisation;
  weights: Trainable;
  o: Settings;
  random: () => number;
  signal: AbortSignal | undefined;
  progress: (phase: TrainProgress['phase'], done: number, total: number) => void;
  onEpoch: TrainOptions['onEpoch'];
}

async function fit(input: FitInput): Promise<{ history: EpochReport[]; stopped: boolean }> {
  const { bert, frozen, targets, train, validation, weights, o, random, signal, progress } = input;
  const C = weights.head[weights.head.length - 1].kernel.shape[1] as number; // one logit per label
  const { topLayers } = weights;
  const muT = tf.tensor1d(input.scaling.mu);
  const sigmaT = tf.tensor1d(input.scaling.sigma);
  const headLayers = weights.head.map((v) => ({ kernel: v.kernel as tf.Tensor2D, bias: v.bias as tf.Tensor1D }));
  const headOptimizer = tf.train.adam(o.learningRate);
  const encoderOptimizer = tf.train.adam(o.encoderLearningRate);
  const headNames = new Set(weights.head.flatMap((v) => [v.kernel.name, v.bias.name]));
  // Named explicitly: by default tfjs differentiates every trainable variable in the process.
  const trainable = [...weights.head.flatMap((v) => [v.kernel, v.bias]), ...weights.top.map((v) => v.variable)];

  /** Logits for some examples, through the trainable part. Call inside tf.tidy or a gradient. */
  const logitsOf = (idx: number[]): tf.Tensor2D => {
    const rows = tf.tensor1d(idx, 'int32');
    let features: tf.Tensor2D;
    if (topLayers === null) {
      features = tf.gather(frozen.tensor as tf.Tensor2D, rows);
    } else {
      const lengths = idx.map((i) => frozen.lengths[i]);
      const x = tf.gather(frozen.tensor as tf.Tensor3D, rows).slice([0, 0, 0], [-1, Math.max(...lengths), -1]) as tf.Tensor3D;
      features = sentencesFrom(bert, x, lengths, o.pooling, topLayers.from, topLayers.layers);
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
    const step = topLayers === null ? Math.max(idx.length, 1) : o.batchSize;
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

  const history: EpochReport[] = [];
  let stopped = false;
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
        if (topLayers !== null) encoderOptimizer.applyGradients(encoderGrads);
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
      input.onEpoch?.(report);
      await nextTurn();
      lastTurn = performance.now();
      if (signal?.aborted) stopped = true;
    }
    return { history, stopped };
  } finally {
    tf.dispose([muT, sigmaT]);
    headOptimizer.dispose();
    encoderOptimizer.dispose();
  }
}

// ---------------------------------------------------------------------------
// 5. The trained weights read back into plain arrays
// ---------------------------------------------------------------------------

/** The head's layers (the standardisation folded into the first) and the retrained top layers. */
async function readBack(weights: Trainable, scaling: Standardisation): Promise<{ layers: HeadLayer[]; unfrozen?: UnfrozenLayers }> {
  const layers: HeadLayer[] = [];
  for (const v of weights.head) {
    const [kernel, bias] = (await Promise.all([v.kernel.data(), v.bias.data()])) as Float32Array[];
    layers.push({ kernel: Float32Array.from(kernel), bias: Float32Array.from(bias), shape: v.kernel.shape as [number, number] });
  }
  layers[0] = { ...layers[0], ...foldStandardisation(layers[0], scaling) };
  if (weights.topLayers === null) return { layers };
  const retrained: HeadWeight[] = [];
  for (const v of weights.top) {
    const layout = v.kernel ? v.variable.transpose() : v.variable; // back to nn.Linear's [out, in]
    const values = (await layout.data()) as Float32Array;
    retrained.push({ name: `encoder.layer.${v.layer}.${v.suffix}`, shape: [...layout.shape], values: Float32Array.from(values) });
    if (layout !== v.variable) layout.dispose();
  }
  return { layers, unfrozen: { from: weights.topLayers.from, weights: retrained } };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
