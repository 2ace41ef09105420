/** Input embeddings: token + position + segment (token type), then LayerNorm (paper §3, Fig. 2). */
import * as tf from '@tensorflow/tfjs';
import { fast } from '../kernels';
import { layerNorm, type Norm } from './ops';

export interface EmbeddingWeights {
  word: tf.Tensor2D; // [vocab, H]
  position: tf.Tensor2D; // [maxPositions, H]
  tokenType: tf.Tensor2D; // [typeVocab, H]
  norm: Norm;
}

/**
 * ids, tokenTypes: [B, T] int32 → hidden [B, T, H]. tokenTypes null: all
 * segment 0, whose one embedding row is added to every token (a gather saved:
 * docs/performance.md#segment-zero).
 */
export function embed(w: EmbeddingWeights, ids: tf.Tensor2D, tokenTypes: tf.Tensor2D | null, eps: number): tf.Tensor3D {
  // The fused kernel has no gradient: under a gradient tape (pre-training) the textbook path runs.
  const fused = tf.engine().state.gradientDepth === 0 ? fast.embed(w, ids, tokenTypes, eps) : null;
  return fused ?? textbookEmbed(w, ids, tokenTypes, eps);
}

/**
 * Rows of `table` [N, H] picked by `ids` (any shape) → [...ids.shape, H]:
 * tf.gather, with the gradient written as a scatter-add (tf.scatterND sums
 * repeated ids) because tfjs's own needs UnsortedSegmentSum, which the wasm
 * backend lacks. Pre-training's embeddings and picked LM rows train through it.
 */
export const lookupRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [table, ids, save] = args as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
  save([ids]);
  return {
    value: tf.gather(table, ids),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [N, H] = table.shape;
      const flat = saved[0].reshape([-1, 1]);
      return [tf.scatterND(flat, (dy as tf.Tensor).reshape([-1, H]), [N, H]), tf.zerosLike(saved[0])];
    },
  };
}) as (table: tf.Tensor2D, ids: tf.Tensor) => tf.Tensor;

function textbookEmbed(w: EmbeddingWeights, ids: tf.Tensor2D, tokenTypes: tf.Tensor2D | null, eps: number): tf.Tensor3D {
  const T = ids.shape[1];
  const words = lookupRows(w.word, ids); // [B, T, H]
  const positions = w.position.slice([0, 0], [T, -1]); // [T, H], broadcast over the batch
  const segments = tokenTypes === null ? w.tokenType.slice([0, 0], [1, -1]) : lookupRows(w.tokenType, tokenTypes);
  return layerNorm(words.add(positions).add(segments), w.norm, eps) as tf.Tensor3D;
}
