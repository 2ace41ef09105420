/**
 * BERT WordPiece tokenizer with character offsets.
 *
 * Behaves like Hugging Face `transformers` 4.x's slow (pure Python)
 * `BertTokenizer`, which itself is Google's original `tokenization.py`
 * (Devlin et al. 2019) plus HF's handling of typed special tokens:
 *
 * 1. Special tokens typed in the text (`[MASK]`, `[SEP]`, `[CLS]`, `[PAD]`,
 *    `[UNK]`) are cut out first and kept whole. Matching is exact and
 *    case-sensitive, as in HF: its `tokenize()` first lower-cases everything
 *    *except* exact special-token matches (only when `do_lower_case`), then
 *    splits on them with a trie. So "[mask]" or "[Mask]" is ordinary text
 *    ("[", "mask", "]"), while "x[MASK]y" gives "x", "[MASK]", "y" in both the
 *    cased and uncased configurations.
 *    That HF pre-pass lower-cases one character at a time, so a capital sigma
 *    always becomes "σ" (never the word-final "ς"); we do the same.
 * 2. `BasicTokenizer`: drop U+0000, U+FFFD and every "control" (Unicode
 *    category C*: Cc, Cf, Co, Cn, Cs — except \t \n \r, which count as
 *    whitespace); map whitespace (\t \n \r, category Zs) to a space; put spaces
 *    around CJK ideographs; NFC-normalise; split on whitespace; per word
 *    lower-case and strip accents (NFD, drop category Mn); split off every
 *    punctuation character (ASCII symbol ranges plus category P*).
 * 3. `WordpieceTokenizer`: greedy longest-match-first against the vocabulary,
 *    continuation pieces prefixed "##"; a word of more than 100 code points,
 *    or one with an unmatchable remainder, becomes a single `[UNK]`.
 *
 * Offsets: every token carries [start, end) into the ORIGINAL string in
 * UTF-16 code units (what JS `slice` and the UI's highlighting use).
 * Internally each character of the normalised text remembers the original
 * range it came from. Rule: a step that maps characters one-to-(zero or more)
 * (cleaning, lower-casing, accent stripping of a precomposed letter) passes
 * the source character's range on to each output character. A step that
 * merges or reorders characters (NFC composing "e"+U+0301 into "é", NFD
 * reordering marks) gives every output character of the affected
 * "cluster" — a starter plus the combining marks (and Hangul medial/final
 * jamo) that follow it — the range of the whole cluster. A token's offsets
 * are then [min start, max end] over its characters. Consequence: two
 * word pieces cut from inside one such cluster share its range.
 *
 * The Unicode tables are the JS engine's (ICU), so characters assigned in a
 * newer Unicode than the Python used for a reference may differ (HF drops
 * unassigned code points as "controls").
 */

import { parseVocabText } from './vocab';

/** The five special tokens of the original BERT vocabulary. */
export const BERT_SPECIAL_TOKENS = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'] as const;

/** HF `WordpieceTokenizer.max_input_chars_per_word`. */
export const MAX_INPUT_CHARS_PER_WORD = 100;

/** bert-base's `max_position_embeddings` / `model_max_length`. */
export const DEFAULT_MAX_LENGTH = 512;

export interface TokenizerOptions {
  /** Lower-case the input (uncased models). Default true. */
  doLowerCase?: boolean;
  /** Strip accents; `null`/`undefined` means "follow doLowerCase", as in HF. */
  stripAccents?: boolean | null;
  /** Extra words that are never split or lower-cased (HF `never_split`). */
  neverSplit?: string[];
  /** Put spaces around CJK ideographs. Default true. */
  tokenizeChineseChars?: boolean;
  /** Default truncation length for `encode` (model_max_length). Default 512. */
  maxLength?: number;
}

/** Half-open [start, end) range in UTF-16 code units of the original text. */
export type Offset = [number, number];

export interface TokenizedText {
  tokens: string[];
  offsets: Offset[];
}

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
  /** True when tokens were dropped to fit `maxLength`. */
  truncated: boolean;
}

// ---------------------------------------------------------------------------
// Character classes (google-research/bert tokenization.py)
// ---------------------------------------------------------------------------

const CATEGORY_C = /\p{C}/u;
const CATEGORY_ZS = /\p{Zs}/u;
const CATEGORY_P = /\p{P}/u;
const CATEGORY_M = /\p{M}/u;
const CATEGORY_MN = /\p{Mn}/gu;

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

const isControl = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_CONTROL) !== 0;
const isWhitespace = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_WHITESPACE) !== 0;
const isPunctuation = (cp: number, ch: string): boolean => (charClass(cp, ch) & IS_PUNCTUATION) !== 0;
const continuesCluster = (cp: number, ch: string): boolean => (charClass(cp, ch) & CONTINUES_CLUSTER) !== 0;

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
function isCjkIdeograph(cp: number): boolean {
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
function isSplitSpace(ch: string): boolean {
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

// ---------------------------------------------------------------------------
// Offset-tracking character buffer
// ---------------------------------------------------------------------------

/** Characters (one code point each) with the original range they came from. */
interface Chars {
  ch: string[];
  cp: number[];
  start: number[];
  end: number[];
}

function emptyChars(): Chars {
  return { ch: [], cp: [], start: [], end: [] };
}

function pushChar(out: Chars, ch: string, cp: number, start: number, end: number): void {
  out.ch.push(ch);
  out.cp.push(cp);
  out.start.push(start);
  out.end.push(end);
}

/** Push every code point of `text`, all with the same original range. */
function pushString(out: Chars, text: string, start: number, end: number): void {
  for (const c of text) pushChar(out, c, c.codePointAt(0) as number, start, end);
}

/**
 * Apply a string transform cluster by cluster (see `continuesCluster`),
 * keeping per-character ranges where the transform acts character by
 * character and giving the whole cluster's range to its output otherwise.
 * `perCharIsExact(cp)` lets callers skip the comparison for characters the
 * transform provably leaves alone (the common ASCII case).
 */
function mapClusters(
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

/** One-character strings for ASCII, so the fast path allocates nothing. */
const ASCII: readonly string[] = Array.from({ length: 128 }, (_, cp) => String.fromCharCode(cp));

const nfc = (s: string): string => s.normalize('NFC');
const nfcChar = memoizeChars(nfc);
const stripAccentsChar = memoizeChars(stripAccents);
/** NFC cannot change a lone character below U+0300 (Latin-1 and friends). */
const nfcStableAlone = (cp: number): boolean => cp < 0x300;
/** ASCII letters have no accents to strip. */
const asciiIsExact = (cp: number): boolean => cp < 0x80;

// ---------------------------------------------------------------------------
// The tokenizer
// ---------------------------------------------------------------------------

export class WordPieceTokenizer {
  readonly vocabSize: number;
  readonly doLowerCase: boolean;
  readonly stripAccents: boolean | null;
  readonly tokenizeChineseChars: boolean;
  readonly maxLength: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly maskId: number;

  private readonly idToTokenList: readonly string[];
  private readonly tokenToIdMap: Map<string, number>;
  /**
   * Longest vocabulary entry (code points, "##" not counted) per first
   * character, for word-initial and continuation pieces: caps the greedy
   * longest-match search so that it never builds candidates that cannot be
   * in the vocabulary (the result is unchanged, only cheaper).
   */
  private readonly maxInitialChars: Map<string, number>;
  private readonly maxContinuationChars: Map<string, number>;
  /** Special tokens typed in the text (HF added tokens): cut out before anything else. */
  private readonly specialTokens: readonly string[];
  /** BasicTokenizer never_split: specials + user words, kept whole. */
  private readonly neverSplit: ReadonlySet<string>;
  /** User never_split words: emitted as-is, bypassing WordPiece (HF `_tokenize`). */
  private readonly userNeverSplit: ReadonlySet<string>;

  constructor(vocab: readonly string[], options: TokenizerOptions = {}) {
    this.idToTokenList = vocab;
    this.vocabSize = vocab.length;
    this.tokenToIdMap = new Map();
    this.maxInitialChars = new Map();
    this.maxContinuationChars = new Map();
    // Later duplicates win, as in HF `load_vocab` (a dict built line by line).
    vocab.forEach((token, id) => {
      this.tokenToIdMap.set(token, id);
      // Any entry can match at a word start (even "##x", were a word to start
      // with "##"); only "##" entries can match inside a word.
      raiseCap(this.maxInitialChars, Array.from(token));
      if (token.startsWith('##')) raiseCap(this.maxContinuationChars, Array.from(token.slice(2)));
    });

    this.doLowerCase = options.doLowerCase ?? true;
    this.stripAccents = options.stripAccents ?? null;
    this.tokenizeChineseChars = options.tokenizeChineseChars ?? true;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) {
      throw new RangeError(`maxLength must be an integer >= 2, got ${this.maxLength}`);
    }

    const required = (token: string): number => {
      const id = this.tokenToIdMap.get(token);
      if (id === undefined) throw new Error(`vocabulary lacks the special token ${token}`);
      return id;
    };
    this.unkId = required('[UNK]');
    this.clsId = required('[CLS]');
    this.sepId = required('[SEP]');
    this.padId = required('[PAD]');
    this.maskId = required('[MASK]');

    this.specialTokens = [...BERT_SPECIAL_TOKENS].sort((a, b) => b.length - a.length);
    this.userNeverSplit = new Set(options.neverSplit ?? []);
    this.neverSplit = new Set([...BERT_SPECIAL_TOKENS, ...this.userNeverSplit]);
  }

  /** Build from the text of a BERT `vocab.txt`. */
  static fromVocabText(text: string, options?: TokenizerOptions): WordPieceTokenizer {
    return new WordPieceTokenizer(parseVocabText(text), options);
  }

  idToToken(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new RangeError(`token id ${id} outside the vocabulary (size ${this.vocabSize})`);
    }
    return this.idToTokenList[id];
  }

  /** The id of `token`, or the [UNK] id if it is not in the vocabulary. */
  tokenToId(token: string): number {
    return this.tokenToIdMap.get(token) ?? this.unkId;
  }

  hasToken(token: string): boolean {
    return this.tokenToIdMap.has(token);
  }

  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.tokenToId(t));
  }

  /** WordPiece tokens of `text` (no [CLS]/[SEP]) with offsets into `text`. */
  tokenize(text: string): TokenizedText {
    const result: TokenizedText = { tokens: [], offsets: [] };
    let segmentStart = 0;
    let i = 0;
    while (i < text.length) {
      const special = text.charCodeAt(i) === 0x5b /* [ */ ? this.matchSpecial(text, i) : null;
      if (special === null) {
        i++;
        continue;
      }
      if (i > segmentStart) this.tokenizeSegment(text, segmentStart, i, result);
      result.tokens.push(special);
      result.offsets.push([i, i + special.length]);
      i += special.length;
      segmentStart = i;
    }
    if (segmentStart < text.length) this.tokenizeSegment(text, segmentStart, text.length, result);
    return result;
  }

  /**
   * `[CLS] text [SEP]` or `[CLS] text [SEP] pair [SEP]`, truncated to
   * `maxLength` (default: the tokenizer's) the way HF's "longest_first"
   * strategy does it: remove one token at a time from the end of whichever
   * segment is currently longer, the second one on a tie.
   */
  encode(text: string, pair?: string, maxLength?: number): Encoding {
    const limit = maxLength ?? this.maxLength;
    const a = this.tokenize(text);
    const b = pair === undefined ? null : this.tokenize(pair);
    const specials = b === null ? 2 : 3;
    if (!Number.isInteger(limit) || limit < specials) {
      throw new RangeError(`maxLength ${limit} leaves no room for ${specials} special tokens`);
    }
    let lenA = a.tokens.length;
    let lenB = b === null ? 0 : b.tokens.length;
    const excess = lenA + lenB + specials - limit;
    for (let k = 0; k < excess; k++) {
      if (b === null || lenA > lenB) lenA--;
      else lenB--;
    }

    const enc: Encoding = {
      tokens: [],
      ids: [],
      tokenTypeIds: [],
      attentionMask: [],
      specialTokensMask: [],
      sequenceIds: [],
      offsets: [],
      truncated: excess > 0,
    };
    const add = (token: string, typeId: number, seq: 0 | 1 | null, offset: Offset): void => {
      enc.tokens.push(token);
      enc.ids.push(this.tokenToId(token));
      enc.tokenTypeIds.push(typeId);
      enc.attentionMask.push(1);
      enc.specialTokensMask.push(seq === null ? 1 : 0);
      enc.sequenceIds.push(seq);
      enc.offsets.push(offset);
    };
    add('[CLS]', 0, null, [0, 0]);
    for (let k = 0; k < lenA; k++) add(a.tokens[k], 0, 0, a.offsets[k]);
    add('[SEP]', 0, null, [0, 0]);
    if (b !== null) {
      for (let k = 0; k < lenB; k++) add(b.tokens[k], 1, 1, b.offsets[k]);
      add('[SEP]', 1, null, [0, 0]);
    }
    return enc;
  }

  // ---- internals ---------------------------------------------------------

  private matchSpecial(text: string, at: number): string | null {
    for (const special of this.specialTokens) {
      if (text.startsWith(special, at)) return special;
    }
    return null;
  }

  /** HF BasicTokenizer + WordpieceTokenizer on text[from, to) (no specials inside). */
  private tokenizeSegment(text: string, from: number, to: number, out: TokenizedText): void {
    // Lower-case (HF's per-character pre-pass), clean, space out CJK.
    const cleaned = emptyChars();
    let maxCp = 0;
    for (let i = from; i < to; ) {
      const unit = text.charCodeAt(i);
      if (unit < 0x80) {
        // ASCII fast path: same decisions as the general path below.
        if (unit === 32 || unit === 9 || unit === 10 || unit === 13) {
          pushChar(cleaned, ' ', 32, i, i + 1);
        } else if (unit >= 0x20 && unit !== 0x7f) {
          const cp = this.doLowerCase && unit >= 65 && unit <= 90 ? unit + 32 : unit;
          pushChar(cleaned, ASCII[cp], cp, i, i + 1);
        }
        i++;
        continue;
      }
      const cp0 = text.codePointAt(i) as number;
      const width = cp0 > 0xffff ? 2 : 1;
      const ch0 = width === 2 ? text.slice(i, i + 2) : text[i];
      const lowered = this.doLowerCase ? lowerChar(ch0, cp0) : ch0;
      for (const ch of lowered) {
        const cp = ch.codePointAt(0) as number;
        if (cp === 0 || cp === 0xfffd || isControl(cp, ch)) continue;
        if (cp > maxCp) maxCp = cp;
        if (isWhitespace(cp, ch)) {
          pushChar(cleaned, ' ', 32, i, i + width);
        } else if (this.tokenizeChineseChars && isCjkIdeograph(cp)) {
          pushChar(cleaned, ' ', 32, i, i + width);
          pushChar(cleaned, ch, cp, i, i + width);
          pushChar(cleaned, ' ', 32, i, i + width);
        } else {
          pushChar(cleaned, ch, cp, i, i + width);
        }
      }
      i += width;
    }

    let normalized = cleaned;
    if (maxCp >= 0x300) {
      normalized = emptyChars();
      mapClusters(cleaned, 0, cleaned.ch.length, nfc, nfcChar, nfcStableAlone, normalized);
    }

    // Whitespace words.
    const n = normalized.ch.length;
    let k = 0;
    while (k < n) {
      if (isSplitSpace(normalized.ch[k])) {
        k++;
        continue;
      }
      let e = k + 1;
      while (e < n && !isSplitSpace(normalized.ch[e])) e++;
      this.tokenizeWord(normalized, k, e, out);
      k = e;
    }
  }

  /** One whitespace-delimited word: lower-case, strip accents, split punctuation, WordPiece. */
  private tokenizeWord(chars: Chars, from: number, to: number, out: TokenizedText): void {
    let word = '';
    let ascii = true;
    for (let k = from; k < to; k++) {
      word += chars.ch[k];
      if (chars.cp[k] >= 0x80) ascii = false;
    }
    if (this.neverSplit.has(word)) {
      const offset: Offset = rangeOf(chars, from, to);
      if (this.userNeverSplit.has(word)) {
        out.tokens.push(word);
        out.offsets.push(offset);
      } else {
        this.wordPiece(chars, from, to, out);
      }
      return;
    }

    let current: Chars = chars;
    let start = from;
    let end = to;
    // ASCII words were lower-cased by the pre-pass and have no accents.
    if (this.doLowerCase && !ascii) {
      // Already lower-cased by the pre-pass; this is HF's second `token.lower()`,
      // which can no longer meet a capital sigma, so per character is exact.
      const lowered = emptyChars();
      for (let k = from; k < to; k++) pushString(lowered, lowerChar(chars.ch[k], chars.cp[k]), chars.start[k], chars.end[k]);
      current = lowered;
      start = 0;
      end = lowered.ch.length;
    }
    if (!ascii && (this.doLowerCase ? this.stripAccents !== false : this.stripAccents === true)) {
      const stripped = emptyChars();
      mapClusters(current, start, end, stripAccents, stripAccentsChar, asciiIsExact, stripped);
      current = stripped;
      start = 0;
      end = stripped.ch.length;
    }

    // Split off punctuation, then WordPiece each run.
    let runStart = start;
    for (let k = start; k < end; k++) {
      if (isPunctuation(current.cp[k], current.ch[k])) {
        if (k > runStart) this.wordPiece(current, runStart, k, out);
        this.wordPiece(current, k, k + 1, out);
        runStart = k + 1;
      }
    }
    if (end > runStart) this.wordPiece(current, runStart, end, out);
  }

  /** Greedy longest-match-first WordPiece over chars[from, to). */
  private wordPiece(chars: Chars, from: number, to: number, out: TokenizedText): void {
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
      const caps = s > 0 ? this.maxContinuationChars : this.maxInitialChars;
      let e = Math.min(length, s + (caps.get(chars.ch[from + s]) ?? 0));
      let found: string | null = null;
      while (e > s) {
        const piece = s > 0 ? '##' + word.slice(at[s], at[e]) : word.slice(at[s], at[e]);
        if (this.tokenToIdMap.has(piece)) {
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
}

function raiseCap(caps: Map<string, number>, chars: string[]): void {
  if (chars.length === 0) return;
  caps.set(chars[0], Math.max(caps.get(chars[0]) ?? 0, chars.length));
}

function rangeOf(chars: Chars, from: number, to: number): Offset {
  let start = chars.start[from];
  let end = chars.end[from];
  for (let k = from + 1; k < to; k++) {
    if (chars.start[k] < start) start = chars.start[k];
    if (chars.end[k] > end) end = chars.end[k];
  }
  return [start, end];
}

// ---------------------------------------------------------------------------
// tokenizer_config.json
// ---------------------------------------------------------------------------

/**
 * Read the fields of a Hugging Face `tokenizer_config.json` that change
 * BERT tokenisation. `model_max_length` is capped by the model's
 * `max_position_embeddings` when given: HF writes a huge sentinel (1e30)
 * when the length is unknown, and the position table is the real limit.
 * Unknown fields are ignored; present fields of the wrong type throw.
 */
export function tokenizerOptionsFromConfig(config: unknown, maxPositionEmbeddings?: number): TokenizerOptions {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError('tokenizer_config.json must contain a JSON object');
  }
  const fields = config as Record<string, unknown>;
  const options: TokenizerOptions = {};

  const lower = fields.do_lower_case;
  if (lower !== undefined) {
    if (typeof lower !== 'boolean') throw new TypeError('do_lower_case must be a boolean');
    options.doLowerCase = lower;
  }
  const strip = fields.strip_accents;
  if (strip !== undefined) {
    if (strip !== null && typeof strip !== 'boolean') throw new TypeError('strip_accents must be a boolean or null');
    options.stripAccents = strip;
  }
  const chinese = fields.tokenize_chinese_chars;
  if (chinese !== undefined) {
    if (typeof chinese !== 'boolean') throw new TypeError('tokenize_chinese_chars must be a boolean');
    options.tokenizeChineseChars = chinese;
  }
  const never = fields.never_split;
  if (never !== undefined && never !== null) {
    if (!Array.isArray(never) || !never.every((w): w is string => typeof w === 'string')) {
      throw new TypeError('never_split must be a list of strings');
    }
    options.neverSplit = [...never];
  }
  let maxLength: number | undefined;
  const modelMax = fields.model_max_length;
  if (modelMax !== undefined) {
    if (typeof modelMax !== 'number' || !(modelMax > 0)) throw new TypeError('model_max_length must be a positive number');
    maxLength = modelMax;
  }
  if (maxPositionEmbeddings !== undefined) {
    maxLength = maxLength === undefined ? maxPositionEmbeddings : Math.min(maxLength, maxPositionEmbeddings);
  }
  if (maxLength !== undefined) {
    if (!Number.isFinite(maxLength) || maxLength > Number.MAX_SAFE_INTEGER) maxLength = DEFAULT_MAX_LENGTH;
    options.maxLength = Math.floor(maxLength);
  }
  return options;
}
