/**
 * A text as fixed-length training windows, and the seeded order in which
 * both models see them. Each window is `[CLS]` + length−2 consecutive pieces
 * of one document + `[SEP]` (the shipped models' "document sentences" format
 * without padding): every batch is a full [B, T] block, so no padding mask.
 */
import type { WordPieceTokenizer } from '../../tokenizer/tokenizer';
import { prng, shuffle } from '../../util/prng';

export interface TokenWindows {
  /** Pieces per window, [CLS] and [SEP] included. */
  length: number;
  /** Each window's ids, [CLS] … [SEP]. */
  windows: number[][];
  /** Pieces read (all documents, before cutting into windows). */
  pieces: number;
}

/**
 * Documents are separated by blank lines (as tools/pretrain writes its text);
 * each is tokenised on its own and cut into windows of length−2 pieces; a
 * document's tail shorter than a window is dropped. Text with no blank line
 * is one document.
 */
export function tokenWindows(tokenizer: WordPieceTokenizer, text: string, length: number): TokenWindows {
  if (!Number.isInteger(length) || length < 4) throw new Error(`window length must be an integer ≥ 4 (got ${length})`);
  const inner = length - 2;
  const windows: number[][] = [];
  let pieces = 0;
  for (const doc of text.split(/\n\s*\n/)) {
    if (doc.trim() === '') continue;
    const ids = tokenizer.convertTokensToIds(tokenizer.tokenize(doc).tokens);
    pieces += ids.length;
    for (let at = 0; at + inner <= ids.length; at += inner) {
      windows.push([tokenizer.clsId, ...ids.slice(at, at + inner), tokenizer.sepId]);
    }
  }
  return { length, windows, pieces };
}

/**
 * Batch number `step` of an endless stream of epochs: each epoch is a seeded
 * permutation of all windows (epoch e shuffled with seed·1000003 + e), read
 * B at a time, running on into the next epoch. Any step can be asked for in
 * any order: a resumed or replayed run sees the same batches.
 */
export class BatchOrder {
  private readonly epochs = new Map<number, number[]>();

  constructor(
    private readonly count: number,
    readonly batchSize: number,
    private readonly seed: number,
  ) {
    if (count < 1) throw new Error('the training text is too short for one window');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be a positive integer (got ${batchSize})`);
  }

  /** Indices of the windows in batch `step`. */
  indices(step: number): number[] {
    const out: number[] = [];
    for (let k = step * this.batchSize; out.length < this.batchSize; k++) {
      const epoch = Math.floor(k / this.count);
      out.push(this.order(epoch)[k % this.count]);
    }
    return out;
  }

  /** Passes over the training windows completed after `steps` batches. */
  epochsAfter(steps: number): number {
    return (steps * this.batchSize) / this.count;
  }

  private order(epoch: number): number[] {
    let o = this.epochs.get(epoch);
    if (o === undefined) {
      if (this.epochs.size >= 2) this.epochs.delete(Math.min(...this.epochs.keys())); // at most two epochs kept
      o = shuffle(Array.from({ length: this.count }, (_, i) => i), prng(this.seed * 1000003 + epoch));
      this.epochs.set(epoch, o);
    }
    return o;
  }
}

/**
 * A pasted text split into training and held-out parts, for when no held-out
 * text comes with it: every `every`-th document (blank-line separated) is held
 * out — or, with fewer than 2·`every` documents, every `every`-th line — so
 * both parts sample the whole text. Documents come back blank-line separated.
 */
export function holdOut(text: string, every = 10): { train: string; heldOut: string } {
  if (!Number.isInteger(every) || every < 2) throw new Error(`every must be an integer ≥ 2 (got ${every})`);
  const docs = text.split(/\n\s*\n/).filter((d) => d.trim() !== '');
  const units = docs.length >= 2 * every ? docs : text.split('\n').filter((l) => l.trim() !== '');
  const pick = (held: boolean) => units.filter((_, i) => (i % every === every - 1) === held).join('\n\n');
  return { train: pick(false), heldOut: pick(true) };
}
