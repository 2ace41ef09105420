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
 */

import { DEFAULT_MAX_LENGTH, type TokenizerOptions } from './options';
import { addSpecialTokens, type Encoding } from './postprocess';
import { preTokenize, type PreTokenizeOptions, type WordPieceStep } from './pretokenize';
import type { TokenizedText } from './offsets';
import { parseVocabText } from './vocab';
import { indexVocab, wordPiece, type WordPieceVocab } from './wordpiece';

export { tokenizerOptionsFromConfig, type TokenizerOptions } from './options';
export type { Encoding } from './postprocess';
export type { Offset, TokenizedText } from './offsets';

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
    return addSpecialTokens(a, b, limit, (token) => this.tokenToId(token));
  }

  private matchSpecial(text: string, at: number): string | null {
    for (const special of this.specialTokens) {
      if (text.startsWith(special, at)) return special;
    }
    return null;
  }

  /** Stages 2–4 on the text between typed special tokens. */
  private tokenizeSegment(text: string, from: number, to: number, out: TokenizedText): void {
    preTokenize(text, from, to, this.preTokenizeOptions, this.wordPieceStep, out);
  }
}
