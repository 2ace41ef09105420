/**
 * Character classes of Google's `tokenization.py` (Devlin et al. 2019), which
 * Hugging Face's slow `BertTokenizer` keeps: what counts as a control
 * character, whitespace, punctuation or a CJK ideograph, plus which characters
 * continue a Unicode normalisation cluster (for offsets, see `offsets.ts`).
 *
 * The Unicode tables are the JS engine's (ICU), so characters assigned in a
 * newer Unicode than the Python used for a reference may differ (HF drops
 * unassigned code points as "controls").
 */

const CATEGORY_C = /\p{C}/u;
const CATEGORY_ZS = /\p{Zs}/u;
const CATEGORY_P = /\p{P}/u;
const CATEGORY_M = /\p{M}/u;

// Unicode property regexes are slow per character, so the class bits of each
// BMP code point are computed once and cached (bit 7 marks "computed").
const IS_CONTROL = 1;
const IS_WHITESPACE = 2;
const IS_PUNCTUATION = 4;
const CONTINUES_CLUSTER = 8;
const COMPUTED = 0x80;
const bmpClasses = new Uint8Array(0x10000);

function classify(cp: number, ch: string): number {
  let bits = 0;
  if (isControlUncached(cp, ch)) bits |= IS_CONTROL;
  if (isWhitespaceUncached(cp, ch)) bits |= IS_WHITESPACE;
  if (isPunctuationUncached(cp, ch)) bits |= IS_PUNCTUATION;
  if (continuesClusterUncached(cp, ch)) bits |= CONTINUES_CLUSTER;
  return bits;
}

function charClass(cp: number, ch: string): number {
  if (cp >= 0x10000) return classify(cp, ch);
  let bits = bmpClasses[cp];
  if (bits === 0) {
    bits = classify(cp, ch) | COMPUTED;
    bmpClasses[cp] = bits;
  }
  return bits;
}

export const isControl = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_CONTROL) !== 0;
export const isWhitespace = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_WHITESPACE) !== 0;
export const isPunctuation = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_PUNCTUATION) !== 0;
export const continuesCluster = (cp: number, ch: string): boolean => (charClass(cp, ch) & CONTINUES_CLUSTER) !== 0;

/** BERT's `_is_control`: category C*, but \t \n \r are whitespace instead. */
function isControlUncached(cp: number, ch: string): boolean {
  if (cp === 9 || cp === 10 || cp === 13) return false;
  if (cp < 0x80) return cp < 0x20 || cp === 0x7f;
  return CATEGORY_C.test(ch);
}

/** BERT's `_is_whitespace`: space, \t, \n, \r, or category Zs. */
function isWhitespaceUncached(cp: number, ch: string): boolean {
  if (cp === 32 || cp === 9 || cp === 10 || cp === 13) return true;
  if (cp < 0x80) return false;
  return CATEGORY_ZS.test(ch);
}

/**
 * BERT's `_is_punctuation`: every non-alphanumeric printable ASCII character
 * (so "$", "+", "^", "`" count, although Unicode calls them symbols) plus
 * Unicode category P*. Non-ASCII symbols (€, ©, emoji) are NOT split off.
 */
function isPunctuationUncached(cp: number, ch: string): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  if (cp < 0x80) return false;
  return CATEGORY_P.test(ch);
}

/**
 * BERT's `_is_chinese_char`: the CJK Unified Ideographs blocks and their
 * compatibility blocks. Hangul, kana and CJK punctuation are deliberately
 * outside these ranges (they are space-separated or handled as punctuation).
 */
export function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/**
 * Python's `str.split()` separators that can survive cleaning: the space we
 * write for every BERT whitespace, plus U+2028/U+2029 (categories Zl/Zp are
 * neither BERT "whitespace" nor "control", yet Python splits on them).
 */
export function isSplitSpace(ch: string): boolean {
  return ch === ' ' || ch === '\u2028' || ch === '\u2029';
}

/**
 * Can `ch` take part in a canonical composition/reordering with the
 * character before it? True for combining marks (category M) and the Hangul
 * medial vowel / final consonant jamo (composed algorithmically). Every other
 * character starts a new normalisation cluster: Unicode's canonical
 * compositions only ever attach an M or one of these jamo to what precedes
 * them, and only M characters have a non-zero combining class.
 */
function continuesClusterUncached(cp: number, ch: string): boolean {
  if (cp < 0x300) return false;
  if ((cp >= 0x1161 && cp <= 0x1175) || (cp >= 0x11a8 && cp <= 0x11c2)) return true;
  return CATEGORY_M.test(ch);
}
