/**
 * What fitting the model's positions cut from a training set, for both
 * methods' reports (a head's and a prompt's): how many training and held-out
 * examples lost text, and how much.
 */
import type { Encoding } from '../../tokenizer/tokenizer';

export interface TruncationReport {
  /** Training examples that were cut. */
  train: number;
  /** Held-out examples that were cut. */
  validation: number;
  /**
   * Characters (UTF-16 code units) cut from all of them together: each
   * example's text after its last kept piece (Encoding.droppedChars). The
   * tokenizer stops reading once the positions are full, so the pieces that
   * text would have made are not counted.
   */
  droppedChars: number;
}

export function truncationReport(encodings: readonly Encoding[], split: { train: number[]; validation: number[] }): TruncationReport {
  const cut = (indices: number[]) => indices.filter((i) => encodings[i].truncated).length;
  return {
    train: cut(split.train),
    validation: cut(split.validation),
    droppedChars: encodings.reduce((sum, e) => sum + e.droppedChars, 0),
  };
}
