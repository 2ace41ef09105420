/**
 * The language-model head's scores read as guesses: softmax over the
 * vocabulary, then the k most probable tokens, decoded to their strings.
 */
import type { WordPieceTokenizer } from '../tokenizer/tokenizer';
import { softmax, topIndices } from '../util/softmax';

export interface Prediction {
  token: string;
  id: number;
  /** Softmax probability over the whole vocabulary. */
  score: number;
}

/** The k most probable tokens for one row of LM scores, best first. */
export function topK(tokenizer: WordPieceTokenizer, logits: Float32Array, k: number): Prediction[] {
  const probs = softmax(logits);
  return topIndices(logits, k).map((id) => ({ token: tokenizer.idToToken(id), id, score: probs[id] }));
}
