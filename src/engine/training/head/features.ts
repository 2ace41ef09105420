/**
 * The classifier's forward pass: encoder (with optional retrained top layers)
 * → a sentence vector → the head's dense layers. Every tensor made here is
 * made inside the caller's tf.tidy or disposed before returning.
 */
import * as tf from '@tensorflow/tfjs';
import type { Bert } from '../../model/bert';
import { padBatch, type PaddedBatch } from '../../model/batch';
import { pool } from '../../model/heads';
import type { LayerWeights } from '../../model/layer';
import { dense, gelu, type Dense } from '../../model/ops';
import { layerFromParts } from '../../model/parameters';
import type { Encoding } from '../../tokenizer/tokenizer';
import { abortError } from '../../util/abort';
import { checkHead, type ClassifierHead, type HeadWeight, type Pooling, type UnfrozenLayers } from './head';

/** Sentences per forward pass when computing features. */
export const FEATURE_BATCH = 16;

/** The top encoder layers to run in place of the model's own: layers from … L−1. */
export interface TopLayers {
  from: number;
  layers: LayerWeights[];
}

/** A head's retrained layers as tensors. Call inside tf.tidy (they are created here). */
export function topFromHead(unfrozen: UnfrozenLayers, layers: number): TopLayers {
  const byName = new Map(unfrozen.weights.map((w) => [w.name, w]));
  return {
    from: unfrozen.from,
    layers: Array.from({ length: layers - unfrozen.from }, (_, i) =>
      layerFromParts((suffix, kernel) => {
        const w = byName.get(`encoder.layer.${unfrozen.from + i}.${suffix}`) as HeadWeight; // checked by checkHead
        const t = tf.tensor(w.values, w.shape);
        return kernel ? t.transpose() : t; // nn.Linear's [out, in] → [in, out]
      }),
    ),
  };
}

/** Last-layer hidden states [B, T, H] → sentence vectors [B, H]. Call inside tf.tidy. */
export function poolSentence(bert: Bert, x: tf.Tensor3D, lengths: number[], pooling: Pooling): tf.Tensor2D {
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

/**
 * Hidden states x [B, T, H] after layer `from` → sentence vectors [B, H],
 * through the layers above it: `layers` (retrained copies) or the model's own.
 * Call inside tf.tidy.
 */
export function sentencesFrom(bert: Bert, x: tf.Tensor3D, lengths: number[], pooling: Pooling, from: number, layers?: LayerWeights[]): tf.Tensor2D {
  const out = bert.model.runLayers(x, { lengths, mask: bert.defaultMask }, from, bert.config.layers, layers);
  return poolSentence(bert, out, lengths, pooling);
}

/** Sentence vectors [B, H] for one batch: the model's own layers, or `top` in place of its top ones. Call inside tf.tidy. */
export function sentenceBatch(bert: Bert, batch: PaddedBatch, pooling: Pooling, top: TopLayers | null): tf.Tensor2D {
  const input = { ...batch, mask: bert.defaultMask };
  if (top === null) return poolSentence(bert, bert.model.hiddenAt(input, bert.config.layers), batch.lengths, pooling);
  return sentencesFrom(bert, bert.model.hiddenAt(input, top.from), batch.lengths, pooling, top.from, top.layers);
}

/** Sentence vectors [B, H] → logits [B, labels]: dense layers with GELU between them. */
export function headForward(layers: Dense[], features: tf.Tensor2D): tf.Tensor2D {
  let y: tf.Tensor = features;
  layers.forEach((layer, i) => {
    y = dense(y, layer);
    if (i < layers.length - 1) y = gelu(y);
  });
  return y as tf.Tensor2D;
}

/** The head's layers as tensors. Call inside tf.tidy. */
export function headDense(head: ClassifierHead): Dense[] {
  return head.layers.map((l) => ({ kernel: tf.tensor2d(l.kernel, l.shape), bias: tf.tensor1d(l.bias) }));
}

export function encodeText(bert: Bert, text: string, where: string): Encoding {
  if (typeof text !== 'string' || text.trim() === '') throw new Error(`${where}: the text is empty`);
  return bert.tokenizer.encode(text);
}

/** The model's input for some encodings: padded with its [PAD]. */
export function padded(bert: Bert, encodings: Encoding[]): PaddedBatch {
  return padBatch(encodings, bert.tokenizer.padId);
}

/**
 * Runs `compute` over the encodings in batches of similar length (less
 * padding), reading each batch's rows back; returns rows in input order, or
 * null when `signal` stopped it.
 */
export async function batched(
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
    (batch) => sentenceBatch(bert, padded(bert, batch), pooling, unfrozen === undefined ? null : topFromHead(unfrozen, bert.config.layers)),
    (done) => options.onProgress?.(done, texts.length),
    options.signal,
  );
  if (rows === null) throw abortError('computing sentence features');
  return rows;
}
