// Training a WordPiece vocabulary on a class's own text (src/engine/tokenizer/train.ts): the result is a
// vocab.txt the engine's tokenizer loads, covers every word of the text, keeps frequent words whole,
// has the size asked, is the same every time, and bad requests get a clear message.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { encode, initNodeBackend, loadModel, memorySource } from '../src/engine/node';
import { WordPieceTokenizer } from '../src/engine/tokenizer/tokenizer';
import { holdOut } from '../src/engine/training/pretrain/batches';
import { TRAINED_VOCAB_SPECIALS, trainWordPieceVocab } from '../src/engine/tokenizer/train';
import { parseVocabText, vocabToText } from '../src/engine/tokenizer/vocab';
import type { FromLab, LabStart } from '../src/worker/pretrain/protocol';
import { LabRunner } from '../src/worker/pretrain/runner';

const SMALL = `The cat sat on the mat. The cat ate the rat.
The dog sat on the log; the dog saw the cat, and the cat ran.

Café au lait, s'il vous plaît! Naïve résumé.`;

let slice = '';
beforeAll(async () => {
  slice = await readFile('public/data/pretrain/train.txt', 'utf8');
});

describe('trainWordPieceVocab', () => {
  it('writes a vocab.txt the engine tokenizer loads, specials first, alphabet in both forms', () => {
    const { tokens, alphabet } = trainWordPieceVocab(SMALL, { size: 120 });
    expect(tokens.slice(0, 5)).toEqual([...TRAINED_VOCAB_SPECIALS]);
    expect(new Set(tokens).size).toBe(tokens.length);
    const tokenizer = WordPieceTokenizer.fromVocabText(vocabToText(tokens));
    expect(tokenizer.vocabSize).toBe(tokens.length);
    expect([tokenizer.padId, tokenizer.unkId, tokenizer.clsId, tokenizer.sepId, tokenizer.maskId]).toEqual([0, 1, 2, 3, 4]);
    // Lower-cased and accents stripped, as the tokenizer does: no "C" or "é" in the alphabet.
    const letters = tokens.slice(5, alphabet).filter((t) => !t.startsWith('##'));
    expect(letters).toContain('c');
    expect(letters).not.toContain('C');
    expect(letters).not.toContain('é');
    for (const c of letters) expect(tokens).toContain('##' + c);
    expect(alphabet).toBe(5 + 2 * letters.length);
  });

  it('tokenizes every word of the training text without [UNK], and frequent words are whole pieces', () => {
    const text = slice.slice(0, 200_000);
    const { tokens } = trainWordPieceVocab(text, { size: 2000 });
    const tokenizer = new WordPieceTokenizer(tokens);
    const pieces = tokenizer.tokenize(text).tokens;
    expect(pieces.length).toBeGreaterThan(30_000);
    expect(pieces.filter((p) => p === '[UNK]')).toEqual([]);
    // The most frequent words of English prose are single pieces.
    for (const word of ['the', 'of', 'and', 'to', 'was', 'that']) expect(tokenizer.tokenize(word).tokens).toEqual([word]);
    // A made-up word over the same letters is spelt out, not [UNK].
    expect(tokenizer.tokenize('zqxjvw').tokens.join(' ')).not.toContain('[UNK]');
  });

  it('respects the size asked, reports progress, and is the same every time', () => {
    const text = slice.slice(0, 100_000);
    const seen: number[] = [];
    const a = trainWordPieceVocab(text, { size: 700, onProgress: (pieces, size) => (expect(size).toBe(700), seen.push(pieces)) });
    expect(a.tokens).toHaveLength(700);
    expect(seen[0]).toBe(a.alphabet);
    expect(seen.at(-1)).toBe(700);
    const b = trainWordPieceVocab(text, { size: 700 });
    expect(b.tokens).toEqual(a.tokens);
    // A bigger vocabulary extends the smaller one: merges come in the same order.
    const c = trainWordPieceVocab(text, { size: 900 });
    expect(c.tokens.slice(0, 700)).toEqual(a.tokens);
  });

  it('breaks ties by the smaller pair of ids', () => {
    // "ab" and "cd" occur equally often: "a"+"##b" has the smaller ids, so "ab" comes first.
    const { tokens, alphabet } = trainWordPieceVocab('cd ab cd ab', { size: 100 });
    expect(tokens.slice(alphabet)).toEqual(['ab', 'cd']);
  });

  it('stops early when no pair occurs often enough', () => {
    const { tokens, alphabet } = trainWordPieceVocab('ab ab xyz', { size: 100 });
    // "a ##b" twice → "ab"; "x ##y", "##y ##z" once each: not merged (minFrequency 2).
    expect(tokens.slice(alphabet)).toEqual(['ab']);
    expect(trainWordPieceVocab('ab ab xyz', { size: 100, minFrequency: 1 }).tokens.slice(alphabet)).toContain('xyz');
  });

  it('gives a clear error on empty text or a size below the alphabet and specials', () => {
    expect(() => trainWordPieceVocab('', { size: 2000 })).toThrow(/no text/);
    expect(() => trainWordPieceVocab(' \n\t ', { size: 2000 })).toThrow(/no text/);
    // "abc": 3 characters × 2 forms + 5 specials = 11.
    expect(() => trainWordPieceVocab('abc abc', { size: 10 })).toThrow(/ask for at least 11/);
    expect(trainWordPieceVocab('abc abc', { size: 11 }).tokens).toHaveLength(11);
    expect(() => trainWordPieceVocab('abc', { size: 2.5 })).toThrow(/whole number/);
  });

  it('trains on 1 MB of text in a few seconds', () => {
    const t0 = performance.now();
    const { tokens } = trainWordPieceVocab(slice, { size: 4000 });
    const seconds = (performance.now() - t0) / 1000;
    expect(tokens).toHaveLength(4000);
    expect(seconds).toBeLessThan(10); // ~1 s on the 2-core machine; generous for a loaded CI runner
  });
});

// The lab's worker (src/worker/pretrain/runner.ts) with a vocabulary trained on the class's own text:
// trained before step 0 with progress, the models' embeddings follow it, the probe is cut into its
// pieces, and a saved model carries it in its vocab.txt and loads with it.
describe('the lab with a vocabulary trained on the text', () => {
  const BASE = 'http://lab.invalid/';
  function labRunner(messages: FromLab[]): LabRunner {
    return new LabRunner({
      post: (m) => messages.push(m),
      fetchText: (url) => readFile(url.replace(BASE, 'public/'), 'utf8'),
      shippedSource: () => {
        throw new Error('not used here');
      },
      caches: null,
      initBackend: async () => 'node',
      tensors: () => 0,
      now: () => performance.now(),
    });
  }
  async function until(messages: FromLab[], test: (m: FromLab) => boolean, ms = 120_000): Promise<FromLab> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = messages.find(test);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out; last message: ${JSON.stringify(messages.at(-1)).slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const start = (text: string, trainVocab: number): LabStart => ({
    base: BASE,
    text: { kind: 'own', text, trainVocab },
    backend: null,
    evalEvery: 2,
    probe: 'the [MASK] of the whale .',
    budget: { unit: 'steps', value: 2 },
    heldOutWindows: 8,
  });

  beforeAll(async () => {
    await initNodeBackend();
  });

  it('trains the vocabulary first, the models use it, and a save carries it', async () => {
    const messages: FromLab[] = [];
    const runner = labRunner(messages);
    const own = slice.slice(0, 60_000);
    runner.handle({ type: 'start', start: start(own, 500) });
    await until(messages, (m) => m.type === 'state' && m.state === 'done');
    expect(messages.filter((m) => m.type === 'error')).toEqual([]);
    const progress = messages.filter((m): m is Extract<FromLab, { type: 'vocab' }> => m.type === 'vocab');
    expect(progress.at(-1)).toEqual({ type: 'vocab', pieces: 500, size: 500 });
    // All of the vocabulary's progress comes before the models are ready.
    expect(messages.findIndex((m) => m.type === 'ready')).toBeGreaterThan(messages.lastIndexOf(progress.at(-1)!));
    const ready = messages.find((m): m is Extract<FromLab, { type: 'ready' }> => m.type === 'ready')!;
    expect(ready.vocab).toEqual({ kind: 'trained', asked: 500 });
    expect(ready.vocabPieces).toBe(500);
    expect(ready.settings.vocabSize).toBe(500);

    // The probe is cut into the trained pieces: the same as a tokenizer of that vocabulary cuts it.
    runner.handle({ type: 'save', objective: 'causal' });
    const saved = (await until(messages, (m) => m.type === 'saved')) as Extract<FromLab, { type: 'saved' }>;
    const files = new Map(saved.files);
    const vocab = parseVocabText(new TextDecoder().decode(files.get('vocab.txt')));
    expect(vocab).toHaveLength(500);
    // Trained on the training part only: the held-out part stays unseen.
    expect(vocab).toEqual(trainWordPieceVocab(holdOut(own).train, { size: 500 }).tokens);
    const snapshot = messages.find((m): m is Extract<FromLab, { type: 'snapshot' }> => m.type === 'snapshot')!.snapshot;
    const tokenizer = new WordPieceTokenizer(vocab);
    expect(snapshot.tokens).toEqual(['[CLS]', ...tokenizer.tokenize('the [MASK] of the whale .').tokens, '[SEP]']);
    // "whale" is not among 500 pieces: spelt out in trained pieces, not [UNK].
    const whale = tokenizer.tokenize('whale').tokens;
    expect(whale.length).toBeGreaterThan(1);
    expect(whale).not.toContain('[UNK]');
    const bert = await loadModel(memorySource(files));
    try {
      expect(bert.config.vocabSize).toBe(500);
      expect((await encode(bert, 'the [MASK] of the whale .')).tokens).toEqual(snapshot.tokens);
    } finally {
      bert.dispose();
    }
  });

  it('a size outside the range or below the alphabet is a clear error at start', async () => {
    const small: FromLab[] = [];
    labRunner(small).handle({ type: 'start', start: start(slice.slice(0, 60_000), 100) });
    expect(await until(small, (m) => m.type === 'error')).toMatchObject({ during: 'start', message: expect.stringMatching(/200 to 8,192 pieces/) });
    const korean: FromLab[] = [];
    // Chinese characters each stand alone: 300 different ones cannot fit with their "##" forms in 200 pieces.
    const hanzi = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join(' ');
    labRunner(korean).handle({ type: 'start', start: start(`${hanzi}\n${hanzi}`, 200) });
    expect(await until(korean, (m) => m.type === 'error')).toMatchObject({ during: 'start', message: expect.stringMatching(/ask for at least 605/) });
  });
});
