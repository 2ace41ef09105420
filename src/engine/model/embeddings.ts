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
  return fast.embed(w, ids, tokenTypes, eps) ?? textbookEmbed(w, ids, tokenTypes, eps);
}

function textbookEmbed(w: EmbeddingWeights, ids: tf.Tensor2D, tokenTypes: tf.Tensor2D | null, eps: number): tf.Tensor3D {
  const T = ids.shape[1];
  const words = tf.gather(w.word, ids); // [B, T, H]
  const positions = w.position.slice([0, 0], [T, -1]); // [T, H], broadcast over the batch
  const segments = tokenTypes === null ? w.tokenType.slice([0, 0], [1, -1]) : tf.gather(w.tokenType, tokenTypes);
  return layerNorm(words.add(positions).add(segments), w.norm, eps) as tf.Tensor3D;
}
