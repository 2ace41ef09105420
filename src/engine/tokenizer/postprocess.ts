/**
 * Post-processing, HF's `build_inputs_with_special_tokens` and friends:
 * `[CLS] a [SEP]` or `[CLS] a [SEP] b [SEP]` with token types, masks and
 * offsets, truncated first to fit the model's length.
 */

import type { Offset, TokenizedPrefix } from './offsets';

export interface Encoding {
  tokens: string[];
  ids: number[];
  /** Segment embedding index: 0 for `[CLS] a [SEP]`, 1 for `b [SEP]`. */
  tokenTypeIds: number[];
  /** All 1: `encode` never pads. */
  attentionMask: number[];
  /** 1 for [CLS]/[SEP] added by `encode`, 0 otherwise (typed specials are text). */
  specialTokensMask: number[];
  /** Which input a token came from (offsets index into it); null for added [CLS]/[SEP]. */
  sequenceIds: (0 | 1 | null)[];
  /** Offsets into `text` (sequence 0) or `pair` (sequence 1); [0, 0] for added specials. */
  offsets: Offset[];
  /**
   * True when text was cut: pieces dropped to fit `maxLength`, or text left
   * unread past the tokenizer's read limit (`readLimitChars`).
   */
  truncated: boolean;
  /**
   * UTF-16 code units of the input after the last kept piece, summed over
   * `text` and `pair`, counting only a side that was cut (0 when nothing was):
   * what the page reports as cut. `text.slice(text.length - droppedChars)` is
   * the cut part of a single text.
   */
  droppedChars: number;
}

/**
 * HF's "longest_first" truncation: remove `excess` tokens one at a time from
 * the end of whichever segment is currently longer, the second one on a tie
 * (always the first when there is no pair). Returns the kept lengths.
 */
export function truncateLongestFirst(lenA: number, lenB: number | null, excess: number): [number, number] {
  let a = lenA;
  let b = lenB ?? 0;
  for (let k = 0; k < excess; k++) {
    if (lenB === null || a > b) a--;
    else b--;
  }
  return [a, b];
}

/**
 * Truncate `a` (and `pair`) to `maxLength` tokens in all, and add [CLS]/[SEP].
 * A side read only in part (`complete` false) must hold at least
 * `maxLength - 2` pieces unless its reading stopped at the character limit:
 * longest-first keeps at most `maxLength - 3` pieces of a side in a pair
 * (`maxLength - 2` alone), so it keeps what it would keep of the whole side
 * (test/bounds.test.ts checks the counts); `truncated` is then true.
 */
export function addSpecialTokens(
  a: TokenizedPrefix,
  pair: TokenizedPrefix | null,
  maxLength: number,
  tokenToId: (token: string) => number,
): Encoding {
  const specials = pair === null ? 2 : 3;
  if (!Number.isInteger(maxLength) || maxLength < specials) {
    throw new RangeError(`maxLength ${maxLength} leaves no room for ${specials} special tokens`);
  }
  const excess = a.tokens.length + (pair === null ? 0 : pair.tokens.length) + specials - maxLength;
  const [lenA, lenB] = truncateLongestFirst(a.tokens.length, pair === null ? null : pair.tokens.length, excess);

  const enc: Encoding = {
    tokens: [],
    ids: [],
    tokenTypeIds: [],
    attentionMask: [],
    specialTokensMask: [],
    sequenceIds: [],
    offsets: [],
    truncated: excess > 0 || !a.complete || (pair !== null && !pair.complete),
    droppedChars: dropped(a, lenA) + (pair === null ? 0 : dropped(pair, lenB)),
  };
  const add = (token: string, typeId: number, seq: 0 | 1 | null, offset: Offset): void => {
    enc.tokens.push(token);
    enc.ids.push(tokenToId(token));
    enc.tokenTypeIds.push(typeId);
    enc.attentionMask.push(1);
    enc.specialTokensMask.push(seq === null ? 1 : 0);
    enc.sequenceIds.push(seq);
    enc.offsets.push(offset);
  };
  add('[CLS]', 0, null, [0, 0]);
  for (let k = 0; k < lenA; k++) add(a.tokens[k], 0, 0, a.offsets[k]);
  add('[SEP]', 0, null, [0, 0]);
  if (pair !== null) {
    for (let k = 0; k < lenB; k++) add(pair.tokens[k], 1, 1, pair.offsets[k]);
    add('[SEP]', 1, null, [0, 0]);
  }
  return enc;
}

/** Code units of a side after its last kept piece, when it lost pieces or was not read to its end; else 0. */
function dropped(side: TokenizedPrefix, kept: number): number {
  if (kept === side.tokens.length && side.complete) return 0;
  return side.textLength - (kept === 0 ? 0 : side.offsets[kept - 1][1]);
}
