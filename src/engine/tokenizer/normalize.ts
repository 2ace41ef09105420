/**
 * Normalisation, HF `BasicTokenizer`'s character-level steps, with offsets
 * kept (see `offsets.ts`):
 *
 * - `cleanText`, on a stretch of text between typed special tokens: HF's
 *   per-character lower-casing pre-pass (only when `do_lower_case`), then drop
 *   U+0000, U+FFFD and every "control" (category C* except \t \n \r), map
 *   whitespace to a space, put spaces around CJK ideographs, NFC-normalise.
 * - `normalizeWord`, on one whitespace-delimited word: lower-case (again) and
 *   strip accents (NFD, drop category Mn).
 *
 * HF's pre-pass lower-cases one character at a time, so a capital sigma
 * always becomes "σ" (never the word-final "ς"); we do the same.
 */

import { isCjkIdeograph, isControl, isWhitespace } from './chars';
import { emptyChars, mapClusters, pushChar, pushString, type Chars } from './offsets';

/** The tokenizer settings normalisation reads (the tokenizer itself satisfies this). */
export interface NormalizeOptions {
  readonly doLowerCase: boolean;
  /** `null` follows `doLowerCase`, as in HF. */
  readonly stripAccents: boolean | null;
  readonly tokenizeChineseChars: boolean;
}

const CATEGORY_MN = /\p{Mn}/gu;

/**
 * Memoise a per-character string transform (lower-casing and normalisation
 * calls dominate the cost of non-Latin text). Bounded so that adversarial
 * input cannot grow it without limit.
 */
function memoizeChars(transform: (s: string) => string): (s: string) => string {
  const cache = new Map<string, string>();
  return (s: string): string => {
    let out = cache.get(s);
    if (out === undefined) {
      out = transform(s);
      if (cache.size < 0x4000) cache.set(s, out);
    }
    return out;
  };
}

const lowerNonAscii = memoizeChars((ch) => ch.toLowerCase());

function lowerChar(ch: string, cp: number): string {
  if (cp < 0x80) return cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : ch;
  return lowerNonAscii(ch);
}

function stripAccents(text: string): string {
  return text.normalize('NFD').replace(CATEGORY_MN, '');
}

/** One-character strings for ASCII, so the fast path allocates nothing. */
const ASCII: readonly string[] = Array.from({ length: 128 }, (_, cp) => String.fromCharCode(cp));

const nfc = (s: string): string => s.normalize('NFC');
const nfcChar = memoizeChars(nfc);
const stripAccentsChar = memoizeChars(stripAccents);
/** NFC cannot change a lone character below U+0300 (Latin-1 and friends). */
const nfcStableAlone = (cp: number): boolean => cp < 0x300;
/** ASCII letters have no accents to strip. */
const asciiIsExact = (cp: number): boolean => cp < 0x80;

/** Lower-case (HF's per-character pre-pass), clean, space out CJK, NFC: text[from, to) → characters. */
export function cleanText(text: string, from: number, to: number, options: NormalizeOptions): Chars {
  const cleaned = emptyChars();
  let maxCp = 0;
  for (let i = from; i < to; ) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      // ASCII fast path: same decisions as the general path below.
      if (unit === 32 || unit === 9 || unit === 10 || unit === 13) {
        pushChar(cleaned, ' ', 32, i, i + 1);
      } else if (unit >= 0x20 && unit !== 0x7f) {
        const cp = options.doLowerCase && unit >= 65 && unit <= 90 ? unit + 32 : unit;
        pushChar(cleaned, ASCII[cp], cp, i, i + 1);
      }
      i++;
      continue;
    }
    const cp0 = text.codePointAt(i) as number;
    const width = cp0 > 0xffff ? 2 : 1;
    const ch0 = width === 2 ? text.slice(i, i + 2) : text[i];
    const lowered = options.doLowerCase ? lowerChar(ch0, cp0) : ch0;
    for (const ch of lowered) {
      const cp = ch.codePointAt(0) as number;
      if (cp === 0 || cp === 0xfffd || isControl(cp, ch)) continue;
      if (cp > maxCp) maxCp = cp;
      if (isWhitespace(cp, ch)) {
        pushChar(cleaned, ' ', 32, i, i + width);
      } else if (options.tokenizeChineseChars && isCjkIdeograph(cp)) {
        pushChar(cleaned, ' ', 32, i, i + width);
        pushChar(cleaned, ch, cp, i, i + width);
        pushChar(cleaned, ' ', 32, i, i + width);
      } else {
        pushChar(cleaned, ch, cp, i, i + width);
      }
    }
    i += width;
  }
  // Nothing below U+0300 composes: skip NFC for (most) Latin text.
  if (maxCp < 0x300) return cleaned;
  const normalized = emptyChars();
  mapClusters(cleaned, 0, cleaned.ch.length, nfc, nfcChar, nfcStableAlone, normalized);
  return normalized;
}

/**
 * HF's per-word `token.lower()` and `_run_strip_accents` on a non-ASCII word
 * chars[from, to) (ASCII words were lower-cased by the pre-pass and have no
 * accents). Returns the word's new characters, or null when neither applies.
 */
export function normalizeWord(chars: Chars, from: number, to: number, options: NormalizeOptions): Chars | null {
  let current: Chars | null = null;
  if (options.doLowerCase) {
    // Already lower-cased by the pre-pass; this second lower-casing can no
    // longer meet a capital sigma, so per character is exact.
    current = emptyChars();
    for (let k = from; k < to; k++) pushString(current, lowerChar(chars.ch[k], chars.cp[k]), chars.start[k], chars.end[k]);
  }
  if (options.doLowerCase ? options.stripAccents !== false : options.stripAccents === true) {
    const stripped = emptyChars();
    if (current === null) mapClusters(chars, from, to, stripAccents, stripAccentsChar, asciiIsExact, stripped);
    else mapClusters(current, 0, current.ch.length, stripAccents, stripAccentsChar, asciiIsExact, stripped);
    current = stripped;
  }
  return current;
}
