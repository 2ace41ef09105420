/**
 * Offsets: every token carries [start, end) into the ORIGINAL string in
 * UTF-16 code units (what JS `slice` and the UI's highlighting use).
 *
 * Internally each character of the normalised text remembers the original
 * range it came from (`Chars`). Rule: a step that maps characters
 * one-to-(zero or more) (cleaning, lower-casing, accent stripping of a
 * precomposed letter) passes the source character's range on to each output
 * character. A step that merges or reorders characters (NFC composing
 * "e"+U+0301 into "é", NFD reordering marks) gives every output character of
 * the affected "cluster" — a starter plus the combining marks (and Hangul
 * medial/final jamo) that follow it — the range of the whole cluster. A
 * token's offsets are then [min start, max end] over its characters.
 * Consequence: two word pieces cut from inside one such cluster share its range.
 */

import { continuesCluster } from './chars';

/** Half-open [start, end) range in UTF-16 code units of the original text. */
export type Offset = [number, number];

/** Tokens with their offsets, before [CLS]/[SEP] are added. */
export interface TokenizedText {
  tokens: string[];
  offsets: Offset[];
}

/**
 * The first pieces of a text, read only as far as needed (`tokenizePrefix`):
 * they are exactly the first pieces `tokenize` gives; `complete` says whether
 * they are all of them.
 */
export interface TokenizedPrefix extends TokenizedText {
  /** False when reading stopped early: the text from `read` on was not tokenized. */
  complete: boolean;
  /** UTF-16 code units of the text read (its length when complete). */
  read: number;
  /** Length of the text the offsets point into (what was cut is measured against it). */
  textLength: number;
}

/** Characters (one code point each) with the original range they came from. */
export interface Chars {
  ch: string[];
  cp: number[];
  start: number[];
  end: number[];
}

export function emptyChars(): Chars {
  return { ch: [], cp: [], start: [], end: [] };
}

export function pushChar(out: Chars, ch: string, cp: number, start: number, end: number): void {
  out.ch.push(ch);
  out.cp.push(cp);
  out.start.push(start);
  out.end.push(end);
}

/** Push every code point of `text`, all with the same original range. */
export function pushString(out: Chars, text: string, start: number, end: number): void {
  for (const c of text) pushChar(out, c, c.codePointAt(0) as number, start, end);
}

/** The original range covered by chars[from, to): [min start, max end]. */
export function rangeOf(chars: Chars, from: number, to: number): Offset {
  let start = chars.start[from];
  let end = chars.end[from];
  for (let k = from + 1; k < to; k++) {
    if (chars.start[k] < start) start = chars.start[k];
    if (chars.end[k] > end) end = chars.end[k];
  }
  return [start, end];
}

/**
 * Apply a string transform cluster by cluster (see `continuesCluster`),
 * keeping per-character ranges where the transform acts character by
 * character and giving the whole cluster's range to its output otherwise.
 * `perCharIsExact(cp)` lets callers skip the comparison for characters the
 * transform provably leaves alone (the common ASCII case).
 */
export function mapClusters(
  input: Chars,
  from: number,
  to: number,
  transform: (s: string) => string,
  transformChar: (ch: string) => string,
  perCharIsExact: (cp: number) => boolean,
  out: Chars,
): void {
  let i = from;
  while (i < to) {
    let j = i + 1;
    while (j < to && continuesCluster(input.cp[j], input.ch[j])) j++;
    if (j === i + 1) {
      // A lone character: nothing to merge, so its output keeps its range.
      if (perCharIsExact(input.cp[i])) pushChar(out, input.ch[i], input.cp[i], input.start[i], input.end[i]);
      else pushString(out, transformChar(input.ch[i]), input.start[i], input.end[i]);
      i = j;
      continue;
    }
    let perChar = '';
    const pieces: string[] = [];
    for (let k = i; k < j; k++) {
      const piece = transformChar(input.ch[k]);
      pieces.push(piece);
      perChar += piece;
    }
    let cluster = '';
    for (let k = i; k < j; k++) cluster += input.ch[k];
    const whole = transform(cluster);
    if (whole === perChar) {
      for (let k = i; k < j; k++) pushString(out, pieces[k - i], input.start[k], input.end[k]);
    } else {
      let start = input.start[i];
      let end = input.end[i];
      for (let k = i + 1; k < j; k++) {
        start = Math.min(start, input.start[k]);
        end = Math.max(end, input.end[k]);
      }
      pushString(out, whole, start, end);
    }
    i = j;
  }
}
