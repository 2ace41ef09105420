/**
 * BERT WordPiece tokenizer with character offsets.
 *
 * Behaves like Hugging Face `transformers` 4.x's slow (pure Python)
 * `BertTokenizer`, which itself is Google's original `tokenization.py`
 * (Devlin et al. 2019) plus HF's handling of typed special tokens. The
 * stages, each in its own file:
 *
 * 1. Special tokens typed in the text (`[MASK]`, `[SEP]`, `[CLS]`, `[PAD]`,
 *    `[UNK]`) are cut out first and kept whole (here). Matching is exact and
 *    case-sensitive, as in HF: its `tokenize()` first lower-cases everything
 *    *except* exact special-token matches (only when `do_lower_case`), then
 *    splits on them with a trie. So "[mask]" or "[Mask]" is ordinary text
 *    ("[", "mask", "]"), while "x[MASK]y" gives "x", "[MASK]", "y" in both the
 *    cased and uncased configurations.
 * 2. `normalize.ts`: clean, lower-case, space out CJK, NFC, strip accents
 *    (with the character classes of `chars.ts`).
 * 3. `pretokenize.ts`: HF `BasicTokenizer`'s split on whitespace and punctuation.
 * 4. `wordpiece.ts`: HF `WordpieceTokenizer`, greedy longest-match-first.
 * 5. `postprocess.ts`: [CLS]/[SEP], token types, longest-first truncation.
 *
 * Every token carries [start, end) offsets into the original string
 * (`offsets.ts` says how they survive normalisation). Settings and
 * `tokenizer_config.json`: `options.ts`.
 *
 * Reading stops once the model's positions are filled (`tokenizePrefix`):
 * stages 2–4 run on chunks of a few thousand characters cut where every
 * stage restarts anyway, so time and memory follow the part of the text the
 * model reads, not the whole text (a pasted megabyte costs what its first
 * chunk costs).
 */

import { DEFAULT_MAX_LENGTH, type TokenizerOptions } from './options';
import { addSpecialTokens, type Encoding } from './postprocess';
import { preTokenize, type PreTokenizeOptions, type WordPieceStep } from './pretokenize';
import { isCjkIdeograph, isWhitespace } from './chars';
import type { TokenizedPrefix, TokenizedText } from './offsets';
import { parseVocabText } from './vocab';
import { indexVocab, wordPiece, type WordPieceVocab } from './wordpiece';

export { tokenizerOptionsFromConfig, type TokenizerOptions } from './options';
export type { Encoding } from './postprocess';
export type { Offset, TokenizedPrefix, TokenizedText } from './offsets';

/**
 * Characters read per position `encode` may fill: the hard limit on how much
 * of a text is read (131,072 for bert-mini's 128 positions, 524,288 for
 * bert-base's 512). Ordinary text needs a few characters per piece and at most
 * ~200 (a 100-code-point word, the longest WordPiece splits, plus the spaces
 * around it), so only text that yields almost no pieces — floods of spaces or
 * control characters, one enormous unbroken "word" — reaches it; reading
 * further would cost time and memory for a text the model reads only the
 * start of. Such text is cut at the limit and flagged `truncated`.
 */
export const READ_CHARS_PER_POSITION = 1024;

/**
 * Where reading may pause to count pieces: after this many characters, at the
 * next chunk border (see `cutsAt`). A few hundred pieces of ordinary text, so
 * a model's positions fill in a chunk or two and reading overshoots by at most
 * one chunk.
 */
export const READ_CHUNK_CHARS = 4096;

/** How far `tokenizePrefix` reads. */
export interface ReadLimits {
  /** Stop once this many pieces are known (default: no limit). */
  maxPieces?: number;
  /** Read at most this many UTF-16 code units (default: no limit); cut back to a chunk border. */
  maxChars?: number;
  /** Chunk size (default READ_CHUNK_CHARS). The pieces are the same for every value; tests use small ones. */
  chunkChars?: number;
}

/** The five special tokens of the original BERT vocabulary. */
export const BERT_SPECIAL_TOKENS = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'] as const;

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
  private readonly vocab: WordPieceVocab;
  /** Special tokens typed in the text (HF added tokens): cut out before anything else. */
  private readonly specialTokens: readonly string[];
  private readonly preTokenizeOptions: PreTokenizeOptions;
  private readonly wordPieceStep: WordPieceStep;

  constructor(vocab: readonly string[], options: TokenizerOptions = {}) {
    this.idToTokenList = vocab;
    this.vocabSize = vocab.length;
    this.vocab = indexVocab(vocab);

    this.doLowerCase = options.doLowerCase ?? true;
    this.stripAccents = options.stripAccents ?? null;
    this.tokenizeChineseChars = options.tokenizeChineseChars ?? true;
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) {
      throw new RangeError(`maxLength must be an integer >= 2, got ${this.maxLength}`);
    }

    const required = (token: string): number => {
      const id = this.vocab.tokenToId.get(token);
      if (id === undefined) throw new Error(`vocabulary lacks the special token ${token}`);
      return id;
    };
    this.unkId = required('[UNK]');
    this.clsId = required('[CLS]');
    this.sepId = required('[SEP]');
    this.padId = required('[PAD]');
    this.maskId = required('[MASK]');

    this.specialTokens = [...BERT_SPECIAL_TOKENS].sort((a, b) => b.length - a.length);
    const userNeverSplit = new Set(options.neverSplit ?? []);
    this.preTokenizeOptions = {
      doLowerCase: this.doLowerCase,
      stripAccents: this.stripAccents,
      tokenizeChineseChars: this.tokenizeChineseChars,
      neverSplit: new Set([...BERT_SPECIAL_TOKENS, ...userNeverSplit]),
      userNeverSplit,
    };
    this.wordPieceStep = (chars, from, to, out) => wordPiece(this.vocab, chars, from, to, out);
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
    return this.vocab.tokenToId.get(token) ?? this.unkId;
  }

  hasToken(token: string): boolean {
    return this.vocab.tokenToId.has(token);
  }

  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.tokenToId(t));
  }

  /** WordPiece tokens of `text` (no [CLS]/[SEP]) with offsets into `text`. */
  tokenize(text: string): TokenizedText {
    const { tokens, offsets } = this.tokenizePrefix(text);
    return { tokens, offsets };
  }

  /**
   * The first pieces of `text`, reading no further than `limits` ask: stops
   * at the first chunk border after `maxPieces` pieces are known, or at the
   * last chunk border before `maxChars`. The pieces (tokens and offsets) are
   * exactly the first ones `tokenize` gives; `complete` says whether they are
   * all. At the character limit the text is cut back to the last chunk border
   * (no piece is made from part of a word); a stretch with no border at all
   * since the last chunk — one unbroken run, split only at punctuation or a
   * single [UNK] anyway — is cut at the limit itself, as if the text ended there.
   */
  tokenizePrefix(text: string, limits: ReadLimits = {}): TokenizedPrefix {
    const maxPieces = limits.maxPieces ?? Infinity;
    const maxChars = limits.maxChars ?? Infinity;
    const chunk = limits.chunkChars ?? READ_CHUNK_CHARS;
    const out: TokenizedPrefix = { tokens: [], offsets: [], complete: true, read: text.length, textLength: text.length };
    const stop = (at: number): TokenizedPrefix => ({ ...out, complete: false, read: at });
    let from = 0; // text[from, i) is read but not yet tokenized
    let i = 0;
    while (i < text.length) {
      // Pieces only appear at chunk borders and special tokens, where `from` catches up with `i`.
      if (out.tokens.length >= maxPieces) return stop(from);
      if (i >= maxChars) {
        let cut = i;
        while (cut > from && !this.cutsAt(text, cut)) cut--;
        if (cut === from) cut = isLowSurrogate(text, i) ? i - 1 : i; // never half a character
        if (cut > from) this.tokenizeSegment(text, from, cut, out);
        return stop(cut);
      }
      const unit = text.charCodeAt(i);
      const special = unit === 0x5b /* [ */ ? this.matchSpecial(text, i) : null;
      if (special !== null) {
        if (i > from) this.tokenizeSegment(text, from, i, out);
        out.tokens.push(special);
        out.offsets.push([i, i + special.length]);
        i += special.length;
        from = i;
        continue;
      }
      if (i - from >= chunk && this.cutsAt(text, i)) {
        this.tokenizeSegment(text, from, i, out);
        from = i;
      }
      i++;
    }
    if (from < text.length) this.tokenizeSegment(text, from, text.length, out);
    return out;
  }

  /**
   * `[CLS] text [SEP]` or `[CLS] text [SEP] pair [SEP]`, truncated to
   * `maxLength` (default: the tokenizer's) the way HF's "longest_first"
   * strategy does it: remove one token at a time from the end of whichever
   * segment is currently longer, the second one on a tie.
   */
  encode(text: string, pair?: string, maxLength?: number): Encoding {
    const limit = maxLength ?? this.maxLength;
    // `limit` pieces a side are more than longest-first can keep of it, so it decides as on the whole text.
    const limits = { maxPieces: limit, maxChars: this.readLimitChars(limit) };
    const a = this.tokenizePrefix(text, limits);
    const b = pair === undefined ? null : this.tokenizePrefix(pair, limits);
    return addSpecialTokens(a, b, limit, (token) => this.tokenToId(token));
  }

  /** How much of a text `encode` reads at most, for `maxLength` positions (see READ_CHARS_PER_POSITION). */
  readLimitChars(maxLength: number = this.maxLength): number {
    return maxLength * READ_CHARS_PER_POSITION;
  }

  private matchSpecial(text: string, at: number): string | null {
    for (const special of this.specialTokens) {
      if (text.startsWith(special, at)) return special;
    }
    return null;
  }

  /**
   * May a chunk start at text[i]? Where stages 2–4 give the same pieces for
   * text[from, i) then text[i, to) as for text[from, to): before a character
   * that cleaning turns into a space (BERT whitespace) or spaces out (a CJK
   * ideograph). That space starts a new normalisation cluster and ends the
   * word before it, and every stage before the word split works one
   * character or one cluster at a time, so nothing reaches across it.
   */
  private cutsAt(text: string, i: number): boolean {
    const unit = text.charCodeAt(i);
    if (unit === 32 || unit === 9 || unit === 10 || unit === 13) return true;
    if (unit < 0x80) return false;
    const cp = text.codePointAt(i) as number;
    const ch = cp > 0xffff ? text.slice(i, i + 2) : text[i];
    return isWhitespace(cp, ch) || (this.tokenizeChineseChars && isCjkIdeograph(cp));
  }

  /** Stages 2–4 on the text between typed special tokens. */
  private tokenizeSegment(text: string, from: number, to: number, out: TokenizedText): void {
    preTokenize(text, from, to, this.preTokenizeOptions, this.wordPieceStep, out);
  }
}

/**
 * Where the first [MASK] typed in `text` that `encoding` (of `text`) cut off
 * starts, in UTF-16 code units; null when none was. Typed special tokens are
 * matched exactly (see above), so a plain search finds them; only what lies
 * after the last kept piece of `text` can have been cut.
 */
export function cutMask(text: string, encoding: Encoding): number | null {
  if (!encoding.truncated) return null;
  let keptEnd = 0;
  encoding.offsets.forEach(([, end], k) => {
    if (encoding.sequenceIds[k] === 0 && end > keptEnd) keptEnd = end;
  });
  const at = text.indexOf('[MASK]', keptEnd);
  return at < 0 ? null : at;
}

/** Is text[i] the second half of a surrogate pair? */
function isLowSurrogate(text: string, i: number): boolean {
  const unit = text.charCodeAt(i);
  const before = text.charCodeAt(i - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && before >= 0xd800 && before <= 0xdbff;
}
