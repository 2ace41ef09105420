// Fine-tuning a sentence classifier: training, determinism, stopping, export to Hugging Face, saving, explaining.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encode, fromCheckpoint, loadModel, type Bert } from '../src/engine/model/bert';
import { loadCheckpoint } from '../src/engine/checkpoint/checkpoint';
import type { LabelledExample } from '../src/engine/training/examples';
import { classify, classifyBatch, tokenAttributions } from '../src/engine/training/head/classify';
import { exportSequenceClassification } from '../src/engine/training/head/exportHf';
import { sentenceFeatures } from '../src/engine/training/head/features';
import type { ClassifierHead } from '../src/engine/training/head/head';
import { headFromJson, headToJson } from '../src/engine/training/head/json';
import { trainHead } from '../src/engine/training/head/train';
import { foldStandardisation, standardisation } from '../src/engine/training/head/standardise';
import { pca2d } from '../src/engine/training/pca';
import { prng } from '../src/engine/util/prng';
import { softmax } from '../src/engine/util/softmax';
import { folderSource, initNodeBackend } from '../src/engine/node';
import { examples } from './sentimentExamples';
import { dense } from '../src/engine/model/ops';
import { parseSafetensors } from '../src/engine/checkpoint/safetensors';
import { memorySource } from '../src/engine/checkpoint/source';

const MLM = 'test/fixtures/checkpoints/tiny-mlm-f32';
const LABELS = ['positive', 'negative'];

let bert: Bert;
let noPooler: Bert;
let linear: ClassifierHead; // mean pooling, trained once and shared by several tests
beforeAll(async () => {
  await initNodeBackend();
  bert = await loadModel(folderSource(MLM));
  const checkpoint = await loadCheckpoint(folderSource(MLM));
  checkpoint.weights.delete('pooler.dense.weight');
  checkpoint.weights.delete('pooler.dense.bias');
  noPooler = fromCheckpoint(checkpoint);
  linear = (await trainHead(bert, examples, { labels: LABELS, validationFraction: 0, epochs: 40 })).head;
});
afterAll(() => {
  bert.dispose();
  noPooler.dispose();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** The engine's own loader on an exported folder. */
async function reload(files: Map<string, Uint8Array>): Promise<Bert> {
  const buffers = new Map([...files].map(([name, bytes]) => [name, bytes.slice().buffer as ArrayBuffer]));
  return loadModel(memorySource(buffers, 'exported'));
}

describe('trainHead', () => {
  it('lowers the loss and fits a separable set (frozen encoder, linear head)', async () => {
    const epochs: number[] = [];
    const progress: string[] = [];
    const { head, history, stopped } = await trainHead(bert, examples, {
      labels: LABELS,
      validationFraction: 0,
      epochs: 60,
      onEpoch: (r) => epochs.push(r.epoch),
      onProgress: (p) => progress.push(p.phase),
    });
    expect(stopped).toBe(false);
    expect(history).toHaveLength(60);
    expect(epochs).toEqual(history.map((h) => h.epoch));
    expect(progress[0]).toBe('features');
    expect(progress[progress.length - 1]).toBe('training');
    expect(history[59].trainLoss).toBeLessThan(history[0].trainLoss * 0.6);
    expect(history[59].trainAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(history[59].valLoss).toBeNull();
    const predictions = await classifyBatch(bert, head, examples.map((e) => e.text));
    const correct = predictions.filter((p, i) => p.label === examples[i].label).length;
    expect(correct / examples.length).toBeGreaterThanOrEqual(0.9);
    expect(head.layers[0].shape).toEqual([32, 2]);
    expect(head.trainedOn).toEqual({ model: MLM, examples: 24, seed: 0 });
  });

  it('holds out a stratified validation share and reports on it', async () => {
    const { history } = await trainHead(bert, examples, { labels: LABELS, epochs: 3, validationFraction: 0.25 });
    expect(history[2].valLoss).toBeGreaterThan(0);
    // 3 of each label's 12 held out → accuracy is a multiple of 1/6.
    expect(Math.round((history[2].valAccuracy as number) * 6) / 6).toBeCloseTo(history[2].valAccuracy as number, 10);
  });

  it('is deterministic for a seed on the cpu backend (same curves, same head); another seed differs', async () => {
    await tf.setBackend('cpu');
    const cpuBert = await loadModel(folderSource(MLM));
    try {
      const options = { labels: LABELS, epochs: 5, seed: 7, hiddenUnits: 8 };
      const a = await trainHead(cpuBert, examples, options);
      const b = await trainHead(cpuBert, examples, options);
      const c = await trainHead(cpuBert, examples, { ...options, seed: 8 });
      expect(b.history.map(({ ms: _, ...rest }) => rest)).toEqual(a.history.map(({ ms: _, ...rest }) => rest));
      expect(Array.from(b.head.layers[0].kernel)).toEqual(Array.from(a.head.layers[0].kernel));
      expect(Array.from(b.head.layers[1].bias)).toEqual(Array.from(a.head.layers[1].bias));
      expect(Array.from(c.head.layers[0].kernel)).not.toEqual(Array.from(a.head.layers[0].kernel));
    } finally {
      cpuBert.dispose();
      await tf.setBackend('wasm');
    }
  });

  it('stops after the current batch when the signal fires, returning the head so far', async () => {
    const controller = new AbortController();
    const { head, history, stopped } = await trainHead(bert, examples, {
      labels: LABELS,
      epochs: 50,
      signal: controller.signal,
      onEpoch: (r) => {
        if (r.epoch === 2) controller.abort();
      },
    });
    expect(stopped).toBe(true);
    expect(history).toHaveLength(2);
    expect((await classify(bert, head, 'good film')).label).toMatch(/positive|negative/);
  });

  it('retrains the top layer when asked: its weights change, and it fits better than the frozen encoder', async () => {
    const options = { labels: LABELS, validationFraction: 0, epochs: 30, encoderLearningRate: 1e-3 };
    const frozen = await trainHead(bert, examples, options);
    const tuned = await trainHead(bert, examples, { ...options, unfreezeLayers: 1 });
    expect(frozen.head.unfrozen).toBeUndefined();
    const unfrozen = tuned.head.unfrozen!;
    expect(unfrozen.from).toBe(1);
    expect(unfrozen.weights).toHaveLength(16);
    expect(unfrozen.weights.every((w) => w.name.startsWith('encoder.layer.1.'))).toBe(true);
    const query = unfrozen.weights.find((w) => w.name === 'encoder.layer.1.attention.self.query.weight')!;
    expect(query.shape).toEqual([32, 32]);
    const checkpoint = await loadCheckpoint(folderSource(MLM));
    expect(maxDiff(query.values, checkpoint.weights.get('encoder.layer.1.attention.self.query.weight')!.values)).toBeGreaterThan(1e-3);
    expect(tuned.history[29].trainLoss).toBeLessThan(frozen.history[29].trainLoss * 0.8);
    // classify uses the retrained layer: its features differ from the base model's.
    const base = await sentenceFeatures(bert, ['good film'], 'mean');
    const mine = await sentenceFeatures(bert, ['good film'], 'mean', { head: tuned.head });
    expect(maxDiff(base[0], mine[0])).toBeGreaterThan(1e-3);
  });

  it("dense's hand-written gradient (explicit transposes, fast on wasm) equals matMul's own", () => {
    const [x, kernel, bias] = [tf.randomNormal([2, 5, 6], 0, 1, 'float32', 1), tf.randomNormal([6, 3], 0, 1, 'float32', 2), tf.randomNormal([3], 0, 1, 'float32', 3)];
    const ours = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
      dense(x, { kernel: k as tf.Tensor2D, bias: b as tf.Tensor1D }).square().sum() as tf.Scalar;
    const reference = (x: tf.Tensor, k: tf.Tensor, b: tf.Tensor) => tf.matMul(x.reshape([-1, 6]), k).add(b).square().sum() as tf.Scalar;
    const [g, r] = [tf.grads(ours)([x, kernel, bias]), tf.grads(reference)([x, kernel, bias])];
    g.forEach((gi, i) => {
      expect(gi.shape).toEqual(r[i].shape);
      expect(maxDiff(gi.dataSync(), r[i].dataSync())).toBeLessThan(1e-4);
    });
    tf.dispose([x, kernel, bias, ...g, ...r]);
  });

  it('rejects bad input with messages that name the problem', async () => {
    const train = (ex: LabelledExample[], labels = LABELS) => trainHead(bert, ex, { labels, epochs: 1 });
    await expect(train([])).rejects.toThrow('no training examples');
    await expect(train(examples, ['positive'])).rejects.toThrow('at least 2 labels (got 1)');
    await expect(train(examples, ['a', 'a'])).rejects.toThrow('label "a" is listed twice');
    await expect(train([...examples, { text: 'meh', label: 'neutral' }])).rejects.toThrow(
      'example 24: label "neutral" is not one of the labels (positive, negative)',
    );
    await expect(train([examples[0], { text: '  ', label: 'negative' }])).rejects.toThrow('example 1: the text is empty');
    await expect(trainHead(bert, examples, { labels: LABELS, unfreezeLayers: 3 })).rejects.toThrow(
      "unfreezeLayers 3 is more than the model's 2 layers",
    );
    await expect(classify(bert, linear, '')).rejects.toThrow('the text is empty');
  });

  it('reads the hidden states at the unfrozen layer without running the whole model (BertModel.hiddenAt / runLayers)', async () => {
    const forward = vi.spyOn(bert.model, 'forward');
    const hiddenAt = vi.spyOn(bert.model, 'hiddenAt');
    try {
      const { head } = await trainHead(bert, examples.slice(0, 8), { labels: LABELS, epochs: 1, unfreezeLayers: 1, validationFraction: 0 });
      await classifyBatch(bert, head, ['good film']);
      await sentenceFeatures(bert, ['good film'], 'cls');
      expect(forward).not.toHaveBeenCalled();
      expect(hiddenAt.mock.calls.map(([, layer]) => layer)).toEqual([1, 1, 2]); // features (one batch), classify, sentenceFeatures
    } finally {
      forward.mockRestore();
      hiddenAt.mockRestore();
    }
  });

  it('leaks no tensors: training (frozen and unfrozen), classifying, features, attributions, export', async () => {
    const before = tf.memory().numTensors;
    await trainHead(bert, examples, { labels: LABELS, epochs: 2 });
    await trainHead(bert, examples, { labels: LABELS, epochs: 1, unfreezeLayers: 1, hiddenUnits: 4 });
    const controller = new AbortController();
    controller.abort();
    await trainHead(bert, examples, { labels: LABELS, epochs: 2, signal: controller.signal });
    await classify(bert, linear, 'good film');
    await sentenceFeatures(bert, ['a', 'the big dog'], 'cls');
    await tokenAttributions(bert, linear, 'i love this film');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaks no tensors classifying single texts with retrained encoder layers (one sentence on wasm fuses Q/K/V per call)', async () => {
    const { head } = await trainHead(bert, examples, { labels: LABELS, epochs: 1, unfreezeLayers: 1 });
    expect(head.unfrozen).toBeDefined();
    const before = tf.memory().numTensors;
    for (const text of ['good film', 'a dull and boring film', 'great']) await classify(bert, head, text);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the standardisation and its fold into the first layer', () => {
  it('measures mean and spread on the chosen rows only (population variance, a 1e-6 floor)', () => {
    const rows = [Float32Array.of(1, 5), Float32Array.of(3, 5), Float32Array.of(100, -100)];
    const { mu, sigma } = standardisation(rows, [0, 1], 2);
    expect(Array.from(mu)).toEqual([2, 5]);
    expect(sigma[0]).toBeCloseTo(Math.sqrt(1 + 1e-6), 7);
    expect(sigma[1]).toBeCloseTo(Math.sqrt(1e-6), 9); // a constant feature is not divided by zero
  });

  it('folds by hand: W = [2, 4]ᵀ, b = 1, μ = (1, 2), σ = (2, 4) → W′ = [1, 1]ᵀ, b′ = 1 − (1·1 + 2·1) = −2', () => {
    const layer = { kernel: Float32Array.of(2, 4), bias: Float32Array.of(1), shape: [2, 1] as [number, number] };
    const folded = foldStandardisation(layer, { mu: Float32Array.of(1, 2), sigma: Float32Array.of(2, 4) });
    expect(Array.from(folded.kernel)).toEqual([1, 1]);
    expect(Array.from(folded.bias)).toEqual([-2]);
    expect(Array.from(layer.kernel)).toEqual([2, 4]); // the input is left alone
    // x = (3, 6): W·((x − μ)/σ) + b = 2·1 + 4·1 + 1 = 7 = 3 + 6 − 2.
    expect(3 * folded.kernel[0] + 6 * folded.kernel[1] + folded.bias[0]).toBe(7);
  });

  it("x·W′ + b′ equals ((x − μ)/σ)·W + b for random layers and inputs, to 1e-6", () => {
    const random = prng(7);
    const uniform = (lo: number, hi: number) => lo + (hi - lo) * random();
    for (let trial = 0; trial < 20; trial++) {
      const [inputs, out] = [1 + Math.floor(random() * 6), 1 + Math.floor(random() * 4)];
      const layer = {
        kernel: Float32Array.from({ length: inputs * out }, () => uniform(-1, 1)),
        bias: Float32Array.from({ length: out }, () => uniform(-1, 1)),
        shape: [inputs, out] as [number, number],
      };
      const scaling = { mu: Float32Array.from({ length: inputs }, () => uniform(-1, 1)), sigma: Float32Array.from({ length: inputs }, () => uniform(0.5, 2)) };
      const folded = foldStandardisation(layer, scaling);
      const x = Array.from({ length: inputs }, () => uniform(-2, 2));
      for (let k = 0; k < out; k++) {
        let raw = folded.bias[k];
        let standardised = layer.bias[k];
        for (let j = 0; j < inputs; j++) {
          raw += x[j] * folded.kernel[j * out + k];
          standardised += ((x[j] - scaling.mu[j]) / scaling.sigma[j]) * layer.kernel[j * out + k];
        }
        expect(Math.abs(raw - standardised)).toBeLessThan(1e-6);
      }
    }
  });

  it("a trained head gives the same logits on raw features as its layers on standardised ones would (trainHead folds it)", async () => {
    const texts = examples.map((e) => e.text);
    const features = await sentenceFeatures(bert, texts, 'mean');
    const { kernel, bias, shape } = linear.layers[0];
    const viaFeatures = features.map((x) => softmax(Array.from({ length: shape[1] }, (_, k) => x.reduce((z, v, j) => z + v * kernel[j * shape[1] + k], bias[k]))));
    const viaClassify = await classifyBatch(bert, linear, texts);
    viaClassify.forEach((c, i) => LABELS.forEach((l, k) => expect(c.probs[l]).toBeCloseTo(viaFeatures[i][k], 5)));
  });
});

describe('classify and tokenAttributions', () => {
  it('gives a probability per label, summing to 1', async () => {
    const r = await classify(bert, linear, 'i love this good film');
    expect(Object.keys(r.probs)).toEqual(LABELS);
    expect(r.probs.positive + r.probs.negative).toBeCloseTo(1, 6);
    expect(r.label).toBe(r.probs.positive > r.probs.negative ? 'positive' : 'negative');
  });

  it('scores every token; the sentiment word pushes towards the prediction; specials score 0', async () => {
    const a = await tokenAttributions(bert, linear, 'very good film');
    expect(a.tokens).toEqual(['[CLS]', 'very', 'good', 'film', '[SEP]']);
    expect(a.scores).toHaveLength(a.tokens.length);
    expect(a.offsets[2]).toEqual([5, 9]);
    expect(a.scores[0]).toBe(0);
    expect(a.scores[4]).toBe(0);
    expect(a.label).toBe('positive');
    // The word that carries the sentiment matters more than the neutral one.
    expect(a.scores[2]).toBeGreaterThan(0);
    expect(a.scores[2]).toBeGreaterThan(a.scores[3]);
  });
});

describe('sentenceFeatures and pca2d', () => {
  it('one vector of the hidden size per text, the same alone as in a batch', async () => {
    const texts = ['good movie', 'i hate this very bad film', 'a'];
    const batch = await sentenceFeatures(bert, texts, 'mean');
    expect(batch.map((v) => v.length)).toEqual([32, 32, 32]);
    const alone = await sentenceFeatures(bert, [texts[1]], 'mean');
    expect(maxDiff(batch[1], alone[0])).toBeLessThan(1e-5);
    // 'mean' is the average of the last layer over the real tokens.
    const e = await encode(bert, texts[0], { hiddenStates: true, pooled: true });
    const last = (e.hiddenStates as Float32Array[])[2];
    const n = e.ids.length;
    const mean = Array.from({ length: 32 }, (_, j) => Array.from({ length: n }, (_, t) => last[t * 32 + j]).reduce((a, b) => a + b) / n);
    expect(maxDiff(batch[0], mean)).toBeLessThan(1e-5);
    // 'cls' is BERT's pooled [CLS] vector.
    const [cls] = await sentenceFeatures(bert, [texts[0]], 'cls');
    expect(maxDiff(cls, e.pooled!)).toBeLessThan(1e-5);
  });

  it('pca2d: points on a line have all variance on the first axis, with a fixed sign', () => {
    const line = [0, 1, 2, 3, 4].map((t) => Float32Array.from([1 + 2 * t, -t, 5]));
    const { points, explained } = pca2d(line);
    expect(explained[0]).toBeCloseTo(1, 6);
    expect(explained[1]).toBeCloseTo(0, 6);
    const norm = Math.sqrt(5);
    points.forEach(([x, y], t) => {
      expect(x).toBeCloseTo((t - 2) * norm, 4); // loading on dim 0 (largest) is positive
      expect(y).toBeCloseTo(0, 6);
    });
  });

  it('pca2d: an axis-aligned cloud recovers the two axes and their variance shares', () => {
    const pts = [
      [3, 0, 0],
      [-3, 0, 0],
      [0, 1, 0],
      [0, -1, 0],
    ].map((p) => Float32Array.from(p));
    const { points, explained } = pca2d(pts);
    expect(explained[0]).toBeCloseTo(0.9, 6);
    expect(explained[1]).toBeCloseTo(0.1, 6);
    expect(points.map(([x, y]) => [Math.round(x * 1e6) / 1e6, Math.round(y * 1e6) / 1e6])).toEqual([
      [3, 0],
      [-3, 0],
      [0, 1],
      [0, -1],
    ]);
    expect(pca2d(pts)).toEqual({ points, explained }); // deterministic
  });
});

describe('headToJson / headFromJson', () => {
  it('round-trips exactly', async () => {
    const { head } = await trainHead(bert, examples, { labels: LABELS, epochs: 1, hiddenUnits: 3, unfreezeLayers: 1 });
    const back = headFromJson(headToJson(head));
    expect(back.labels).toEqual(head.labels);
    expect(back.hiddenUnits).toBe(3);
    expect(back.layers.map((l) => l.shape)).toEqual([
      [32, 3],
      [3, 2],
    ]);
    expect(Array.from(back.layers[0].kernel)).toEqual(Array.from(head.layers[0].kernel));
    expect(Array.from(back.unfrozen!.weights[5].values)).toEqual(Array.from(head.unfrozen!.weights[5].values));
    const [p, q] = await Promise.all([classify(bert, head, 'good film'), classify(bert, back, 'good film')]);
    expect(q).toEqual(p);
  });

  it('says what is wrong with a bad file', () => {
    const good = JSON.parse(headToJson(linear));
    const bad = (patch: Record<string, unknown>) => () => headFromJson(JSON.stringify({ ...good, ...patch }));
    expect(() => headFromJson('{')).toThrow('head JSON: not valid JSON');
    expect(bad({ format: 'other' })).toThrow('"format" must be');
    expect(bad({ labels: ['only'] })).toThrow('"labels" must be a list of at least 2');
    expect(bad({ pooling: 'max' })).toThrow('"pooling" must be "cls" or "mean"');
    expect(bad({ labels: ['a', 'b', 'c'] })).toThrow('the last layer has 2 outputs for 3 labels');
    expect(bad({ layers: [{ ...good.layers[0], bias: 'AAAA' }] })).toThrow('layers[0].bias has 3 bytes but its shape needs 2 float32 values (8 bytes)');
    expect(bad({ hiddenUnits: 4 })).toThrow('"layers" must list 2 layer(s) for hiddenUnits 4');
  });

  it('refuses a head made for another model', async () => {
    const other = await loadModel(folderSource('test/fixtures/checkpoints/tiny-cls'));
    try {
      const wide = { ...linear, layers: [{ ...linear.layers[0], shape: [64, 2] as [number, number], kernel: new Float32Array(128) }] };
      await expect(classify(other, wide, 'good')).rejects.toThrow(/hidden size 64 .* has 32/);
    } finally {
      other.dispose();
    }
  });
});

describe('exportSequenceClassification', () => {
  it('writes a BertForSequenceClassification folder that the loader reads back with identical predictions', async () => {
    const { head } = await trainHead(bert, examples, { labels: LABELS, epochs: 10, pooling: 'cls', unfreezeLayers: 1 });
    const files = exportSequenceClassification(bert, head);
    expect([...files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(config.architectures).toEqual(['BertForSequenceClassification']);
    expect(config.id2label).toEqual({ 0: 'positive', 1: 'negative' });
    expect(config.label2id).toEqual({ positive: 0, negative: 1 });
    expect(config.num_labels).toBe(2);
    expect(config.hidden_size).toBe(32);
    const st = parseSafetensors('model.safetensors', files.get('model.safetensors')!.slice().buffer as ArrayBuffer);
    expect(st.tensors.get('classifier.weight')!.shape).toEqual([2, 32]);
    expect(st.tensors.has('bert.pooler.dense.weight')).toBe(true);
    expect(st.tensors.has('bert.encoder.layer.1.output.dense.weight')).toBe(true);
    expect([...st.tensors.keys()].some((n) => n.startsWith('cls.'))).toBe(false);

    const exported = await reload(files);
    try {
      expect(exported.config.labels).toEqual(LABELS);
      for (const text of ['i love this film', 'what a bad movie', 'the cat sat on the mat']) {
        const ours = await classify(bert, head, text);
        const theirs = softmax((await encode(exported, text)).classifierLogits!);
        expect(maxDiff(theirs, [ours.probs.positive, ours.probs.negative])).toBeLessThan(1e-5);
      }
    } finally {
      exported.dispose();
    }
  });

  it('a model without a pooler exports the identity pooler that its cls head was trained on', async () => {
    const { head } = await trainHead(noPooler, examples, { labels: LABELS, epochs: 5, pooling: 'cls' });
    const exported = await reload(exportSequenceClassification(noPooler, head));
    try {
      const ours = await classify(noPooler, head, 'good movie');
      const theirs = softmax((await encode(exported, 'good movie')).classifierLogits!);
      expect(maxDiff(theirs, [ours.probs.positive, ours.probs.negative])).toBeLessThan(1e-5);
    } finally {
      exported.dispose();
    }
  });

  it('refuses heads that BertForSequenceClassification cannot express, saying why', async () => {
    expect(() => exportSequenceClassification(bert, linear)).toThrow(/pooling 'cls'.*mean of all tokens/);
    const twoLayer = (await trainHead(bert, examples, { labels: LABELS, epochs: 1, pooling: 'cls', hiddenUnits: 4 })).head;
    expect(() => exportSequenceClassification(bert, twoLayer)).toThrow(/only a linear head \(hiddenUnits 0\)/);
  });
});
