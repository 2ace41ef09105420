/**
 * Multi-head self-attention (Vaswani et al. 2017, §3.2): every token's query is
 * compared with every key it may see; the mask decides which it may see — all
 * of them in BERT (bidirectional), only those to its left in GPT (causal).
 */
import * as tf from '@tensorflow/tfjs';
import { dense, type Dense } from './ops';

export interface AttentionWeights {
  query: Dense;
  key: Dense;
  value: Dense;
  output: Dense; // attention.output.dense
}

export type MaskMode = 'bidirectional' | 'causal';

/**
 * Additive mask [B, 1, T, T]: 0 where a query may look, -1e9 where it may not
 * (softmax turns -1e9 into an exact 0). Padding keys are hidden in both modes.
 */
export function attentionMask(validLengths: number[], T: number, mode: MaskMode): tf.Tensor4D {
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
  mask: tf.Tensor4D,
  heads: number,
  withValueNorms = false,
): { context: tf.Tensor3D; attentionProbs: tf.Tensor4D; valueNorms?: tf.Tensor3D } {
  const [B, T, H] = x.shape;
  const d = H / heads;
  // (B, T, H) → (B, heads, T, d)
  const split = (t: tf.Tensor) => t.reshape([B, T, heads, d]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(dense(x, w.query));
  const k = split(dense(x, w.key));
  const v = split(dense(x, w.value));
  // Scale by 1/√d so the dot products do not grow with the head size (§3.2.1).
  const scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(d)).add(mask);
  const attentionProbs = tf.softmax(scores) as tf.Tensor4D; // (B, heads, T, T)
  const context = tf.matMul(attentionProbs, v).transpose([0, 2, 1, 3]).reshape([B, T, H]); // merge heads
  let valueNorms: tf.Tensor3D | undefined;
  if (withValueNorms) {
    // Rows h·d … (h+1)·d of the output kernel [H, H] belong to head h: (heads, d, H).
    const perHead = w.output.kernel.reshape([1, heads, d, H]).tile([B, 1, 1, 1]) as tf.Tensor4D;
    const sent = tf.matMul(v, perHead); // (B, heads, T, H)
    valueNorms = tf.sqrt(tf.sum(tf.square(sent), -1)) as tf.Tensor3D;
  }
  return { context: dense(context, w.output) as tf.Tensor3D, attentionProbs, valueNorms };
}
