/**
 * The few-shot experiment's plan, apart from its runner (fewshot.ts): which
 * methods there are, how a class's own examples become cross-validation folds,
 * and how cells are summarised. No tfjs here, so the page's thread can use
 * these while the engine runs in its worker (src/engine/pure.ts).
 */
import type { LabelledExample } from './examples';
import { prng, shuffle } from '../util/prng';

export type FewShotMethod = 'prompt' | 'twin_prompt' | 'head' | 'twin_head' | 'scratch' | 'bow';
export const FEWSHOT_METHODS: FewShotMethod[] = ['prompt', 'twin_prompt', 'head', 'twin_head', 'scratch', 'bow'];

export interface FewShotDataset {
  name: string;
  /** Where each draw's k training examples come from. */
  pool: LabelledExample[];
  /** Held out: every method is scored on all of it. */
  test: LabelledExample[];
}

/** Mean and sample standard deviation. */
export function stats(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(xs.length - 1, 1));
  return { mean, sd };
}

/** The user's own examples as `folds` stratified folds: each fold is once the test set, the rest its pool. */
export function crossValidationDatasets(examples: LabelledExample[], labels: string[], folds: number, seed = 0): FewShotDataset[] {
  if (!(Number.isInteger(folds) && folds >= 2)) throw new Error(`folds must be an integer ≥ 2 (got ${folds})`);
  const random = prng(seed);
  const fold = new Map<LabelledExample, number>();
  for (const label of labels) shuffle(examples.filter((e) => e.label === label), random).forEach((e, i) => fold.set(e, i % folds));
  return Array.from({ length: folds }, (_, f) => ({
    name: `fold ${f + 1}/${folds}`,
    test: examples.filter((e) => fold.get(e) === f),
    pool: examples.filter((e) => fold.has(e) && fold.get(e) !== f),
  }));
}
