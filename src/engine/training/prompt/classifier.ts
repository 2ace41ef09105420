/**
 * Classification by BERT's own pre-training task: put the sentence in a
 * pattern with a blank (`{text} It was [MASK].`) and compare how likely the
 * model finds each label's words in the blank — "great" vs "terrible".
 * Pattern-exploiting training (Schick & Schütze 2021, PET; Gao et al. 2021,
 * LM-BFF): the masked-LM head was trained on billions of blanks, so a handful
 * of examples only has to set a few numbers, not teach the task.
 *
 * The steps, each a function here:
 *  1. label scores — s_c(x) = log Σ_{w ∈ words(c)} P(w | blank), from one forward pass;
 *  2. calibration (Zhao et al. 2021, "Calibrate Before Use") — subtract each label's
 *     score on content-free inputs ("N/A", "", "[MASK]"), so a model that likes
 *     "good" in any blank does not call everything positive; this alone is zero-shot;
 *  3. automatic verbalizer search (Schick, Schmid & Schütze 2020) — finds, per label,
 *     the words whose blank probability best separates that label's examples from the rest;
 *  4. few-shot fit — logit_c = a_c·s_c + g_c·f_c + b_c (s: the label words, f: the found
 *     words): 3 numbers per label, fitted by regularised logistic regression on the examples
 *     and pulled towards the zero-shot classifier (a = 1, g = 0, b = 0), so that words found
 *     in a handful of examples count only as far as the examples support them.
 *
 * This file: the classifier (plain numbers — tensors never leave the engine)
 * and step 1 and 2's scores; the other steps have a file each.
 */
import { maskLogProbs, type Bert } from '../../model/bert';
import { parsePattern, promptQuery, type Pattern } from './pattern';
import { verbalizerIds, type Verbalizer } from './verbalizer';

/** Inputs with no content, whose scores measure the model's bias towards each label (Zhao et al. 2021). */
export const CONTENT_FREE_INPUTS = ['N/A', '', '[MASK]'];

export interface PromptClassifier {
  method: 'prompt';
  labels: string[];
  pattern: string;
  /** The label words (given, or from the label names): zero-shot rests on them alone. */
  verbalizer: Verbalizer;
  /** Per label: its words' mean score on the content-free inputs, subtracted before the weights apply. */
  calibration: number[];
  /**
   * Per label: logit_c = scale_c·(s_c − calibration_c) + found.scale_c·(f_c − found.calibration_c) + bias_c.
   * Zero-shot: scale 1, bias 0, no found words.
   */
  scale: number[];
  bias: number[];
  /** Words verbalizer search found in the examples, per label, with their own weight; null when none were searched. */
  found: { words: Verbalizer; calibration: number[]; scale: number[] } | null;
  /** null for zero-shot (no examples). */
  trainedOn: { model: string; examples: number; seed: number } | null;
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
}

/** s_c = log Σ_{w ∈ words(c)} P(w | blank), per label, from one row of log-probabilities. */
export function labelScores(logProbs: Float32Array, ids: number[][]): number[] {
  return ids.map((words) => logSumExp(words.map((id) => logProbs[id])));
}

export interface PromptOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** log P(· | blank) over the vocabulary for each text in the pattern (texts cut to fit, never the pattern). */
export async function patternLogProbs(bert: Bert, pattern: string | Pattern, texts: string[], options: PromptOptions = {}): Promise<Float32Array[]> {
  const parsed = typeof pattern === 'string' ? parsePattern(bert.tokenizer, pattern) : pattern;
  return maskLogProbs(
    bert,
    texts.map((t) => promptQuery(bert.tokenizer, parsed, t)),
    options,
  );
}

/** Mean label scores over the content-free inputs. */
export function calibrationFrom(contentFree: Float32Array[], ids: number[][]): number[] {
  const rows = contentFree.map((lp) => labelScores(lp, ids));
  return ids.map((_, c) => rows.reduce((s, r) => s + r[c], 0) / rows.length);
}

/** A classifier's word ids, label by label: its label words, and its found words (null: none). */
export interface WordIds {
  label: number[][];
  found: number[][] | null;
}

/** Looks the classifier's words up in the vocabulary (throws when one is not a single piece of it). */
export function classifierIds(bert: Bert, classifier: PromptClassifier): WordIds {
  return {
    label: verbalizerIds(bert, classifier.labels, classifier.verbalizer),
    found: classifier.found === null ? null : verbalizerIds(bert, classifier.labels, classifier.found.words),
  };
}

/** Row of blank log-probabilities → label logits. */
export function scorer(classifier: PromptClassifier, ids: WordIds): (row: Float32Array) => number[] {
  const found = classifier.found;
  return (row) => {
    const s = labelScores(row, ids.label);
    const f = ids.found === null ? null : labelScores(row, ids.found);
    return s.map(
      (v, c) =>
        classifier.scale[c] * (v - classifier.calibration[c]) +
        (found === null || f === null ? 0 : found.scale[c] * (f[c] - found.calibration[c])) +
        classifier.bias[c],
    );
  };
}
