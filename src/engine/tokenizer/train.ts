/**
 * Training a WordPiece vocabulary from a text, as Hugging Face `tokenizers`'
 * `WordPieceTrainer` does it — which is byte-pair encoding (Sennrich et al.
 * 2016) with a "##" continuation prefix, not the likelihood score of
 * Schuster & Nakajima 2012:
 *
 * 1. Words: the text goes through the tokenizer's own stages (`cleanText`,
 *    lower-casing, accents, the split on whitespace and punctuation:
 *    `preTokenize`), so training sees exactly the words WordPiece will later
 *    be asked to split. Each distinct word is counted.
 * 2. The alphabet: every character of those words, word-initially bare ("t")
 *    and as a continuation ("##t"). HF adds "##t" only where "t" occurred
 *    inside a word; both forms of every character are added here, so any
 *    word spelled with the text's characters (held-out text, a probe
 *    sentence) tokenizes without [UNK].
 * 3. Merges: each word is a row of pieces, "t ##h ##e"; the adjacent pair
 *    found most often (weighted by the word's count) becomes a new piece
 *    ("t" + "##h" → "th", "##h" + "##e" → "##he"), in every word, until the
 *    vocabulary has the size asked or no pair occurs `minFrequency` times.
 *    Ties go to the pair whose (left id, right id) is smallest, as in HF;
 *    ids follow the vocabulary's order, so the result is deterministic.
 *
 * The vocabulary: [PAD] [UNK] [CLS] [SEP] [MASK], the bare characters by
 * code point, the "##" characters by code point, then the merges in the
 * order they were made — a vocab.txt the loader (and Hugging Face) reads.
 * Tokenizing with it is the engine's greedy longest-match WordPiece.
 *
 * Cost: counting the words is linear in the text. Each merge visits only
 * the distinct words holding its pair (an index from pair to words), each in
 * time linear in the word's length, plus a heap operation per changed pair:
 * roughly O(text + merges × words-per-pair × word length × log pairs). Merges
 * of frequent pairs touch many words, later ones few; 1 MB of English and
 * 4,000 pieces take about a second in Node (test/vocabTrain.test.ts).
 */

import type { Chars, TokenizedText } from './offsets';
import type { TokenizerOptions } from './options';
import { preTokenize, type PreTokenizeOptions } from './pretokenize';
import { MAX_INPUT_CHARS_PER_WORD } from './wordpiece';

/** The special tokens, first in the vocabulary (the order of BERT's vocab.txt). */
export const TRAINED_VOCAB_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** Ids are packed two to a number as pair keys (left · 2^16 + right). */
const MAX_TRAINED_VOCAB = 0x10000;

export interface VocabTrainOptions {
  /** Pieces wanted, specials and alphabet included. */
  size: number;
  /** The tokenizer's lower-casing / accent / CJK settings (default uncased BERT): training must split words the same way. */
  tokenizer?: Pick<TokenizerOptions, 'doLowerCase' | 'stripAccents' | 'tokenizeChineseChars'>;
  /** A pair found fewer times is not merged (HF's `min_frequency`; HF's default 0 merges even pairs seen once). Default 2. */
  minFrequency?: number;
  /** Called now and then with the pieces so far and the size asked. */
  onProgress?: (pieces: number, size: number) => void;
}

export interface TrainedVocab {
  /** The vocabulary, id order: one line each of vocab.txt. */
  tokens: string[];
  /** Pieces that are special tokens or single characters (both forms). */
  alphabet: number;
  /** Distinct words counted, and all words. */
  distinctWords: number;
  words: number;
}

/** Train a WordPiece vocabulary of at most `size` pieces on `text` (see the file's comment). */
export function trainWordPieceVocab(text: string, options: VocabTrainOptions): TrainedVocab {
  const { size } = options;
  const minFrequency = options.minFrequency ?? 2;
  if (!Number.isInteger(size) || size < 1 || size > MAX_TRAINED_VOCAB) {
    throw new RangeError(`a vocabulary size must be a whole number from 1 to ${MAX_TRAINED_VOCAB} (got ${size})`);
  }
  const counts = countWords(text, options.tokenizer ?? {});
  if (counts.size === 0) throw new Error('there is no text to train a vocabulary on');

  // The alphabet, both forms of every character.
  const chars = new Set<string>();
  for (const word of counts.keys()) for (const c of word) chars.add(c);
  const sorted = [...chars].sort((a, b) => (a.codePointAt(0) as number) - (b.codePointAt(0) as number));
  const tokens: string[] = [...TRAINED_VOCAB_SPECIALS, ...sorted, ...sorted.map((c) => '##' + c)];
  const alphabet = tokens.length;
  if (size < alphabet) {
    throw new RangeError(
      `a vocabulary of ${size} pieces cannot hold this text's ${sorted.length} different characters ` +
        `(each alone and as "##" continuation) and ${TRAINED_VOCAB_SPECIALS.length} special tokens: ask for at least ${alphabet}`,
    );
  }
  const ids = new Map<string, number>(tokens.map((t, i) => [t, i]));

  // Each distinct word as a row of piece ids, "t ##h ##e".
  const words: Uint32Array[] = [];
  const weights: number[] = [];
  let total = 0;
  for (const [word, count] of counts) {
    const pieces = Array.from(word, (c, k) => ids.get(k === 0 ? c : '##' + c) as number);
    words.push(Uint32Array.from(pieces));
    weights.push(count);
    total += count;
  }

  const pairs = new PairCounts();
  words.forEach((w, i) => pairs.addWord(w, i, weights[i]));
  const heap = new PairHeap();
  for (const [key, count] of pairs.counts) heap.push(count, key);

  options.onProgress?.(tokens.length, size);
  while (tokens.length < size) {
    const top = heap.pop();
    if (top === null) break;
    const current = pairs.counts.get(top.key) ?? 0;
    if (current !== top.count) {
      // Stale: the pair lost occurrences to earlier merges. Gains are pushed when they happen.
      if (current > 0 && current < top.count) heap.push(current, top.key);
      continue;
    }
    if (current < minFrequency) break;
    const left = Math.floor(top.key / MAX_TRAINED_VOCAB);
    const right = top.key % MAX_TRAINED_VOCAB;
    const merged = tokens[left] + tokens[right].slice(2);
    // The same string can come from two different pairs ("th" + "##e", "t" + "##he"): one id for both, as in HF.
    let id = ids.get(merged);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(merged);
      ids.set(merged, id);
    }
    const gained = new Set<number>();
    for (const i of pairs.wordsWith(top.key)) {
      const next = mergePair(words[i], left, right, id);
      if (next === words[i]) continue; // indexed before an earlier merge took the pair away
      pairs.removeWord(words[i], weights[i]);
      words[i] = next;
      pairs.addWord(next, i, weights[i], gained);
    }
    pairs.forget(top.key);
    // Only pairs with the new piece can have gained (the word's other pairs were taken away and put back).
    for (const key of gained) {
      if (Math.floor(key / MAX_TRAINED_VOCAB) === id || key % MAX_TRAINED_VOCAB === id) heap.push(pairs.counts.get(key) ?? 0, key);
    }
    if (tokens.length % 100 === 0) options.onProgress?.(tokens.length, size);
  }
  options.onProgress?.(tokens.length, size);
  return { tokens, alphabet, distinctWords: counts.size, words: total };
}

/**
 * Every word of `text` that WordPiece would be asked to split, counted. The
 * text is fed a line at a time (a line end is whitespace, so nothing the
 * stages do reaches across it) to keep the per-character arrays small.
 */
function countWords(text: string, settings: VocabTrainOptions['tokenizer'] & object): Map<string, number> {
  const options: PreTokenizeOptions = {
    doLowerCase: settings.doLowerCase ?? true,
    stripAccents: settings.stripAccents ?? null,
    tokenizeChineseChars: settings.tokenizeChineseChars ?? true,
    // Typed special tokens are not kept whole here: "[MASK]" in a class's text is punctuation and a word.
    neverSplit: new Set(),
    userNeverSplit: new Set(),
  };
  const counts = new Map<string, number>();
  const unused: TokenizedText = { tokens: [], offsets: [] };
  const count = (chars: Chars, from: number, to: number): void => {
    // Longer words are one [UNK] whatever the vocabulary holds.
    if (to - from > MAX_INPUT_CHARS_PER_WORD) return;
    let word = '';
    for (let k = from; k < to; k++) word += chars.ch[k];
    counts.set(word, (counts.get(word) ?? 0) + 1);
  };
  let from = 0;
  while (from < text.length) {
    let to = text.indexOf('\n', from);
    if (to < 0) to = text.length;
    if (to > from) preTokenize(text, from, to, options, count, unused);
    from = to + 1;
  }
  return counts;
}

/** `word` with every (left, right) pair, left to right, replaced by `id`; the same array when there was none. */
function mergePair(word: Uint32Array, left: number, right: number, id: number): Uint32Array {
  const out: number[] = [];
  let changed = false;
  for (let k = 0; k < word.length; k++) {
    if (k + 1 < word.length && word[k] === left && word[k + 1] === right) {
      out.push(id);
      k++;
      changed = true;
    } else {
      out.push(word[k]);
    }
  }
  return changed ? Uint32Array.from(out) : word;
}

/** How often each adjacent pair occurs (weighted by word counts), and which words hold it. */
class PairCounts {
  readonly counts = new Map<number, number>();
  private readonly where = new Map<number, Set<number>>();

  addWord(word: Uint32Array, index: number, weight: number, gained?: Set<number>): void {
    for (let k = 0; k + 1 < word.length; k++) {
      const key = word[k] * MAX_TRAINED_VOCAB + word[k + 1];
      this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
      let set = this.where.get(key);
      if (set === undefined) this.where.set(key, (set = new Set()));
      set.add(index);
      gained?.add(key);
    }
  }

  /** Takes the word's pairs away (its index stays listed: `mergePair` finds nothing there and it is skipped). */
  removeWord(word: Uint32Array, weight: number): void {
    for (let k = 0; k + 1 < word.length; k++) {
      const key = word[k] * MAX_TRAINED_VOCAB + word[k + 1];
      const left = (this.counts.get(key) ?? 0) - weight;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    }
  }

  wordsWith(key: number): number[] {
    return [...(this.where.get(key) ?? [])];
  }

  forget(key: number): void {
    this.counts.delete(key);
    this.where.delete(key);
  }
}

/** A binary max-heap of (count, pair key): the highest count first, on a tie the smallest key (smallest left id, then right). */
class PairHeap {
  private readonly countOf: number[] = [];
  private readonly keyOf: number[] = [];

  push(count: number, key: number): void {
    if (count <= 0) return;
    this.countOf.push(count);
    this.keyOf.push(key);
    let i = this.countOf.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): { count: number; key: number } | null {
    const n = this.countOf.length;
    if (n === 0) return null;
    const top = { count: this.countOf[0], key: this.keyOf[0] };
    this.swap(0, n - 1);
    this.countOf.pop();
    this.keyOf.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.countOf.length && this.before(l, best)) best = l;
      if (r < this.countOf.length && this.before(r, best)) best = r;
      if (best === i) return top;
      this.swap(i, best);
      i = best;
    }
  }

  private before(a: number, b: number): boolean {
    return this.countOf[a] !== this.countOf[b] ? this.countOf[a] > this.countOf[b] : this.keyOf[a] < this.keyOf[b];
  }

  private swap(a: number, b: number): void {
    [this.countOf[a], this.countOf[b]] = [this.countOf[b], this.countOf[a]];
    [this.keyOf[a], this.keyOf[b]] = [this.keyOf[b], this.keyOf[a]];
  }
}
