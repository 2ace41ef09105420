/**
 * What sits on top of the encoder. Pre-training uses the masked-LM head (and a
 * pooler for next-sentence prediction); fine-tuning adds a small classifier on
 * the pooled [CLS] vector (paper §3.2 and Fig. 4).
 */
import * as tf from '@tensorflow/tfjs';
import { dense, denseGelu, layerNorm, type Dense, type Norm } from './ops';

export interface LmHeadWeights {
  transform: Dense;
  norm: Norm;
  /** [vocab, H]; the word-embedding matrix itself when the decoder is tied. */
  decoder: tf.Tensor2D;
  bias: tf.Tensor1D; // [vocab]
}

/** pooled = tanh(W·h[CLS] + b): hidden [B, T, H] → [B, H]. */
export function pool(hidden: tf.Tensor3D, pooler: Dense): tf.Tensor2D {
  const cls = hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]);
  return tf.tanh(dense(cls, pooler)) as tf.Tensor2D;
}

/** Scores over the vocabulary for some hidden vectors: [N, H] → [N, vocab]. */
export function lmLogits(hidden: tf.Tensor2D, w: LmHeadWeights, eps: number): tf.Tensor2D {
  const h = layerNorm(denseGelu(hidden, w.transform), w.norm, eps) as tf.Tensor2D;
  if (tf.engine().state.gradientDepth > 0) {
    // Under a gradient (pre-training): h·decoderᵀ as a dense layer, whose hand-written gradient is
    // plain products — tfjs-wasm ran the transposed ones of the line below ~20× slower (docs/performance.md#linear-gradient).
    return dense(h, { kernel: w.decoder.transpose(), bias: w.bias }) as tf.Tensor2D;
  }
  // h·decoderᵀ computed as (decoder·hᵀ)ᵀ: transposing the few rows of h is
  // cheap, the decoder is never copied (docs/performance.md#transposed-layouts).
  return tf.matMul(w.decoder, h.transpose()).transpose().add(w.bias) as tf.Tensor2D;
}

/** Classifier logits from pooled vectors: [B, H] → [B, labels]. */
export function classify(pooled: tf.Tensor2D, classifier: Dense): tf.Tensor2D {
  return dense(pooled, classifier) as tf.Tensor2D;
}
