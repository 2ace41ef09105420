/**
 * Multi-head self-attention (Vaswani et al. 2017, §3.2): every token's query is
 * compared with every key it may see; the mask decides which it may see — all
 * of them in BERT (bidirectional), only those to its left in GPT (causal).
 */
import * as tf from '@tensorflow/tfjs';
import { batchMatMul, dense, inference, type Dense } from './ops';
import { fusedMatMul, splitQkv, splitQkvStacked, wasmGemm, wasmKernels } from '../kernels/wasm';

export interface AttentionWeights {
  query: Dense;
  key: Dense;
  value: Dense;
  output: Dense; // attention.output.dense
  /**
   * query, key and value side by side, [H, 3H]: one product instead of three.
   * BertModel makes it at load on the wasm backend (and frees it); weights
   * without it (fine-tuned layers) get it concatenated per call.
   */
  qkv?: Dense;
}

export type MaskMode = 'bidirectional' | 'causal';

/**
 * Additive mask [B, 1, T, T]: 0 where a query may look, -1e9 where it may not
 * (softmax turns -1e9 into an exact 0). Padding keys are hidden in both modes.
 * null when every query may see every key (bidirectional, no padding — every
 * single sentence): adding zeros would cost an op per layer for nothing.
 */
export function attentionMask(validLengths: number[], T: number, mode: MaskMode): tf.Tensor4D | null {
  if (mode === 'bidirectional' && validLengths.every((n) => n === T)) return null;
  return tf.tidy(() => {
    const keys = tf.range(0, T, 1, 'int32');
    const lengths = tf.tensor1d(validLengths, 'int32').reshape([-1, 1, 1, 1]);
    let visible = tf.less(keys.reshape([1, 1, 1, T]), lengths); // key is a real token
    if (mode === 'causal') {
      const queries = keys.reshape([T, 1]);
      const left = tf.lessEqual(keys.reshape([1, T]), queries).reshape([1, 1, T, T]); // key ≤ query
      visible = tf.logicalAnd(visible, left);
    }
    return tf.where(visible, tf.scalar(0), tf.scalar(-1e9)).broadcastTo([validLengths.length, 1, T, T]) as tf.Tensor4D;
  });
}

/**
 * x [B, T, H] → context [B, T, H] and attention_probs [B, heads, T, T]; with
 * `withValueNorms`, also ‖f_h(x_j)‖ [B, heads, T]: the size of what token j
 * would send through head h — its value vector after the head's slice of the
 * output projection. Attention weight × this norm is how much actually moves
 * (Kobayashi et al. 2020, "Attention is not only a weight").
 */
export function selfAttention(
  x: tf.Tensor3D,
  w: AttentionWeights,
  mask: tf.Tensor4D | null,
  heads: number,
  withValueNorms = false,
): { context: tf.Tensor3D; attentionProbs: tf.Tensor4D; valueNorms?: tf.Tensor3D } {
  const [B, T, H] = x.shape;
  const d = H / heads;
  if (B === 1 && tf.getBackend() === 'wasm') return oneSentence(x, w, mask, heads, withValueNorms);
  // (B, T, H) → (B, heads, T, d)
  const split = (t: tf.Tensor) => t.reshape([B, T, heads, d]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(dense(x, w.query));
  // Keys go straight to (B, heads, d, T), so Q·Kᵀ is a plain matMul: the per-head
  // 2-D products of batchMatMul would otherwise ask tfjs-wasm 4.22 for transposeB,
  // which it runs ~20× slower (measured: [128, 256]·[1024, 256]ᵀ 60 ms, plain 2.9 ms).
  const kT = dense(x, w.key).reshape([B, T, heads, d]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
  const values = dense(x, w.value); // (B, T, H): every head's value vector side by side
  const v = split(values);
  // Scale by 1/√d so the dot products do not grow with the head size (§3.2.1).
  const scaled = batchMatMul(q, kT).mul(1 / Math.sqrt(d));
  const scores = mask === null ? scaled : scaled.add(mask);
  const attentionProbs = tf.softmax(scores) as tf.Tensor4D; // (B, heads, T, T)
  const context = batchMatMul(attentionProbs, v).transpose([0, 2, 1, 3]).reshape([B, T, H]); // merge heads
  const valueNorms = withValueNorms ? sentNorms(values, w.output, heads) : undefined;
  return { context: dense(context, w.output) as tf.Tensor3D, attentionProbs, valueNorms };
}

/**
 * ‖f_h(x_j)‖ (B, heads, T) from the values (B, T, H), where f_h(x_j) =
 * v_h(j)·W_o[rows of head h]. All heads in one 2-D matMul: copy the values
 * once per head with the other heads' columns zeroed, so row (h, j) of that
 * block-diagonal matrix times W_o is exactly f_h(x_j). (Slicing W_o per head
 * instead copies all of it per slice on tfjs-wasm.)
 */
function sentNorms(values: tf.Tensor, output: Dense, heads: number): tf.Tensor3D {
  const [B, T, H] = values.shape;
  const own = headColumns(heads, H); // (heads, 1, H): 1 where column c belongs to head h
  const blocks = values.reshape([B, 1, T, H]).mul(own.reshape([1, heads, 1, H])); // (B, heads, T, H)
  const sent = dense(blocks, { kernel: output.kernel, bias: zeros(H) }); // (B, heads, T, H)
  return tf.sqrt(tf.sum(tf.square(sent), -1)) as tf.Tensor3D;
}

/**
 * Multiply-adds per head of Q·Kᵀ (T·T·d) from which one sentence on tfjs-wasm
 * multiplies head by head with 2-D products (XNNPACK) rather than in one
 * batched product (tfjs-wasm 4.22 runs batched products as plain loops): 16
 * tokens with heads of 64. Measured on the shipped model in Node, alternating
 * both paths, whole forward: batched 3.4 vs 3.8 ms at 6 tokens, level at 16,
 * head by head ahead from 24 (8.3 vs 9.0 ms) and far ahead at 96 (32 vs 48).
 */
const HEAD_BY_HEAD_MIN = 16 * 16 * 64;

/**
 * The same computation for one sentence on tfjs-wasm, with fewer, fused
 * kernels: one product for queries, keys and values, then one kernel
 * (wasmKernels.ts) copies out each head's blocks — keys as Kᵀ [d, T], queries
 * pre-scaled by 1/√d (T·H numbers instead of heads·T·T scores) — instead of
 * three products, reshapes and transposes. Longer sentences then go head by
 * head with 2-D products (the batched path's unstack would copy the whole
 * tensor once per head: 15 ms of a 96 ms forward at 128 tokens); shorter ones
 * take one batched product, which saves kernels where kernel overhead is most
 * of the time. Where gemm.wat runs, neither: its stacked product has none
 * of the batched product's overhead.
 */
function oneSentence(
  x: tf.Tensor3D,
  w: AttentionWeights,
  mask: tf.Tensor4D | null,
  heads: number,
  withValueNorms: boolean,
): { context: tf.Tensor3D; attentionProbs: tf.Tensor4D; valueNorms?: tf.Tensor3D } {
  const [, T, H] = x.shape;
  const d = H / heads;
  wasmKernels();
  const projected = dense(x.reshape([T, H]), w.qkv ?? concatQkv(w)) as tf.Tensor2D; // [T, 3H]
  const scale = 1 / Math.sqrt(d);
  const visible = mask === null ? null : mask.reshape([T, T]);
  const softmax = (scores: tf.Tensor) => tf.softmax(visible === null ? scores : scores.add(visible));
  let context: tf.Tensor;
  let attentionProbs: tf.Tensor;
  if (inference() && wasmGemm()) {
    // gemm.wat multiplies the whole stack of heads in one kernel, and writes
    // each head's context straight into its columns of [T, H].
    const { q, kT, v } = splitQkvStacked(projected, heads, scale);
    attentionProbs = softmax(fusedMatMul(q, kT)); // [heads, T, T]
    context = fusedMatMul(attentionProbs, v, { mergeHeads: true });
  } else if (T * T * d >= HEAD_BY_HEAD_MIN) {
    const { q, kT, v } = splitQkv(projected, heads, scale);
    const probs = q.map((qh, h) => softmax(tf.matMul(qh, kT[h])) as tf.Tensor2D);
    context = tf.concat(probs.map((p, h) => tf.matMul(p, v[h])), 1); // heads side by side again
    attentionProbs = tf.stack(probs);
  } else {
    const { q, kT, v } = splitQkvStacked(projected, heads, scale);
    attentionProbs = softmax(tf.matMul(q, kT)); // [heads, T, T]
    context = tf.matMul(attentionProbs, v).transpose([1, 0, 2]); // [T, heads, d]: heads side by side
  }
  return {
    context: dense(context.reshape([1, T, H]), w.output) as tf.Tensor3D,
    attentionProbs: attentionProbs.reshape([1, heads, T, T]) as tf.Tensor4D,
    valueNorms: withValueNorms ? sentNorms(projected.slice([0, 2 * H], [T, H]).reshape([1, T, H]), w.output, heads) : undefined,
  };
}

/** Query, key and value kernels side by side, [H, 3H], with their biases. */
export function concatQkv(w: AttentionWeights): Dense {
  return tf.tidy(() => ({
    kernel: tf.concat([w.query.kernel, w.key.kernel, w.value.kernel], 1) as tf.Tensor2D,
    bias: tf.concat([w.query.bias, w.key.bias, w.value.bias]) as tf.Tensor1D,
  }));
}

/** (heads, 1, H) 0/1 mask: column c belongs to head ⌊c / (H / heads)⌋. Built once per shape. */
const headColumnCache = new Map<string, tf.Tensor3D>();
function headColumns(heads: number, H: number): tf.Tensor3D {
  const key = `${tf.getBackend()}:${heads}:${H}`;
  let mask = headColumnCache.get(key);
  if (mask === undefined || mask.isDisposed) {
    const d = H / heads;
    const values = new Float32Array(heads * H);
    for (let h = 0; h < heads; h++) values.fill(1, h * H + h * d, h * H + (h + 1) * d);
    mask = tf.keep(tf.tensor3d(values, [heads, 1, H]));
    headColumnCache.set(key, mask);
  }
  return mask;
}

const zeroCache = new Map<string, tf.Tensor1D>();
function zeros(n: number): tf.Tensor1D {
  const key = `${tf.getBackend()}:${n}`;
  let z = zeroCache.get(key);
  if (z === undefined || z.isDisposed) {
    z = tf.keep(tf.zeros([n]) as tf.Tensor1D);
    zeroCache.set(key, z);
  }
  return z;
}
