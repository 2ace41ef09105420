/**
 * Pre-tokenisation, HF `BasicTokenizer`: clean and normalise the text
 * (`normalize.ts`), split it on whitespace, keep `never_split` words whole,
 * normalise each other word, split off every punctuation character
 * (`chars.ts`), and hand each remaining run to WordPiece.
 */

import { isPunctuation, isSplitSpace } from './chars';
import { cleanText, normalizeWord, type NormalizeOptions } from './normalize';
import { rangeOf, type Chars, type TokenizedText } from './offsets';

export interface PreTokenizeOptions extends NormalizeOptions {
  /** HF `never_split`: the special tokens and the user's words, neither lower-cased nor split. */
  readonly neverSplit: ReadonlySet<string>;
  /** The user's `never_split` words: emitted as-is, bypassing WordPiece (HF `_tokenize`). */
  readonly userNeverSplit: ReadonlySet<string>;
}

/** The next stage: WordPiece tokens of chars[from, to), appended to `out`. */
export type WordPieceStep = (chars: Chars, from: number, to: number, out: TokenizedText) => void;

/** HF BasicTokenizer then `wordPiece` on text[from, to) (no typed special tokens inside). */
export function preTokenize(
  text: string,
  from: number,
  to: number,
  options: PreTokenizeOptions,
  wordPiece: WordPieceStep,
  out: TokenizedText,
): void {
  const chars = cleanText(text, from, to, options);
  const n = chars.ch.length;
  let k = 0;
  while (k < n) {
    if (isSplitSpace(chars.ch[k])) {
      k++;
      continue;
    }
    let e = k + 1;
    while (e < n && !isSplitSpace(chars.ch[e])) e++;
    splitWord(chars, k, e, options, wordPiece, out);
    k = e;
  }
}

/** One whitespace-delimited word: lower-case, strip accents, split punctuation, WordPiece. */
function splitWord(
  chars: Chars,
  from: number,
  to: number,
  options: PreTokenizeOptions,
  wordPiece: WordPieceStep,
  out: TokenizedText,
): void {
  let word = '';
  let ascii = true;
  for (let k = from; k < to; k++) {
    word += chars.ch[k];
    if (chars.cp[k] >= 0x80) ascii = false;
  }
  if (options.neverSplit.has(word)) {
    if (options.userNeverSplit.has(word)) {
      out.tokens.push(word);
      out.offsets.push(rangeOf(chars, from, to));
    } else {
      wordPiece(chars, from, to, out);
    }
    return;
  }

  const normalized = ascii ? null : normalizeWord(chars, from, to, options);
  const current = normalized ?? chars;
  const start = normalized === null ? from : 0;
  const end = normalized === null ? to : normalized.ch.length;

  // Split off punctuation, then WordPiece each run.
  let runStart = start;
  for (let k = start; k < end; k++) {
    if (isPunctuation(current.cp[k], current.ch[k])) {
      if (k > runStart) wordPiece(current, runStart, k, out);
      wordPiece(current, k, k + 1, out);
      runStart = k + 1;
    }
  }
  if (end > runStart) wordPiece(current, runStart, end, out);
}
