/**
 * Self-attention for one sentence on tfjs-wasm, with fewer, fused kernels
 * (docs/performance.md#one-sentence-attention): one product for queries, keys
 * and values, then one kernel (wasmFused.ts) copies out each head's blocks —
 * keys as Kᵀ [d, T], queries pre-scaled by 1/√d — instead of three products,
 * reshapes and transposes. Then, where gemm.wat runs, its stacked product for
 * all heads at once; else longer sentences go head by head with 2-D products
 * and shorter ones take one batched product. The same computation as
 * model/attention.ts's, which a test checks.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionWeights, HeadsOutput } from '../model/attention';
import type { Dense } from '../model/ops';
import { fastDense, inference } from './products';
import { splitQkv, splitQkvStacked, wasmKernels } from './wasmFused';
import { fusedMatMul, wasmGemm } from './wasmGemm';

/**
 * Multiply-adds per head of Q·Kᵀ (T·T·d) from which one sentence goes head by
 * head rather than in one batched product: 16 tokens with heads of 64
 * (docs/performance.md#one-sentence-attention).
 */
const HEAD_BY_HEAD_MIN = 16 * 16 * 64;

/** x [1, T, H] → each head's context side by side [1, T, H] and attention_probs [1, heads, T, T]. */
export function oneSentence(x: tf.Tensor3D, w: AttentionWeights, mask: tf.Tensor4D | null, heads: number): HeadsOutput {
  const [, T, H] = x.shape;
  const d = H / heads;
  wasmKernels(); // registers the split kernel
  const rows = x.reshape([T, H]) as tf.Tensor2D;
  const qkv = w.qkv ?? concatQkv(w);
  const projected = fastDense(rows, qkv, 'none') ?? (tf.fused.matMul({ a: rows, b: qkv.kernel, bias: qkv.bias }) as tf.Tensor2D); // [T, 3H]
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
    context: context.reshape([1, T, H]) as tf.Tensor3D,
    attentionProbs: attentionProbs.reshape([1, heads, T, T]) as tf.Tensor4D,
    values: () => projected.slice([0, 2 * H], [T, H]).reshape([1, T, H]) as tf.Tensor3D,
  };
}

/** Query, key and value kernels side by side, [H, 3H], with their biases. */
export function concatQkv(w: AttentionWeights): Dense {
  return tf.tidy(() => ({
    kernel: tf.concat([w.query.kernel, w.key.kernel, w.value.kernel], 1) as tf.Tensor2D,
    bias: tf.concat([w.query.bias, w.key.bias, w.value.bias]) as tf.Tensor1D,
  }));
}
