/**
 * npx tsx bench/finetune.ts [--json] [--seeds N] [--test N] [--model DIR]
 *
 * Fine-tuning a sentiment head, measured in Node (the WebGPU-in-Chromium
 * timing is measured by bench/run.ts):
 *  1. time to train a head on 64 examples × 30 epochs (sentence features, then
 *     training), on the cpu and wasm backends;
 *  2. few-shot accuracy on the UCI "sentiment labelled sentences" that ship
 *     with the npm `sentiment` package (amazon, imdb, yelp: 1000 sentences each,
 *     half positive) when the head sees 16/32/64/128 balanced examples, over
 *     several seeds (mean ± sd), tested on held-out sentences — for both
 *     poolings, against a bag-of-words logistic regression on the same examples.
 *
 * Uses the shipped model public/weights/bert-mini when it exists, else the tiny
 * random test fixture (whose 61-token vocabulary cannot read these sentences:
 * expect chance level; the numbers then only show that the pipeline runs).
 * Prints a table on stderr, then JSON on stdout (`--json`: JSON only).
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadModel, type Bert } from '../src/engine/bert';
import { prng, sentenceFeatures, trainHead, type ClassifierHead, type LabelledExample, type Pooling } from '../src/engine/finetune';
import { folderSource, initNodeBackend } from '../src/engine/node';

const SHIPPED = 'public/weights/bert-mini';
const FIXTURE = 'test/fixtures/checkpoints/tiny-mlm-f32';
const DATASETS = ['amazon', 'imdb', 'yelp'] as const;
const SHOTS = [16, 32, 64, 128];
const LABELS = ['negative', 'positive']; // class 0, class 1

export interface TimingRow {
  backend: string;
  examples: number;
  epochs: number;
  featuresMs: number;
  trainingMs: number;
  totalMs: number;
}

export interface AccuracyRow {
  dataset: string;
  shots: number;
  method: 'bert-mean' | 'bert-cls' | 'bag-of-words';
  mean: number;
  sd: number;
  seeds: number;
}

export interface FinetuneBenchResult {
  model: string;
  modelNote: string;
  test: number;
  timing: TimingRow[];
  accuracy: AccuracyRow[];
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function load(dataset: string): LabelledExample[] {
  const rows = JSON.parse(readFileSync(`node_modules/sentiment/test/fixtures/${dataset}.json`, 'utf8')) as {
    text: string;
    class: number;
  }[];
  return rows.filter((r) => r.text.trim() !== '').map((r) => ({ text: r.text, label: LABELS[r.class] }));
}

function shuffled<T>(xs: T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A fixed balanced test set, and the rest as the pool training examples are drawn from. */
function split(all: LabelledExample[], test: number): { pool: LabelledExample[]; testSet: LabelledExample[] } {
  const random = prng(12345);
  const byLabel = LABELS.map((l) => shuffled(all.filter((e) => e.label === l), random));
  const testSet = byLabel.flatMap((xs) => xs.slice(0, test / 2));
  const pool = byLabel.flatMap((xs) => xs.slice(test / 2));
  return { pool, testSet };
}

function balancedSample(pool: LabelledExample[], n: number, seed: number): LabelledExample[] {
  const random = prng(1000 + seed);
  return LABELS.flatMap((l) => shuffled(pool.filter((e) => e.label === l), random).slice(0, n / 2));
}

/** Accuracy of a linear head on precomputed sentence vectors (no second forward pass per head). */
function headAccuracy(head: ClassifierHead, features: Float32Array[], truth: LabelledExample[]): number {
  const { kernel, bias, shape } = head.layers[0];
  const [H, C] = shape;
  let correct = 0;
  features.forEach((x, n) => {
    const logits = Array.from(bias);
    for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) logits[c] += x[i] * kernel[i * C + c];
    if (head.labels[logits.indexOf(Math.max(...logits))] === truth[n].label) correct++;
  });
  return correct / features.length;
}

/** The baseline: binary bag-of-words logistic regression (L2), full-batch gradient descent. */
function bagOfWords(train: LabelledExample[], testSet: LabelledExample[]): number {
  const words = (t: string) => [...new Set(t.toLowerCase().match(/[a-z']+/g) ?? [])];
  const vocab = new Map<string, number>();
  for (const e of train) for (const w of words(e.text)) if (!vocab.has(w)) vocab.set(w, vocab.size);
  const encode = (t: string) => words(t).flatMap((w) => (vocab.has(w) ? [vocab.get(w) as number] : []));
  const X = train.map((e) => encode(e.text));
  const y = train.map((e) => (e.label === 'positive' ? 1 : 0));
  const w = new Float64Array(vocab.size);
  let b = 0;
  const lambda = 1e-2;
  const lr = 0.5;
  for (let step = 0; step < 300; step++) {
    const grad = new Float64Array(vocab.size);
    let gb = 0;
    X.forEach((xs, n) => {
      const z = b + xs.reduce((s, j) => s + w[j], 0);
      const err = 1 / (1 + Math.exp(-z)) - y[n];
      for (const j of xs) grad[j] += err / X.length;
      gb += err / X.length;
    });
    for (let j = 0; j < w.length; j++) w[j] -= lr * (grad[j] + lambda * w[j]);
    b -= lr * gb;
  }
  let correct = 0;
  for (const e of testSet) {
    const z = b + encode(e.text).reduce((s, j) => s + w[j], 0);
    if ((z > 0 ? 'positive' : 'negative') === e.label) correct++;
  }
  return correct / testSet.length;
}

const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length - 1, 1));
  return { mean, sd };
};

async function timing(location: string, backend: 'cpu' | 'wasm', examples: LabelledExample[]): Promise<TimingRow> {
  await initNodeBackend([backend]);
  const bert = await loadModel(folderSource(location));
  try {
    await trainHead(bert, examples.slice(0, 8), { labels: LABELS, epochs: 1 }); // warm-up
    const started = performance.now();
    let trainingFrom = started;
    await trainHead(bert, examples, {
      labels: LABELS,
      epochs: 30,
      onProgress: (p) => {
        if (p.phase === 'training' && trainingFrom === started) trainingFrom = performance.now();
      },
    });
    const total = performance.now() - started;
    return {
      backend: tf.getBackend(),
      examples: examples.length,
      epochs: 30,
      featuresMs: trainingFrom - started,
      trainingMs: total - (trainingFrom - started),
      totalMs: total,
    };
  } finally {
    bert.dispose();
  }
}

/** The 64 balanced amazon sentences every timing uses (also in the browser, by bench/run.ts). */
export function finetuneTimingSet(): LabelledExample[] {
  return balancedSample(load('amazon'), 64, 0);
}

export async function finetuneBench(
  options: { seeds?: number; test?: number; model?: string; say?: (line: string) => void } = {},
): Promise<FinetuneBenchResult> {
  const seeds = options.seeds ?? 3;
  const test = options.test ?? 200;
  const say = options.say ?? (() => {});
  const shipped = existsSync(`${SHIPPED}/config.json`);
  const location = options.model ?? (shipped ? SHIPPED : FIXTURE);
  const modelNote =
    options.model !== undefined
      ? 'chosen with --model'
      : shipped
        ? 'the shipped bert-mini'
        : `${SHIPPED} not found: using the tiny random test fixture, whose vocabulary cannot read these sentences (chance-level accuracy expected)`;
  say(`model: ${location} (${modelNote})`);

  const timingSet = finetuneTimingSet();
  const timingRows: TimingRow[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    const row = await timing(location, backend, timingSet);
    timingRows.push(row);
    say(`${backend}: 64 examples × 30 epochs: features ${row.featuresMs.toFixed(0)} ms + training ${row.trainingMs.toFixed(0)} ms = ${row.totalMs.toFixed(0)} ms`);
  }

  await initNodeBackend(['wasm', 'cpu']);
  const bert: Bert = await loadModel(folderSource(location));
  const accuracy: AccuracyRow[] = [];
  try {
    for (const dataset of DATASETS) {
      const { pool, testSet } = split(load(dataset), test);
      const testFeatures = {
        mean: await sentenceFeatures(bert, testSet.map((e) => e.text), 'mean'),
        cls: await sentenceFeatures(bert, testSet.map((e) => e.text), 'cls'),
      };
      for (const shots of SHOTS) {
        const scores: Record<AccuracyRow['method'], number[]> = { 'bert-mean': [], 'bert-cls': [], 'bag-of-words': [] };
        for (let seed = 0; seed < seeds; seed++) {
          const train = balancedSample(pool, shots, seed);
          for (const pooling of ['mean', 'cls'] as Pooling[]) {
            // All examples train the head (no validation split), as the baseline uses them all.
            const { head } = await trainHead(bert, train, { labels: LABELS, pooling, seed, validationFraction: 0 });
            scores[`bert-${pooling}`].push(headAccuracy(head, testFeatures[pooling], testSet));
          }
          scores['bag-of-words'].push(bagOfWords(train, testSet));
        }
        for (const method of ['bert-mean', 'bert-cls', 'bag-of-words'] as const) {
          const { mean, sd } = stats(scores[method]);
          accuracy.push({ dataset, shots, method, mean, sd, seeds });
        }
        const cell = (m: AccuracyRow['method']) => {
          const { mean, sd } = stats(scores[m]);
          return `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
        };
        say(`${dataset.padEnd(7)} ${String(shots).padStart(4)} shots   bert-mean ${cell('bert-mean')}   bert-cls ${cell('bert-cls')}   bag-of-words ${cell('bag-of-words')}`);
      }
    }
  } finally {
    bert.dispose();
  }
  return { model: location, modelNote, test, timing: timingRows, accuracy };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const jsonOnly = process.argv.includes('--json');
  const say = (line: string) => {
    if (!jsonOnly) process.stderr.write(line + '\n');
  };
  const modelAt = process.argv.indexOf('--model');
  const model = modelAt >= 0 ? process.argv[modelAt + 1] : undefined;
  finetuneBench({ seeds: arg('seeds', 3), test: arg('test', 200), model, say })
    .then((result) => process.stdout.write(JSON.stringify(result, null, jsonOnly ? 0 : 2) + '\n'))
    .catch((error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
