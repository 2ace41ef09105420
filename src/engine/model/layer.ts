/**
 * One Transformer encoder layer as BERT has it: attention, add & LayerNorm,
 * feed-forward with GELU, add & LayerNorm (post-LN, as in the original paper).
 */
import type * as tf from '@tensorflow/tfjs';
import { selfAttention, type AttentionWeights } from './attention';
import { addLayerNorm, dense, denseGelu, type Dense, type Norm } from './ops';

export interface LayerWeights {
  attention: AttentionWeights;
  attentionNorm: Norm;
  intermediate: Dense; // H → 4H
  output: Dense; // 4H → H
  outputNorm: Norm;
}

export function encoderLayer(
  x: tf.Tensor3D,
  w: LayerWeights,
  mask: tf.Tensor4D | null,
  heads: number,
  eps: number,
  withValueNorms = false,
): { hidden: tf.Tensor3D; attentionProbs: tf.Tensor4D; valueNorms?: tf.Tensor3D } {
  const { context, attentionProbs, valueNorms } = selfAttention(x, w.attention, mask, heads, withValueNorms); // (B, T, H)
  const attended = addLayerNorm(context, x, w.attentionNorm, eps); // add & norm
  const ffn = dense(denseGelu(attended, w.intermediate), w.output); // (B, T, 4H) → (B, T, H)
  return { hidden: addLayerNorm(ffn, attended, w.outputNorm, eps) as tf.Tensor3D, attentionProbs, valueNorms }; // add & norm
}
