/**
 * Training a prompt classifier: zero-shot from the label words alone, or
 * few-shot — read the blank once per example, find words (step 3), calibrate
 * (step 2) and fit a few numbers per label (step 4).
 */
import { maskLogProbs, type Bert } from '../../model/bert';
import { prng, stratifiedSplit } from '../../util/prng';
import { argmax } from '../../util/softmax';
import { checkExamples, checkLabels, type LabelledExample } from '../examples';
import {
  calibrationFrom,
  CONTENT_FREE_INPUTS,
  labelScores,
  patternLogProbs,
  scorer,
  type PromptClassifier,
  type PromptOptions,
  type WordIds,
} from './classifier';
import { fitLabelWeights, type FitOptions } from './fit';
import { truncationReport, type TruncationReport } from '../head/truncation';
import { DEFAULT_PATTERN, parsePattern, promptQuery } from './pattern';
import { searchVerbalizer } from './search';
import { checkVerbalizerLabels, defaultVerbalizer, verbalizerIds, type Verbalizer } from './verbalizer';

/** Scale 1, bias 0, no found words: the label words' calibrated scores decide alone. */
function zeroShotClassifier(labels: string[], pattern: string, verbalizer: Verbalizer, calibration: number[]): PromptClassifier {
  return {
    method: 'prompt',
    labels: [...labels],
    pattern,
    verbalizer: Object.fromEntries(labels.map((l) => [l, [...verbalizer[l]]])),
    calibration,
    scale: labels.map(() => 1),
    bias: labels.map(() => 0),
    found: null,
    trainedOn: null,
  };
}

/** The calibrated zero-shot classifier: no example, only the words and the content-free inputs. */
export async function zeroShotPrompt(
  bert: Bert,
  labels: string[],
  options: { pattern?: string; verbalizer?: Verbalizer } & PromptOptions = {},
): Promise<PromptClassifier> {
  checkLabels(labels);
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  const parsed = parsePattern(bert.tokenizer, pattern);
  const verbalizer = options.verbalizer ?? defaultVerbalizer(bert, labels);
  if (verbalizer === null) {
    throw new Error(`no words are known for the labels ${labels.map((l) => `"${l}"`).join(', ')}: give a verbalizer (label=word,word;…) or examples to search for words`);
  }
  checkVerbalizerLabels(labels, verbalizer);
  const ids = verbalizerIds(bert, labels, verbalizer);
  const contentFree = await patternLogProbs(bert, parsed, CONTENT_FREE_INPUTS, options);
  return zeroShotClassifier(labels, pattern, verbalizer, calibrationFrom(contentFree, ids));
}

export interface PromptTrainOptions extends PromptOptions, FitOptions {
  labels: string[];
  pattern?: string;
  /**
   * The label words. Default 'auto': the words the label names suggest (when
   * they do), plus `searchPerLabel` words per label found in the examples by
   * verbalizer search. A given verbalizer is used as it is.
   */
  verbalizer?: Verbalizer | 'auto';
  /** Words verbalizer search adds per label (with 'auto'). Default 3. */
  searchPerLabel?: number;
  /** Share of each label's examples held out to report accuracy on (stratified, seeded). Default 0 (use all). */
  validationFraction?: number;
  /** Seeds the validation split. Default 0. */
  seed?: number;
}

export interface PromptTrainResult {
  classifier: PromptClassifier;
  /** Accuracy of the calibrated zero-shot classifier (default words) on the held-out examples (or on all, without a split); null without default words. */
  zeroShotAccuracy: number | null;
  trainAccuracy: number;
  /** On the held-out examples; null without validation. */
  validationAccuracy: number | null;
  /** Indices into the examples that were held out. */
  validation: number[];
  /** The verbalizer search's best words per label (its top 10 each), for display. */
  ranking: { word: string; label: string; score: number }[];
  /** How many examples were cut to fit the model's positions (the pattern never is). */
  truncated: number;
  /** The same, split into training and held-out examples, with how much text was cut. */
  truncation: TruncationReport;
}

/** The held-out split trainPrompt and trainHead make for a seed (for the page to show which examples they are). */
export function stratifiedHoldout(targets: number[], classes: number, fraction: number, seed: number): { train: number[]; validation: number[] } {
  return stratifiedSplit(targets, classes, fraction, prng(seed));
}

/**
 * Few-shot prompt classification: reads the blank once per example (the
 * model is not changed), searches label words when asked, calibrates, and
 * fits scale and bias per label. Deterministic for a seed.
 */
export async function trainPrompt(bert: Bert, examples: LabelledExample[], options: PromptTrainOptions): Promise<PromptTrainResult> {
  const { labels } = options;
  checkLabels(labels);
  const targets = checkExamples(examples, labels, { emptyText: true });
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  const parsed = parsePattern(bert.tokenizer, pattern);
  const fraction = options.validationFraction ?? 0;
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validationFraction must be in [0, 1) (got ${fraction})`);
  const seed = options.seed ?? 0;
  const requested = options.verbalizer ?? 'auto';
  if (requested !== 'auto') {
    checkVerbalizerLabels(labels, requested);
    verbalizerIds(bert, labels, requested); // refuse bad words before any forward pass
  }
  const total = examples.length + CONTENT_FREE_INPUTS.length;
  const progress = (offset: number) => (done: number) => options.onProgress?.(offset + done, total);
  const queries = examples.map((e) => promptQuery(bert.tokenizer, parsed, e.text));
  const rows = await maskLogProbs(bert, queries, { signal: options.signal, onProgress: progress(0) });
  const contentFree = await patternLogProbs(bert, parsed, CONTENT_FREE_INPUTS, { signal: options.signal, onProgress: progress(examples.length) });
  // The same split as trainHead's for the same seed (its generator's first use), so the page can compare them.
  const split = stratifiedSplit(targets, labels.length, fraction, prng(seed));
  const trainTargets = split.train.map((i) => targets[i]);

  const defaults = defaultVerbalizer(bert, labels);
  const words =
    requested === 'auto'
      ? findWords(bert, labels, defaults, split.train.map((i) => rows[i]), trainTargets, contentFree, options.searchPerLabel ?? 3)
      : { verbalizer: requested, found: null, ranking: [] };
  const ids: WordIds = {
    label: verbalizerIds(bert, labels, words.verbalizer),
    found: words.found === null ? null : verbalizerIds(bert, labels, words.found),
  };
  const calibration = calibrationFrom(contentFree, ids.label);
  const foundCalibration = ids.found === null ? null : calibrationFrom(contentFree, ids.found);
  // x[c] = [s_c − calibration_c] or, with found words, [s_c − calibration_c, f_c − found calibration_c].
  const features = (i: number): number[][] => {
    const s = labelScores(rows[i], ids.label);
    const f = ids.found === null ? null : labelScores(rows[i], ids.found);
    return s.map((v, c) => (f === null || foundCalibration === null ? [v - calibration[c]] : [v - calibration[c], f[c] - foundCalibration[c]]));
  };
  const prior = ids.found === null ? [1] : [1, 0];
  const { weights, bias } = fitLabelWeights(split.train.map(features), trainTargets, labels.length, prior, options);
  const classifier: PromptClassifier = {
    ...zeroShotClassifier(labels, pattern, words.verbalizer, calibration),
    scale: weights.map((w) => w[0]),
    bias,
    found:
      words.found === null || foundCalibration === null
        ? null
        : { words: words.found, calibration: foundCalibration, scale: weights.map((w) => w[1]) },
    trainedOn: { model: bert.location, examples: split.train.length, seed },
  };
  const accuracy = (clf: PromptClassifier, clfIds: WordIds, idx: number[]) => {
    if (idx.length === 0) return null;
    const score = scorer(clf, clfIds);
    return idx.filter((i) => argmax(score(rows[i])) === targets[i]).length / idx.length;
  };
  let zeroShotAccuracy: number | null = null;
  if (defaults !== null) {
    const zsIds = { label: verbalizerIds(bert, labels, defaults), found: null };
    const zs = zeroShotClassifier(labels, pattern, defaults, calibrationFrom(contentFree, zsIds.label));
    zeroShotAccuracy = accuracy(zs, zsIds, split.validation.length > 0 ? split.validation : split.train);
  }
  return {
    classifier,
    zeroShotAccuracy,
    trainAccuracy: accuracy(classifier, ids, split.train) ?? 0,
    validationAccuracy: accuracy(classifier, ids, split.validation),
    validation: split.validation,
    ranking: words.ranking,
    truncated: queries.filter((q) => q.encoding.truncated).length,
    truncation: truncationReport(queries.map((q) => q.encoding), split),
  };
}

/**
 * Verbalizer search on the training rows. With default words for the labels,
 * those stay the label words and the found ones join them; labels whose names
 * say nothing take the found words as their label words (nothing else to start from).
 */
function findWords(
  bert: Bert,
  labels: string[],
  defaults: Verbalizer | null,
  trainRows: Float32Array[],
  trainTargets: number[],
  contentFree: Float32Array[],
  perLabel: number,
): { verbalizer: Verbalizer; found: Verbalizer | null; ranking: PromptTrainResult['ranking'] } {
  // Search on calibrated rows, so words the model puts in every blank do not win.
  const bias = new Float32Array(contentFree[0].length);
  for (const r of contentFree) for (let v = 0; v < r.length; v++) bias[v] += r[v] / contentFree.length;
  const calibrated = trainRows.map((row) => row.map((v, i) => v - bias[i]));
  const exclude = new Set(defaults === null ? [] : verbalizerIds(bert, labels, defaults).flat());
  const found = searchVerbalizer(bert, calibrated, trainTargets, labels, { perLabel, exclude });
  if (labels.some((l) => found.verbalizer[l].length === 0)) {
    throw new Error('verbalizer search found no words for some label: give a verbalizer (label=word,word;…)');
  }
  return defaults === null
    ? { verbalizer: found.verbalizer, found: null, ranking: found.ranking }
    : { verbalizer: defaults, found: found.verbalizer, ranking: found.ranking };
}
