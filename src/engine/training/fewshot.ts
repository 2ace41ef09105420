/**
 * "Does pre-training help?" — the experiment behind BERT's central claim, as a
 * learning curve: accuracy on held-out sentences after k labelled examples, for
 *  - prompt:    the pre-trained model fills a blank (prompt/), a few numbers fitted;
 *  - twin_prompt: the same on the causal twin, which guesses the blank from the left context —
 *               exactly its pre-training task when the blank ends the pattern;
 *  - head:      a linear head on the frozen pre-trained model's mean-pooled features;
 *  - twin_head: the same on the causal twin (pre-trained GPT-style);
 *  - scratch:   the same architecture from random initialisation, every encoder
 *               layer and the head trained on the k examples alone;
 *  - bow:       bag-of-words logistic regression (no pre-training, no network).
 * Each (k, method) cell is several random balanced draws of k examples from a
 * pool; every method sees the same draws and the same test sentences.
 *
 * One runner for the page and the benchmark (bench/fewshot.ts): the numbers a
 * class sees are the ones the project reports.
 */
import type { Bert } from '../model/bert';
import { predictBagOfWords, trainBagOfWords } from './bow';
import type { LabelledExample } from './examples';
import { classifyBatch } from './head/classify';
import { sentenceFeatures } from './head/features';
import type { ClassifierHead } from './head/head';
import { trainHead } from './head/train';
import { BertModel } from '../model/model';
import { patternLogProbs } from './prompt/classifier';
import { classifyLogProbs } from './prompt/classify';
import { DEFAULT_PATTERN, parsePattern } from './prompt/pattern';
import { trainPrompt, zeroShotPrompt } from './prompt/train';
import { defaultVerbalizer } from './prompt/verbalizer';
import { prng, shuffle } from '../util/prng';
import { FEWSHOT_METHODS, stats, type FewShotDataset, type FewShotMethod } from './fewshotPlan';

export { crossValidationDatasets, FEWSHOT_METHODS, stats, type FewShotDataset, type FewShotMethod } from './fewshotPlan';
import { throwIfAborted } from '../util/abort';
import { nextTurn } from '../util/turn';
import { randomCheckpoint } from '../checkpoint/random';


export interface FewShotCell {
  dataset: string;
  method: FewShotMethod;
  k: number;
  mean: number;
  /** Sample standard deviation over the draws (0 for one draw). */
  sd: number;
  draws: number;
  /** Accuracy of each draw, in draw order. */
  scores: number[];
}

export interface FewShotOptions {
  labels: string[];
  /** Example counts; 0 is run only by methods that can predict without examples (prompt). */
  ks: number[];
  draws: number;
  /** Default: all; twin_prompt and twin_head are skipped without a twin. */
  methods?: FewShotMethod[];
  /** The pre-trained model: prompt and head run on it; scratch copies its shape and vocabulary. */
  main: Bert;
  twin?: Bert | null;
  /** Default 0: draw d of size k uses the same examples for every method. */
  seed?: number;
  /** Prompt pattern; default DEFAULT_PATTERN. */
  pattern?: string;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number; what: string }) => void;
  onCell?: (cell: FewShotCell) => void;
}

/**
 * Settings for the from-scratch model: Adam at 1e-3 for every weight (the usual
 * step for training a small transformer; the head's 1e-2 for frozen features
 * made its loss diverge here), 10 epochs — each draw trains the whole encoder,
 * ~30× the cost of a frozen head. Fixed on one pool draw (yelp, k = 64: training
 * accuracy 0.5 → 0.69, held-out pool sentences at chance), never on the test sets.
 */
const SCRATCH = { learningRate: 1e-3, encoderLearningRate: 1e-3, epochs: 10, seed: 7 };

/** k examples with the labels as even as k allows (the first labels get the remainder); null when the pool is too small. */
export function balancedDraw(pool: LabelledExample[], labels: string[], k: number, random: () => number): LabelledExample[] | null {
  const out: LabelledExample[] = [];
  for (let c = 0; c < labels.length; c++) {
    const want = Math.floor(k / labels.length) + (c < k % labels.length ? 1 : 0);
    const members = pool.filter((e) => e.label === labels[c]);
    if (members.length < want) return null;
    out.push(...shuffle([...members], random).slice(0, want));
  }
  return out;
}

/** A fixture set ({text, class 0|1}, as in npm `sentiment`) as a fixed balanced test set and the rest as the pool. */
export function sentimentDataset(name: string, rows: { text: string; class: number }[], testSize: number, seed = 12345): FewShotDataset {
  const labels = ['negative', 'positive'];
  const all = rows.filter((r) => typeof r.text === 'string' && r.text.trim() !== '').map((r) => ({ text: r.text.trim(), label: labels[r.class === 1 ? 1 : 0] }));
  const random = prng(seed);
  const byLabel = labels.map((l) => shuffle(all.filter((e) => e.label === l), random));
  const half = Math.floor(testSize / 2);
  return {
    name,
    test: byLabel.flatMap((xs) => xs.slice(0, half)),
    pool: byLabel.flatMap((xs) => xs.slice(half)),
  };
}

/** Accuracy of a linear (no hidden layer) head on precomputed sentence vectors: no second forward pass. */
export function linearHeadAccuracy(head: ClassifierHead, features: Float32Array[], truth: LabelledExample[]): number {
  const { kernel, bias, shape } = head.layers[0];
  const [H, C] = shape;
  let correct = 0;
  features.forEach((x, n) => {
    const logits = Array.from(bias);
    for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) logits[c] += x[i] * kernel[i * C + c];
    if (head.labels[logits.indexOf(Math.max(...logits))] === truth[n].label) correct++;
  });
  return correct / Math.max(features.length, 1);
}

/** The main model's architecture and vocabulary with random weights: what pre-training starts from. */
export function untrainedTwin(main: Bert, seed = SCRATCH.seed): Bert {
  const c = main.config;
  const checkpoint = randomCheckpoint(
    { layers: c.layers, hidden: c.hidden, heads: c.heads, intermediate: c.intermediate, vocabSize: c.vocabSize, maxPositions: c.maxPositions, architecture: 'BertModel' },
    seed,
  );
  const model = new BertModel(checkpoint);
  return {
    ...main,
    model,
    location: `${main.location} (random initialisation)`,
    defaultMask: 'bidirectional',
    bytes: 0,
    dispose: () => model.dispose(),
  };
}

/** Runs every (dataset, k, method) cell; cells arrive through onCell as they finish. */
export async function runFewShot(datasets: FewShotDataset[], options: FewShotOptions): Promise<FewShotCell[]> {
  const { labels, main, signal } = options;
  const seed = options.seed ?? 0;
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  if (!(Number.isInteger(options.draws) && options.draws >= 1)) throw new Error(`draws must be an integer ≥ 1 (got ${options.draws})`);
  for (const k of options.ks) if (!(Number.isInteger(k) && k >= 0)) throw new Error(`k must be a whole number ≥ 0 (got ${k})`);
  const twin = options.twin ?? null;
  const methods = (options.methods ?? FEWSHOT_METHODS).filter((m) => !m.startsWith('twin_') || twin !== null);
  if (methods.includes('prompt')) parsePattern(main.tokenizer, pattern);
  if (methods.includes('twin_prompt')) parsePattern((twin as Bert).tokenizer, pattern);
  const zeroShot = { prompt: defaultVerbalizer(main, labels) !== null, twin_prompt: twin !== null && defaultVerbalizer(twin, labels) !== null };
  // Cells that can run: k = 0 only for the prompts with default words; k ≥ one example per label for the rest.
  const runs = (method: FewShotMethod, k: number) =>
    k === 0 ? (method === 'prompt' || method === 'twin_prompt') && zeroShot[method] : k >= labels.length;
  const units = datasets.length * options.ks.reduce((n, k) => n + methods.filter((m) => runs(m, k)).length * (k === 0 ? 1 : options.draws), 0);
  let done = 0;
  const step = (what: string) => options.onProgress?.({ done: ++done, total: units, what });
  const check = () => throwIfAborted(signal, 'the experiment');
  const cells: FewShotCell[] = [];
  const scratch = methods.includes('scratch') ? untrainedTwin(main) : null;
  try {
    for (const dataset of datasets) {
      check();
      const testTexts = dataset.test.map((e) => e.text);
      options.onProgress?.({ done, total: units, what: `${dataset.name}: reading the test sentences` });
      // Frozen models: the test set's blank guesses and sentence vectors are computed once per dataset.
      const testLogProbs = {
        prompt: methods.includes('prompt') ? await patternLogProbs(main, pattern, testTexts, { signal }) : [],
        twin_prompt: methods.includes('twin_prompt') ? await patternLogProbs(twin as Bert, pattern, testTexts, { signal }) : [],
      };
      const testFeatures = methods.includes('head') ? await sentenceFeatures(main, testTexts, 'mean', { signal }) : [];
      const twinFeatures = methods.includes('twin_head') ? await sentenceFeatures(twin as Bert, testTexts, 'mean', { signal }) : [];
      const accuracyOf = (predicted: string[]) => predicted.filter((p, i) => p === dataset.test[i].label).length / Math.max(predicted.length, 1);
      for (const k of options.ks) {
        const draws = k === 0 ? 1 : options.draws;
        const scores = new Map<FewShotMethod, number[]>(methods.map((m) => [m, []]));
        for (let d = 0; d < draws; d++) {
          const train = k === 0 ? [] : balancedDraw(dataset.pool, labels, k, prng(seed * 100_003 + k * 1009 + d));
          if (train === null) break; // the pool has too few examples of some label for this k
          const drawSeed = seed + d;
          for (const method of methods) {
            if (!runs(method, k)) continue;
            check();
            let accuracy: number;
            if (method === 'prompt' || method === 'twin_prompt') {
              const bert = method === 'prompt' ? main : (twin as Bert);
              const classifier =
                k === 0
                  ? await zeroShotPrompt(bert, labels, { pattern, signal })
                  : (await trainPrompt(bert, train, { labels, pattern, seed: drawSeed, signal })).classifier;
              accuracy = accuracyOf(classifyLogProbs(bert, classifier, testLogProbs[method]).map((c) => c.label));
            } else if (method === 'head' || method === 'twin_head') {
              const bert = method === 'head' ? main : (twin as Bert);
              // Mean pooling and a linear head: what linearHeadAccuracy reads on the precomputed test vectors.
              const { head } = await trainHead(bert, train, { labels, seed: drawSeed, validationFraction: 0, pooling: 'mean', hiddenUnits: 0, signal });
              accuracy = linearHeadAccuracy(head, method === 'head' ? testFeatures : twinFeatures, dataset.test);
            } else if (method === 'scratch') {
              const { head } = await trainHead(scratch as Bert, train, {
                labels,
                seed: drawSeed,
                validationFraction: 0,
                unfreezeLayers: main.config.layers,
                learningRate: SCRATCH.learningRate,
                encoderLearningRate: SCRATCH.encoderLearningRate,
                epochs: SCRATCH.epochs,
                signal,
              });
              accuracy = accuracyOf((await classifyBatch(scratch as Bert, head, testTexts)).map((c) => c.label));
            } else {
              const model = trainBagOfWords(train, labels);
              accuracy = accuracyOf(testTexts.map((t) => predictBagOfWords(model, t)));
            }
            check(); // a stopped training returns what it had: not a score
            scores.get(method)?.push(accuracy);
            step(`${dataset.name}: k = ${k}, draw ${d + 1}/${draws}, ${method}`);
            await nextTurn(); // a page stays responsive between cells, and a Cancel is heard
          }
        }
        for (const method of methods) {
          const xs = scores.get(method) ?? [];
          if (xs.length === 0) continue;
          const cell: FewShotCell = { dataset: dataset.name, method, k, ...stats(xs), draws: xs.length, scores: xs };
          cells.push(cell);
          options.onCell?.(cell);
        }
      }
    }
  } finally {
    scratch?.dispose();
  }
  return cells;
}
