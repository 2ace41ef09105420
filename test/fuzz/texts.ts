/**
 * Random text for the tokenizer: fast-check's any-code-point strings, plus a
 * mix weighted towards what BERT's normalisation treats specially — whitespace
 * of every kind, ASCII and Unicode punctuation, CJK ideographs (spaced out),
 * combining accents (stripped, or composed by NFC), controls (deleted), emoji
 * and other astral characters (surrogate pairs), lone surrogates, characters
 * whose lower case is longer (İ → i̇), and the typed special tokens, whole,
 * cut, mis-cased and glued to words.
 */
import fc from 'fast-check';

const char = (codes: readonly number[]): fc.Arbitrary<string> => fc.constantFrom(...codes.map((c) => String.fromCodePoint(c)));
const range = (from: number, to: number): fc.Arbitrary<string> => fc.integer({ min: from, max: to }).map((c) => String.fromCodePoint(c));

const pieces: fc.Arbitrary<string>[] = [
  // Words a vocabulary knows, in any case, and the pieces BERT splits off.
  fc.constantFrom('the', 'The', 'THE', 'un', 'aff', 'able', 'running', 'naïve', 'Café', 'ÉCOLE', 'straße', 'ΣΊΣΥΦΟΣ', 'İstanbul', 'ﬁne'),
  fc.string({ unit: 'grapheme-ascii', maxLength: 12 }),
  // Whitespace: ASCII, NBSP, the Unicode spaces, line/paragraph separators, BOM-like format characters.
  char([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c, 0xa0, 0x1680, 0x2000, 0x2007, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0x85, 0x200b, 0xfeff]),
  // Punctuation and symbols, ASCII and beyond.
  char([0x21, 0x22, 0x23, 0x27, 0x2c, 0x2d, 0x2e, 0x3f, 0x40, 0x5b, 0x5d, 0x5e, 0x60, 0x7e, 0xa1, 0xbf, 0x2014, 0x2018, 0x201c, 0x2026, 0x3001, 0x3002, 0xff01, 0x00d7, 0x2260, 0x226e]),
  // CJK ideographs (incl. extension B, astral), kana, Hangul syllables and jamo.
  range(0x4e00, 0x9fff),
  range(0x20000, 0x2a6df),
  range(0x3040, 0x30ff),
  range(0xac00, 0xd7a3),
  range(0x1100, 0x11ff),
  // Combining marks, alone or after a letter (NFC composes some, not others).
  range(0x0300, 0x036f),
  fc.tuple(fc.constantFrom('a', 'e', 'I', 'o', 'u', 'n', 'Z', '<', '!', ' '), range(0x0300, 0x036f)).map(([a, b]) => a + b),
  // Controls (deleted), NUL and U+FFFD (deleted), format characters.
  char([0x00, 0x01, 0x07, 0x1b, 0x7f, 0x80, 0x9f, 0xad, 0xfffd, 0x200d, 0x200e, 0x2066, 0xe000, 0xf8ff]),
  // Emoji, with skin tones, ZWJ sequences and flags (astral, surrogate pairs).
  fc.constantFrom('😀', '👍🏽', '👩‍👩‍👧', '🇰🇷', '❤️', '🧑🏿‍🚀', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢'),
  // Lone surrogates: not well-formed UTF-16, but a JavaScript string can hold them.
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  // Case-changing oddities: lower case longer than upper, titlecase digraphs, final sigma, Kelvin and Ångström signs.
  char([0x130, 0x1c5, 0x1c8, 0x3a3, 0x212a, 0x212b, 0x1e9e, 0xdf, 0x149, 0x1f88]),
  // Typed special tokens, and near misses.
  fc.constantFrom('[MASK]', '[SEP]', '[CLS]', '[PAD]', '[UNK]', '[mask]', '[Mask]', '[MASK', 'MASK]', '[[MASK]]', 'x[MASK]y', '[SEP][SEP]'),
];

/** One "word-ish" fragment from the biased mix. */
const piece: fc.Arbitrary<string> = fc.oneof(...pieces);

/**
 * Text for the tokenizer: arbitrary code points, or the biased mix (fragments
 * glued or spaced); now and then long enough to pass the shipped model's 128
 * positions, so truncation at the real limit is exercised too.
 */
export const fuzzText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(piece, { maxLength: 24 }).map((parts) => parts.join('')) },
  { weight: 3, arbitrary: fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(' ')) },
  { weight: 1, arbitrary: fc.array(piece, { minLength: 100, maxLength: 300 }).map((parts) => parts.join(' ')) },
);
