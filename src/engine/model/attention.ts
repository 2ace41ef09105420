/**
 * Multi-head self-attention (Vaswani et al. 2017, §3.2): every token's query is
 * compared with every key it may see; the mask decides which it may see — all
 * of them in BERT (bidirectional), only those to its left in GPT (causal).
 */
import * as tf from '@tensorflow/tfjs';
import { fast } from '../kernels';
import { dense, matMul, type Dense } from './ops';

export interface AttentionWeights {
  query: Dense;
  key: Dense;
  value: Dense;
  output: Dense; // attention.output.dense
  /** query, key and value side by side, [H, 3H], for the wasm fast path: made at load by kernels' prepareWeights. */
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
  const { context, attentionProbs, values } = fast.attention(x, w, mask, heads) ?? multiHead(x, w, mask, heads);
  return {
    context: dense(context, w.output) as tf.Tensor3D, // (B, T, H)
    attentionProbs,
    valueNorms: withValueNorms ? valueNorms(values(), w.output, heads) : undefined,
  };
}

/** Multi-head attention up to the output projection. */
export interface HeadsOutput {
  context: tf.Tensor3D; // (B, T, H): every head's context side by side
  attentionProbs: tf.Tensor4D; // (B, heads, T, T)
  values: () => tf.Tensor3D; // (B, T, H): every head's value vectors, made only when asked
}

/** Q, K, V projections → split heads → softmax(QKᵀ/√d + mask) → context → merge heads. */
function multiHead(x: tf.Tensor3D, w: AttentionWeights, mask: tf.Tensor4D | null, heads: number): HeadsOutput {
  const [B, T, H] = x.shape;
  const d = H / heads;
  // (B, T, H) → (B, heads, T, d)
  const split = (t: tf.Tensor) => t.reshape([B, T, heads, d]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  const q = split(dense(x, w.query));
  // Keys straight to (B, heads, d, T), so Q·Kᵀ is a plain product (docs/performance.md#transposed-layouts).
  const kT = dense(x, w.key).reshape([B, T, heads, d]).transpose([0, 2, 3, 1]) as tf.Tensor4D;
  const values = dense(x, w.value) as tf.Tensor3D; // (B, T, H): every head's value vector side by side
  const v = split(values);
  // Scale by 1/√d so the dot products do not grow with the head size (§3.2.1).
  const scaled = matMul(q, kT).mul(1 / Math.sqrt(d)); // (B, heads, T, T)
  const scores = mask === null ? scaled : scaled.add(mask);
  const attentionProbs = tf.softmax(scores) as tf.Tensor4D; // (B, heads, T, T)
  const context = matMul(attentionProbs, v).transpose([0, 2, 1, 3]).reshape([B, T, H]) as tf.Tensor3D; // merge heads
  return { context, attentionProbs, values: () => values };
}

/**
 * ‖f_h(x_j)‖ (B, heads, T) from the values (B, T, H), where f_h(x_j) =
 * v_h(j)·W_o[rows of head h]. All heads in one 2-D matMul: copy the values
 * once per head with the other heads' columns zeroed, so row (h, j) of that
 * block-diagonal matrix times W_o is exactly f_h(x_j), without slicing W_o
 * per head (docs/performance.md#value-norms).
 */
function valueNorms(values: tf.Tensor3D, output: Dense, heads: number): tf.Tensor3D {
  const [B, T, H] = values.shape;
  const own = headColumns(heads, H); // (heads, 1, H): 1 where column c belongs to head h
  const blocks = values.reshape([B, 1, T, H]).mul(own.reshape([1, heads, 1, H])); // (B, heads, T, H)
  const sent = dense(blocks, { kernel: output.kernel, bias: zeros(H) }); // (B, heads, T, H)
  return tf.sqrt(tf.sum(tf.square(sent), -1)) as tf.Tensor3D;
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
