/**
 * The baseline every few-shot method has to beat: bag-of-words logistic
 * regression — which words occur, nothing about their order or meaning, and
 * only the words seen in the training examples. No pre-training at all.
 */
import type { LabelledExample } from './examples';

export interface BagOfWords {
  labels: string[];
  vocabulary: Map<string, number>;
  /** [word][label], row-major. */
  weights: Float64Array;
  bias: Float64Array;
}

/** Lower-cased runs of letters and digits, each counted once per text (any script: Hangul too). */
export function words(text: string): string[] {
  return [...new Set(text.toLowerCase().match(/[\p{L}\p{M}\p{N}']+/gu) ?? [])];
}

/**
 * Softmax regression on word presence, L2-regularised, by full-batch gradient
 * descent from zero — deterministic, no seed. λ = 0.01, step 0.5 and 300 steps
 * are the settings of the project's earlier baseline (a binary sigmoid over
 * [a-z'] words, bench/finetune.ts before this file), set before any prompt method
 * existed and not tuned since; softmax over any number of labels and any script.
 */
export function trainBagOfWords(examples: LabelledExample[], labels: string[]): BagOfWords {
  const C = labels.length;
  const vocabulary = new Map<string, number>();
  for (const e of examples) for (const w of words(e.text)) if (!vocabulary.has(w)) vocabulary.set(w, vocabulary.size);
  const X = examples.map((e) => words(e.text).map((w) => vocabulary.get(w) as number));
  const y = examples.map((e) => labels.indexOf(e.label));
  const weights = new Float64Array(vocabulary.size * C);
  const bias = new Float64Array(C);
  const lambda = 1e-2;
  const lr = 0.5;
  const n = Math.max(X.length, 1);
  for (let step = 0; step < 300; step++) {
    const grad = new Float64Array(weights.length);
    const gradBias = new Float64Array(C);
    X.forEach((xs, i) => {
      const p = probabilities({ weights, bias, C }, xs);
      for (let c = 0; c < C; c++) {
        const err = (p[c] - (y[i] === c ? 1 : 0)) / n;
        for (const j of xs) grad[j * C + c] += err;
        gradBias[c] += err;
      }
    });
    for (let j = 0; j < weights.length; j++) weights[j] -= lr * (grad[j] + lambda * weights[j]);
    for (let c = 0; c < C; c++) bias[c] -= lr * gradBias[c];
  }
  return { labels: [...labels], vocabulary, weights, bias };
}

function probabilities(model: { weights: Float64Array; bias: Float64Array; C: number }, xs: number[]): number[] {
  const z = Array.from(model.bias);
  for (const j of xs) for (let c = 0; c < model.C; c++) z[c] += model.weights[j * model.C + c];
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The most probable label; words never seen in training count for nothing. */
export function predictBagOfWords(model: BagOfWords, text: string): string {
  const xs = words(text).flatMap((w) => (model.vocabulary.has(w) ? [model.vocabulary.get(w) as number] : []));
  const p = probabilities({ weights: model.weights, bias: model.bias, C: model.labels.length }, xs);
  return model.labels[p.indexOf(Math.max(...p))];
}
