/**
 * WordPiece, HF `WordpieceTokenizer` (Schuster & Nakajima 2012; Wu et al.
 * 2016): greedy longest-match-first against the vocabulary, continuation
 * pieces prefixed "##"; a word of more than 100 code points, or one with an
 * unmatchable remainder, becomes a single `[UNK]`.
 */

import { rangeOf, type Chars, type Offset, type TokenizedText } from './offsets';

/** HF `WordpieceTokenizer.max_input_chars_per_word`. */
export const MAX_INPUT_CHARS_PER_WORD = 100;

/** A vocabulary indexed for the greedy search. */
export interface WordPieceVocab {
  readonly tokenToId: ReadonlyMap<string, number>;
  /**
   * Longest vocabulary entry (code points, "##" not counted) per first
   * character, for word-initial and continuation pieces: caps the greedy
   * longest-match search so that it never builds candidates that cannot be
   * in the vocabulary (the result is unchanged, only cheaper).
   */
  readonly maxInitialChars: ReadonlyMap<string, number>;
  readonly maxContinuationChars: ReadonlyMap<string, number>;
}

export function indexVocab(vocab: readonly string[]): WordPieceVocab {
  const tokenToId = new Map<string, number>();
  const maxInitialChars = new Map<string, number>();
  const maxContinuationChars = new Map<string, number>();
  // Later duplicates win, as in HF `load_vocab` (a dict built line by line).
  vocab.forEach((token, id) => {
    tokenToId.set(token, id);
    // Any entry can match at a word start (even "##x", were a word to start
    // with "##"); only "##" entries can match inside a word.
    raiseCap(maxInitialChars, Array.from(token));
    if (token.startsWith('##')) raiseCap(maxContinuationChars, Array.from(token.slice(2)));
  });
  return { tokenToId, maxInitialChars, maxContinuationChars };
}

function raiseCap(caps: Map<string, number>, chars: string[]): void {
  if (chars.length === 0) return;
  caps.set(chars[0], Math.max(caps.get(chars[0]) ?? 0, chars.length));
}

/** Greedy longest-match-first WordPiece over chars[from, to), appended to `out`. */
export function wordPiece(vocab: WordPieceVocab, chars: Chars, from: number, to: number, out: TokenizedText): void {
  const length = to - from;
  if (length > MAX_INPUT_CHARS_PER_WORD) {
    out.tokens.push('[UNK]');
    out.offsets.push(rangeOf(chars, from, to));
    return;
  }
  // UTF-16 position of every character so candidates are plain slices.
  let word = '';
  const at: number[] = new Array<number>(length + 1);
  for (let k = 0; k < length; k++) {
    at[k] = word.length;
    word += chars.ch[from + k];
  }
  at[length] = word.length;

  const tokens: string[] = [];
  const offsets: Offset[] = [];
  let s = 0;
  while (s < length) {
    const caps = s > 0 ? vocab.maxContinuationChars : vocab.maxInitialChars;
    let e = Math.min(length, s + (caps.get(chars.ch[from + s]) ?? 0));
    let found: string | null = null;
    while (e > s) {
      const piece = s > 0 ? '##' + word.slice(at[s], at[e]) : word.slice(at[s], at[e]);
      if (vocab.tokenToId.has(piece)) {
        found = piece;
        break;
      }
      e--;
    }
    if (found === null) {
      // HF: one unmatchable remainder makes the whole word [UNK].
      out.tokens.push('[UNK]');
      out.offsets.push(rangeOf(chars, from, to));
      return;
    }
    tokens.push(found);
    offsets.push(rangeOf(chars, from + s, from + e));
    s = e;
  }
  for (let k = 0; k < tokens.length; k++) {
    out.tokens.push(tokens[k]);
    out.offsets.push(offsets[k]);
  }
}
