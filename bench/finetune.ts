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
import {
  type Bert,
  folderSource,
  initNodeBackend,
  type LabelledExample,
  linearHeadAccuracy as headAccuracy,
  loadModel,
  type Pooling,
  predictBagOfWords,
  prng,
  sentenceFeatures,
  shuffle,
  stats,
  trainBagOfWords,
  trainHead,
} from '../src/engine/node';

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

const shuffled = <T,>(xs: T[], random: () => number): T[] => shuffle([...xs], random);

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
          const bow = trainBagOfWords(train, LABELS);
          scores['bag-of-words'].push(testSet.filter((e) => predictBagOfWords(bow, e.text) === e.label).length / testSet.length);
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
