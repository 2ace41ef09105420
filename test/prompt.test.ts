// Classification by filling a blank: patterns, verbalizers, calibration, the few-parameter fit, verbalizer search,
// saving, and the few-shot experiment runner — exact on tiny synthetic cases, and real on the tiny test models.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillMask, fromCheckpoint, loadModel, maskLogProbs, type Bert } from '../src/engine/model/bert';
import { predictBagOfWords, trainBagOfWords, words } from '../src/engine/training/bow';
import { balancedDraw, crossValidationDatasets, runFewShot, sentimentDataset, type FewShotDataset } from '../src/engine/training/fewshot';
import type { LabelledExample } from '../src/engine/training/examples';
import { folderSource, initNodeBackend } from '../src/engine/node';
import { examples } from './sentimentExamples';
import { DEFAULT_PATTERN, parsePattern, promptQuery } from '../src/engine/training/prompt/pattern';
import { prng } from '../src/engine/util/prng';
import { calibrationFrom, labelScores, type PromptClassifier } from '../src/engine/training/prompt/classifier';
import { classifyLogProbs, classifyPrompt } from '../src/engine/training/prompt/classify';
import { fitLabelWeights } from '../src/engine/training/prompt/fit';
import { promptFromJson, promptToJson } from '../src/engine/training/prompt/json';
import { searchVerbalizer } from '../src/engine/training/prompt/search';
import { trainPrompt, zeroShotPrompt } from '../src/engine/training/prompt/train';
import { defaultVerbalizer, parseVerbalizer, verbalizerIds } from '../src/engine/training/prompt/verbalizer';
import { randomCheckpoint } from '../src/engine/checkpoint/random';

const MLM = 'test/fixtures/checkpoints/tiny-mlm-f32';
const DECODER = 'test/fixtures/checkpoints/tiny-decoder';
const LABELS = ['positive', 'negative'];

let bert: Bert;
let decoder: Bert;
beforeAll(async () => {
  await initNodeBackend();
  bert = await loadModel(folderSource(MLM));
  decoder = await loadModel(folderSource(DECODER));
});
afterAll(() => {
  bert.dispose();
  decoder.dispose();
});

/** A Bert whose vocabulary is the given words (after the specials), random weights: for verbalizer search on made-up rows. */
function wordModel(vocab: string[]): Bert {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const checkpoint = randomCheckpoint({ layers: 1, hidden: 8, heads: 2, intermediate: 16, vocabSize: specials.length + vocab.length, maxPositions: 16 });
  return fromCheckpoint({ ...checkpoint, vocabText: [...specials, ...vocab].join('\n') + '\n' });
}

describe('patterns', () => {
  it('accepts the default pattern and reads the blank after the sentence', () => {
    const p = parsePattern(bert.tokenizer, '{text} it was [MASK] .');
    const q = promptQuery(bert.tokenizer, p, 'good movie');
    expect(q.encoding.tokens).toEqual(['[CLS]', 'good', 'movie', 'it', 'was', '[MASK]', '.', '[SEP]']);
    expect(q.position).toBe(5);
    expect(q.filled).toBe('good movie it was [MASK] .');
    expect(q.encoding.truncated).toBe(false);
    expect(parsePattern(bert.tokenizer, DEFAULT_PATTERN).source).toBe(DEFAULT_PATTERN);
  });

  it('refuses a pattern without {text}, without a [MASK] or with two', () => {
    expect(() => parsePattern(bert.tokenizer, 'it was [MASK].')).toThrow(/no \{text\}/);
    expect(() => parsePattern(bert.tokenizer, '{text} it was good.')).toThrow(/exactly one \[MASK\].*has 0/);
    expect(() => parsePattern(bert.tokenizer, '[MASK] {text} [MASK]')).toThrow(/exactly one \[MASK\].*has 2/);
    expect(() => parsePattern(bert.tokenizer, '{text} {text} [MASK]')).toThrow(/more than once/);
  });

  it('cuts a long sentence from its end and never the pattern', () => {
    // The tiny model has 24 positions: [CLS] + 21 + "[MASK] ." ... leaves room for 24 − 2 − 3 = 19 pieces.
    const p = parsePattern(bert.tokenizer, '{text} was [MASK] .');
    const long = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'good' : 'movie')).join(' ');
    const q = promptQuery(bert.tokenizer, p, long);
    expect(q.encoding.ids.length).toBe(bert.tokenizer.maxLength);
    expect(q.encoding.truncated).toBe(true);
    expect(q.encoding.tokens.slice(-4)).toEqual(['was', '[MASK]', '.', '[SEP]']);
    expect(q.encoding.tokens[q.position]).toBe('[MASK]');
    expect(q.filled.endsWith(' was [MASK] .')).toBe(true);
    expect(q.filled.length).toBeLessThan(long.length);
  });

  it('works with the blank before the sentence', () => {
    const q = promptQuery(bert.tokenizer, parsePattern(bert.tokenizer, '[MASK] : {text}'), 'sad film');
    expect(q.position).toBe(1);
    expect(q.encoding.tokens).toEqual(['[CLS]', '[MASK]', ':', 'sad', 'film', '[SEP]'].map((t) => (bert.tokenizer.hasToken(t) ? t : '[UNK]')));
  });
});

describe('verbalizers', () => {
  it('parses label=word lists and says what is wrong', () => {
    expect(parseVerbalizer('positive=good,great; negative = bad ,terrible')).toEqual({ positive: ['good', 'great'], negative: ['bad', 'terrible'] });
    expect(() => parseVerbalizer('positive good')).toThrow(/label=word/);
    expect(() => parseVerbalizer('positive=')).toThrow(/no words/);
    expect(() => parseVerbalizer('a=x;a=y')).toThrow(/twice/);
  });

  it('refuses words that are several pieces, unknown, or shared by two labels', () => {
    expect(verbalizerIds(bert, LABELS, { positive: ['good', 'happy'], negative: ['bad'] })).toEqual([
      [bert.tokenizer.tokenToId('good'), bert.tokenizer.tokenToId('happy')],
      [bert.tokenizer.tokenToId('bad')],
    ]);
    expect(() => verbalizerIds(bert, LABELS, { positive: ['unhappy'], negative: ['bad'] })).toThrow(/"unhappy".*2 pieces.*un ##happy/);
    expect(() => verbalizerIds(bert, LABELS, { positive: ['zebra'], negative: ['bad'] })).toThrow(/not in this model's vocabulary/);
    expect(() => verbalizerIds(bert, LABELS, { positive: ['good'], negative: ['good'] })).toThrow(/both/);
    expect(() => verbalizerIds(bert, LABELS, { positive: ['good'] })).toThrow(/"negative" has no words/);
  });

  it('knows words for sentiment label names, and none for names it cannot read', () => {
    expect(defaultVerbalizer(bert, ['positive', 'negative'])).toEqual({ positive: ['good'], negative: ['bad'] });
    expect(defaultVerbalizer(bert, ['pos', 'neg'])).toEqual({ pos: ['good'], neg: ['bad'] });
    expect(defaultVerbalizer(bert, ['cat', 'dog'])).toEqual({ cat: ['cat'], dog: ['dog'] });
    expect(defaultVerbalizer(bert, ['sports', 'politics'])).toBeNull();
  });
});

describe('scores, calibration and the fit', () => {
  it('scores a label by log Σ P(word) and calibrates by the content-free mean', () => {
    const row = Float32Array.from([Math.log(0.5), Math.log(0.2), Math.log(0.1), Math.log(0.2)]);
    expect(labelScores(row, [[0, 2], [1]])).toEqual([expect.closeTo(Math.log(0.6), 6), expect.closeTo(Math.log(0.2), 6)]);
    const cf = [Float32Array.from([0, -1, -2, -3]), Float32Array.from([-2, -3, -4, -5])];
    expect(calibrationFrom(cf, [[0], [1]])).toEqual([-1, -2]);
  });

  it('stays at the zero-shot prior without examples and finds the optimum with them', () => {
    expect(fitLabelWeights([], [], 2, [1, 0])).toEqual({ weights: [[1, 0], [1, 0]], bias: [0, 0] });
    // Label 1 wins whenever x1 − x0 > 0.5: the fit must move the threshold, i.e. bias_0 − bias_1 > 0.
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      const d = -1 + (2 * i) / 39;
      x.push([0, d]);
      y.push(d > 0.5 ? 1 : 0);
    }
    const l2 = 0.5;
    const fit = fitLabelWeights(x.map((xi) => xi.map((v) => [v])), y, 2, [1], { l2 });
    const scale = fit.weights.map((w) => w[0]);
    const bias = fit.bias;
    // Optimality: the gradient of mean cross-entropy + (l2/n)Σ((a−1)² + b²) is zero at the answer.
    const n = x.length;
    const grad = [0, 0, 0, 0];
    x.forEach((xi, i) => {
      const z = xi.map((v, c) => scale[c] * v + bias[c]);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const p = e.map((v) => v / (e[0] + e[1]));
      for (let c = 0; c < 2; c++) {
        const r = p[c] - (y[i] === c ? 1 : 0);
        grad[c] += (r * xi[c]) / n;
        grad[2 + c] += r / n;
      }
    });
    [scale[0] - 1, scale[1] - 1, bias[0], bias[1]].forEach((d, k) => (grad[k] += ((2 * l2) / n) * d));
    for (const g of grad) expect(Math.abs(g)).toBeLessThan(1e-9);
    const correct = x.filter((xi, i) => (scale[1] * xi[1] + bias[1] > scale[0] * xi[0] + bias[0] ? 1 : 0) === y[i]).length;
    expect(correct).toBeGreaterThanOrEqual(36);
    expect(bias[0] - bias[1]).toBeGreaterThan(0);
  });

  it('a stronger prior keeps the fit nearer the zero-shot classifier', () => {
    const x = [[0, 1], [0, 0.8], [0, -1], [0, 0.9]].map((xi) => xi.map((v) => [v]));
    const y = [0, 0, 1, 0]; // the examples say the words point the other way
    const weak = fitLabelWeights(x, y, 2, [1], { l2: 0.01 });
    const strong = fitLabelWeights(x, y, 2, [1], { l2: 100 });
    expect(Math.abs(strong.weights[1][0] - 1)).toBeLessThan(Math.abs(weak.weights[1][0] - 1));
    expect(strong.weights[1][0]).toBeGreaterThan(0.9);
    expect(weak.weights[1][0]).toBeLessThan(0);
  });

  it('found words start at weight 0 and gain weight only as the examples support them', () => {
    // Group 0 (the label words) says nothing here; group 1 (found words) separates the labels.
    const x: number[][][] = [];
    const y: number[] = [];
    for (let i = 0; i < 30; i++) {
      const label = i % 2;
      x.push([
        [0, label === 0 ? 1 : -1],
        [0, label === 1 ? 1 : -1],
      ]);
      y.push(label);
    }
    const few = fitLabelWeights(x.slice(0, 2), y.slice(0, 2), 2, [1, 0], { l2: 5 });
    const many = fitLabelWeights(x, y, 2, [1, 0], { l2: 5 });
    expect(many.weights[0][1]).toBeGreaterThan(few.weights[0][1]);
    expect(few.weights[0][1]).toBeGreaterThan(0);
    // Every example right with the fitted weights.
    const right = x.filter((xi, i) => {
      const z = xi.map((xc, c) => many.weights[c][0] * xc[0] + many.weights[c][1] * xc[1] + many.bias[c]);
      return (z[1] > z[0] ? 1 : 0) === y[i];
    }).length;
    expect(right).toBe(30);
  });
});

describe('verbalizer search', () => {
  it('picks, per label, the words whose blank probability separates its examples', () => {
    const model = wordModel(['great', 'awful', 'the', 'movie', 'fine']);
    try {
      const id = (w: string) => model.tokenizer.tokenToId(w);
      const V = model.config.vocabSize;
      const random = prng(3);
      const rows: Float32Array[] = [];
      const targets: number[] = [];
      for (let i = 0; i < 20; i++) {
        const positive = i % 2 === 0;
        const row = new Float32Array(V).fill(-8);
        row[id('the')] = -1 + 0.1 * random(); // probable everywhere: says nothing
        row[id('movie')] = -2 + 0.1 * random();
        row[id('great')] = (positive ? -2 : -5) + 0.3 * random();
        row[id('fine')] = (positive ? -3 : -4) + 0.3 * random();
        row[id('awful')] = (positive ? -5 : -2) + 0.3 * random();
        rows.push(row);
        targets.push(positive ? 0 : 1);
      }
      const { verbalizer, ranking } = searchVerbalizer(model, rows, targets, ['good', 'bad'], { perLabel: 2, candidates: 5 });
      expect(verbalizer.good).toEqual(['great', 'fine']);
      // "awful" separates; the runner-up is one of the words that say nothing (their noise decides which).
      expect(verbalizer.bad[0]).toBe('awful');
      expect(['the', 'movie']).toContain(verbalizer.bad[1]);
      expect(ranking.find((r) => r.label === 'good')?.word).toBe('great');
      // [PAD] and the other specials never compete.
      expect([...verbalizer.good, ...verbalizer.bad].some((w) => w.startsWith('['))).toBe(false);
    } finally {
      model.dispose();
    }
  });
});

describe('the blank read by the model', () => {
  it("reads an encoder's [MASK] row, the same distribution fill-mask shows", async () => {
    const q = promptQuery(bert.tokenizer, parsePattern(bert.tokenizer, '{text} it was [MASK] .'), 'a good movie');
    const [row] = await maskLogProbs(bert, [q]);
    const [fill] = await fillMask(bert, 'a good movie it was [MASK] .', { topK: 3 });
    for (const p of fill.predictions) expect(Math.exp(row[p.id])).toBeCloseTo(p.score, 5);
  });

  it("reads a decoder's guess from the row before the blank (left context only)", async () => {
    const p = parsePattern(decoder.tokenizer, '{text} it was [MASK] .');
    const rows = await maskLogProbs(decoder, ['a good movie', 'a bad movie'].map((t) => promptQuery(decoder.tokenizer, p, t)));
    const [fill] = await fillMask(decoder, 'a good movie it was [MASK] .', { topK: 2 });
    for (const pr of fill.predictions) expect(Math.exp(rows[0][pr.id])).toBeCloseTo(pr.score, 5);
    // What follows the blank cannot matter to a decoder's guess.
    const [a] = await maskLogProbs(decoder, [promptQuery(decoder.tokenizer, parsePattern(decoder.tokenizer, '{text} it was [MASK] good'), 'a movie')]);
    const [b] = await maskLogProbs(decoder, [promptQuery(decoder.tokenizer, parsePattern(decoder.tokenizer, '{text} it was [MASK] bad'), 'a movie')]);
    for (let v = 0; v < a.length; v++) expect(a[v]).toBeCloseTo(b[v], 5);
  });

  it('gives the same rows batched or one by one, and frees its tensors', async () => {
    const p = parsePattern(bert.tokenizer, DEFAULT_PATTERN);
    const texts = examples.slice(0, 6).map((e) => e.text);
    const before = tf.memory().numTensors;
    const batched = await maskLogProbs(bert, texts.map((t) => promptQuery(bert.tokenizer, p, t)), { batchSize: 4 });
    const single = await Promise.all(texts.map(async (t) => (await maskLogProbs(bert, [promptQuery(bert.tokenizer, p, t)]))[0]));
    expect(tf.memory().numTensors).toBe(before);
    batched.forEach((row, i) => {
      for (let v = 0; v < row.length; v += 7) expect(row[v]).toBeCloseTo(single[i][v], 4);
    });
  });
});

describe('zero-shot and few-shot prompt classifiers', () => {
  it('zero-shot: words from the label names, calibrated, scale 1 and bias 0', async () => {
    const zs = await zeroShotPrompt(bert, LABELS);
    expect(zs.verbalizer).toEqual({ positive: ['good'], negative: ['bad'] });
    expect(zs.scale).toEqual([1, 1]);
    expect(zs.bias).toEqual([0, 0]);
    expect(zs.trainedOn).toBeNull();
    await expect(zeroShotPrompt(bert, ['sports', 'politics'])).rejects.toThrow(/no words are known/);
  });

  it('trains deterministically for a seed, searches words and reports held-out accuracy', async () => {
    const options = { labels: LABELS, validationFraction: 0.25, seed: 3 };
    const a = await trainPrompt(bert, examples, options);
    const b = await trainPrompt(bert, examples, options);
    expect(a.classifier).toEqual(b.classifier);
    expect(a.validation.length).toBe(6);
    expect(a.validationAccuracy).not.toBeNull();
    // The label name's words stay the label words; the search's words are a second group with its own weight.
    expect(a.classifier.verbalizer).toEqual({ positive: ['good'], negative: ['bad'] });
    expect(a.classifier.found?.words.positive).toHaveLength(3);
    expect(a.classifier.found?.words.negative).toHaveLength(3);
    expect(a.classifier.found?.words.positive).not.toContain('good');
    expect(a.classifier.found?.scale).toHaveLength(2);
    expect(a.classifier.trainedOn).toEqual({ model: bert.location, examples: 18, seed: 3 });
    const c = await trainPrompt(bert, examples, { ...options, seed: 4 });
    expect(c.validation).not.toEqual(a.validation);
  });

  it('uses a given verbalizer as it is and refuses a bad one before reading anything', async () => {
    const r = await trainPrompt(bert, examples, { labels: LABELS, verbalizer: { positive: ['good', 'happy'], negative: ['bad', 'sad'] } });
    expect(r.classifier.verbalizer).toEqual({ positive: ['good', 'happy'], negative: ['bad', 'sad'] });
    expect(r.classifier.found).toBeNull();
    await expect(trainPrompt(bert, examples, { labels: LABELS, verbalizer: { positive: ['unhappy'], negative: ['bad'] } })).rejects.toThrow(/2 pieces/);
    await expect(trainPrompt(bert, examples, { labels: LABELS, pattern: '{text} good' })).rejects.toThrow(/exactly one \[MASK\]/);
    await expect(trainPrompt(bert, [{ text: 'x', label: 'neutral' }], { labels: LABELS })).rejects.toThrow(/not one of the labels/);
  });

  it('classifies with the blank guesses and the verbalizer words marked', async () => {
    const { classifier } = await trainPrompt(bert, examples, { labels: LABELS });
    const [r] = await classifyPrompt(bert, classifier, ['a very good film'], { topK: 61 });
    expect(Object.keys(r.probs)).toEqual(LABELS);
    expect(r.probs.positive + r.probs.negative).toBeCloseTo(1, 6);
    expect(r.filled).toBe('a very good film It was [MASK].');
    expect(r.guesses).toHaveLength(61);
    // Best first, and the same order fill-mask gives.
    for (let i = 1; i < r.guesses.length; i++) expect(r.guesses[i].probability).toBeLessThanOrEqual(r.guesses[i - 1].probability);
    const [fill] = await fillMask(bert, r.filled, { topK: 5 });
    expect(r.guesses.slice(0, 5).map((g) => g.token)).toEqual(fill.predictions.map((p) => p.token));
    const good = r.guesses.find((g) => g.token === 'good');
    expect(good?.label).toBe('positive');
    expect(r.guesses.find((g) => g.token === 'the')?.label).toBeNull();
    expect(r.wordProbabilities.positive[0]).toMatchObject({ word: 'good', found: false });
    expect(r.wordProbabilities.positive.filter((w) => w.found).map((w) => w.word)).toEqual(classifier.found?.words.positive);
    const foundWord = classifier.found?.words.negative[0];
    expect(r.guesses.find((g) => g.token === foundWord)?.label).toBe('negative');
    // The same numbers as classifying precomputed rows.
    const rows = await maskLogProbs(bert, [promptQuery(bert.tokenizer, parsePattern(bert.tokenizer, classifier.pattern), 'a very good film')]);
    expect(classifyLogProbs(bert, classifier, rows)[0].probs.positive).toBeCloseTo(r.probs.positive, 6);
  });

  it('works on the causal twin: its guess comes from the left context', async () => {
    const r = await trainPrompt(decoder, examples, { labels: LABELS, seed: 1 });
    expect(r.classifier.labels).toEqual(LABELS);
    const [c] = await classifyPrompt(decoder, r.classifier, ['good movie'], { topK: 5 });
    // The guesses are the decoder's own next-word guesses at the blank (fill-mask reads the row before it).
    const [fill] = await fillMask(decoder, c.filled, { topK: 5 });
    expect(c.guesses.map((g) => g.token)).toEqual(fill.predictions.map((p) => p.token));
    c.guesses.forEach((g, i) => expect(g.probability).toBeCloseTo(fill.predictions[i].score, 5));
  });

  it('any number of labels', async () => {
    const three: LabelledExample[] = [
      ...examples,
      { text: 'the cat sat on the mat', label: 'neutral' },
      { text: 'a dog ran under the tree', label: 'neutral' },
      { text: 'the bird is in the house', label: 'neutral' },
    ];
    const r = await trainPrompt(bert, three, { labels: ['positive', 'negative', 'neutral'], seed: 0 });
    expect(r.classifier.scale).toHaveLength(3);
    // The tiny vocabulary has none of "neutral"'s usual words: all three labels then take their found words.
    expect(r.classifier.verbalizer.neutral).toHaveLength(3);
    expect(r.classifier.found).toBeNull();
    const unnamed = await trainPrompt(bert, examples.map((e) => ({ ...e, label: e.label === 'positive' ? 'x' : 'y' })), { labels: ['x', 'y'] });
    expect(unnamed.classifier.found).toBeNull(); // nothing to start from: the found words are the label words
    expect(unnamed.classifier.verbalizer.x).toHaveLength(3);
    expect(unnamed.zeroShotAccuracy).toBeNull();
    const [c] = await classifyPrompt(bert, r.classifier, ['the cat']);
    expect(Object.keys(c.probs)).toEqual(['positive', 'negative', 'neutral']);
  });
});

describe('saving', () => {
  it('round-trips through JSON and names the field of a broken one', async () => {
    const { classifier } = await trainPrompt(bert, examples, { labels: LABELS });
    const json = promptToJson(classifier);
    expect(promptFromJson(json)).toEqual(classifier);
    const broken = (edit: (o: Record<string, unknown>) => void) => {
      const o = JSON.parse(json) as Record<string, unknown>;
      edit(o);
      return JSON.stringify(o);
    };
    expect(() => promptFromJson('{', 'head.json')).toThrow(/head.json: not JSON/);
    expect(() => promptFromJson(broken((o) => (o.format = 'x')))).toThrow(/"format"/);
    expect(() => promptFromJson(broken((o) => (o.scale = [1])))).toThrow(/"scale" must be 2 finite numbers/);
    expect(() => promptFromJson(broken((o) => (o.bias = [0, null])))).toThrow(/"bias"/);
    expect(() => promptFromJson(broken((o) => (o.verbalizer = { positive: ['good'] })))).toThrow(/verbalizer.negative/);
    expect(() => promptFromJson(broken((o) => (o.labels = ['a', 'a'])))).toThrow(/"labels"/);
    expect(() => promptFromJson(broken((o) => ((o.found as Record<string, unknown>).scale = [1, 'x'])))).toThrow(/"found.scale"/);
    expect(() => promptFromJson(broken((o) => ((o.found as Record<string, unknown>).words = { positive: [] })))).toThrow(/"found.words.positive"/);
    expect(promptFromJson(broken((o) => (o.found = null))).found).toBeNull();
    // Version 1 (before found words) reads as found = null; unknown versions are refused.
    expect(promptFromJson(broken((o) => (o.version = 1))).found).toBeNull();
    expect(() => promptFromJson(broken((o) => (o.version = 3)))).toThrow(/unsupported version 3/);
    const overlap: PromptClassifier = { ...classifier, found: { ...(classifier.found as NonNullable<PromptClassifier['found']>), words: { positive: ['good'], negative: ['sad'] } } };
    await expect(classifyPrompt(bert, overlap, ['good'])).rejects.toThrow(/both a label word and a found word/);
    const other: PromptClassifier = { ...classifier, verbalizer: { positive: ['zebra'], negative: ['bad'] } };
    await expect(classifyPrompt(bert, other, ['good'])).rejects.toThrow(/not in this model's vocabulary/);
  });
});

describe('bag of words', () => {
  it('learns which words go with which label, in any script', () => {
    const train: LabelledExample[] = [
      { text: 'Great film', label: 'pos' },
      { text: 'great acting', label: 'pos' },
      { text: 'awful film', label: 'neg' },
      { text: 'awful plot', label: 'neg' },
      { text: '정말 좋아', label: 'pos' },
      { text: '정말 싫어', label: 'neg' },
    ];
    const model = trainBagOfWords(train, ['pos', 'neg']);
    expect(predictBagOfWords(model, 'a great day')).toBe('pos');
    expect(predictBagOfWords(model, 'awful!')).toBe('neg');
    expect(predictBagOfWords(model, '좋아')).toBe('pos');
    expect(words("It's GREAT, great.")).toEqual(["it's", 'great']);
  });
});

describe('the few-shot experiment', () => {
  const rows = Array.from({ length: 60 }, (_, i) => ({ text: `${i % 2 === 0 ? 'good' : 'bad'} movie ${i}`, class: i % 2 === 0 ? 1 : 0 }));

  it('draws balanced examples and splits test from pool', () => {
    const ds = sentimentDataset('toy', rows, 20);
    expect(ds.test).toHaveLength(20);
    expect(ds.pool).toHaveLength(40);
    expect(ds.test.filter((e) => e.label === 'positive')).toHaveLength(10);
    expect(ds.test.some((t) => ds.pool.includes(t))).toBe(false);
    const draw = balancedDraw(ds.pool, ['negative', 'positive'], 7, prng(1));
    expect(draw?.filter((e) => e.label === 'negative')).toHaveLength(4);
    expect(draw?.filter((e) => e.label === 'positive')).toHaveLength(3);
    expect(balancedDraw(ds.pool, ['negative', 'positive'], 60, prng(1))).toBeNull();
  });

  it('cross-validates the user’s examples: every example is tested exactly once', () => {
    const folds = crossValidationDatasets(examples, LABELS, 3, 0);
    expect(folds).toHaveLength(3);
    const tested = folds.flatMap((f) => f.test);
    expect(new Set(tested).size).toBe(examples.length);
    for (const f of folds) expect(f.pool.length + f.test.length).toBe(examples.length);
    expect(() => crossValidationDatasets(examples, LABELS, 1)).toThrow(/folds/);
  });

  it('runs every method on the same draws and reports mean ± sd per cell', async () => {
    const datasets: FewShotDataset[] = [{ ...crossValidationDatasets(examples, LABELS, 2, 0)[0], name: 'toy' }];
    const seen: string[] = [];
    const progress: number[] = [];
    const cells = await runFewShot(datasets, {
      labels: LABELS,
      ks: [0, 4],
      draws: 2,
      main: bert,
      twin: decoder,
      onCell: (c) => seen.push(`${c.method}@${c.k}`),
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(seen).toEqual(['prompt@0', 'twin_prompt@0', 'prompt@4', 'twin_prompt@4', 'head@4', 'twin_head@4', 'scratch@4', 'bow@4']);
    expect(progress.at(-1)).toBe(1);
    for (const c of cells) {
      expect(c.draws).toBe(c.k === 0 ? 1 : 2);
      expect(c.scores).toHaveLength(c.draws);
      expect(c.mean).toBeCloseTo(c.scores.reduce((a, b) => a + b, 0) / c.draws, 10);
      for (const s of c.scores) expect(s).toBeGreaterThanOrEqual(0);
    }
    const again = await runFewShot(datasets, { labels: LABELS, ks: [4], draws: 2, methods: ['prompt', 'bow'], main: bert });
    expect(again.map((c) => c.scores)).toEqual(cells.filter((c) => c.k === 4 && (c.method === 'prompt' || c.method === 'bow')).map((c) => c.scores));
  }, 120_000);

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const datasets: FewShotDataset[] = crossValidationDatasets(examples, LABELS, 2, 0);
    const run = runFewShot(datasets, {
      labels: LABELS,
      ks: [4, 8],
      draws: 3,
      methods: ['prompt', 'bow'],
      main: bert,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 2) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
