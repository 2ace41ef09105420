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
 *  3. few-shot fit — logit_c = a_c·s_c + b_c: 2 numbers per label, fitted by
 *     regularised logistic regression on the examples (pulled towards the zero-shot a=1, b=0);
 *  4. automatic verbalizer search (Schick, Schmid & Schütze 2020) — suggests, per label,
 *     the words whose blank probability best separates that label's examples from the rest.
 *
 * Like bert.ts, tensors never leave the engine: the classifier is plain numbers.
 */
import { maskLogProbs, type Bert } from './bert';
import type { Classification, LabelledExample } from './finetune';
import { parsePattern, promptQuery, DEFAULT_PATTERN, type Pattern } from './pattern';
import { prng } from './prng';

export { DEFAULT_PATTERN } from './pattern';

/** Label → its words (each one vocabulary piece, a whole word). */
export type Verbalizer = Record<string, string[]>;

/** Inputs with no content, whose scores measure the model's bias towards each label (Zhao et al. 2021). */
export const CONTENT_FREE_INPUTS = ['N/A', '', '[MASK]'];

/**
 * Words for label names a class will use for sentiment, so that zero-shot works
 * before any example is given. Chosen before looking at any labelled data: the
 * plain evaluative adjectives of English; `verbalizerFor` keeps those that are
 * single pieces of the model's vocabulary.
 */
const KNOWN_LABEL_WORDS: Record<string, string[]> = {
  positive: ['good', 'great', 'excellent', 'wonderful', 'fine', 'beautiful', 'best', 'awesome', 'amazing'],
  negative: ['bad', 'terrible', 'poor', 'worst', 'dull', 'awful', 'boring', 'horrible'],
  neutral: ['okay', 'ok', 'average', 'fair'],
  긍정: ['좋', '좋다', '최고', '훌륭'],
  부정: ['나쁘', '나쁘다', '최악', '별로'],
};
const LABEL_ALIASES: Record<string, string> = {
  pos: 'positive',
  good: 'positive',
  '1': 'positive',
  '+': 'positive',
  neg: 'negative',
  bad: 'negative',
  '0': 'negative',
  '-': 'negative',
};

export interface PromptClassifier {
  method: 'prompt';
  labels: string[];
  pattern: string;
  verbalizer: Verbalizer;
  /** Per label: its mean score on the content-free inputs, subtracted before a and b apply. */
  calibration: number[];
  /** Per label: logit_c = scale_c · (s_c − calibration_c) + bias_c. Zero-shot: 1 and 0. */
  scale: number[];
  bias: number[];
  /** null for zero-shot (no examples). */
  trainedOn: { model: string; examples: number; seed: number } | null;
}

// ---------------------------------------------------------------------------
// Verbalizer: checking, parsing, defaults
// ---------------------------------------------------------------------------

/** "positive=good,great;negative=bad,terrible" → { positive: [...], negative: [...] }. */
export function parseVerbalizer(text: string): Verbalizer {
  const out: Verbalizer = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`verbalizer: "${part.trim()}" should look like label=word,word`);
    const label = part.slice(0, eq).trim();
    const words = part
      .slice(eq + 1)
      .split(',')
      .map((w) => w.trim())
      .filter((w) => w !== '');
    if (label === '') throw new Error(`verbalizer: "${part.trim()}" has no label before =`);
    if (words.length === 0) throw new Error(`verbalizer: label "${label}" has no words`);
    if (out[label] !== undefined) throw new Error(`verbalizer: label "${label}" is given twice`);
    out[label] = words;
  }
  return out;
}

export function formatVerbalizer(verbalizer: Verbalizer, labels: string[] = Object.keys(verbalizer)): string {
  return labels.map((l) => `${l}=${(verbalizer[l] ?? []).join(',')}`).join(';');
}

/**
 * Vocabulary ids of each label's words, in label order. Every label needs at
 * least one word, every word must be a single piece of the vocabulary (the
 * blank holds one piece), and no word may serve two labels.
 */
export function verbalizerIds(bert: Bert, labels: string[], verbalizer: Verbalizer): number[][] {
  const seen = new Map<string, string>();
  return labels.map((label) => {
    const words = verbalizer[label];
    if (!Array.isArray(words) || words.length === 0) throw new Error(`verbalizer: label "${label}" has no words`);
    return words.map((word) => {
      const pieces = bert.tokenizer.tokenize(word).tokens;
      if (pieces.length !== 1 || !bert.tokenizer.hasToken(pieces[0]) || pieces[0] === '[UNK]') {
        throw new Error(
          pieces.length > 1
            ? `verbalizer: "${word}" (label "${label}") is ${pieces.length} pieces for this model (${pieces.join(' ')}); the blank holds one — choose a single-piece word`
            : `verbalizer: "${word}" (label "${label}") is not in this model's vocabulary`,
        );
      }
      const other = seen.get(pieces[0]);
      if (other !== undefined && other !== label) throw new Error(`verbalizer: "${word}" is a word of both "${other}" and "${label}"`);
      seen.set(pieces[0], label);
      return bert.tokenizer.tokenToId(pieces[0]);
    });
  });
}

/** Unknown labels for Object.keys(verbalizer) are refused too: a typo there would silently drop a label. */
function checkVerbalizerLabels(labels: string[], verbalizer: Verbalizer): void {
  for (const key of Object.keys(verbalizer)) {
    if (!labels.includes(key)) throw new Error(`verbalizer: "${key}" is not one of the labels (${labels.join(', ')})`);
  }
}

/**
 * Words for labels whose names say what they mean (positive/negative and the
 * like, in English or Korean), or the label name itself when it is one piece
 * of the vocabulary; null when some label has neither — then zero-shot needs
 * words from the user, or examples for verbalizer search.
 */
export function defaultVerbalizer(bert: Bert, labels: string[]): Verbalizer | null {
  const out: Verbalizer = {};
  const used = new Set<string>();
  for (const label of labels) {
    const key = label.trim().toLowerCase();
    const known = KNOWN_LABEL_WORDS[LABEL_ALIASES[key] ?? key] ?? [key];
    const words = known.filter((w) => {
      const pieces = bert.tokenizer.tokenize(w).tokens;
      return pieces.length === 1 && pieces[0] !== '[UNK]' && bert.tokenizer.hasToken(pieces[0]) && !used.has(pieces[0]);
    });
    if (words.length === 0) return null;
    words.forEach((w) => used.add(bert.tokenizer.tokenize(w).tokens[0]));
    out[label] = words;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Scores
// ---------------------------------------------------------------------------

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

function logits(classifier: Pick<PromptClassifier, 'calibration' | 'scale' | 'bias'>, scores: number[]): number[] {
  return scores.map((s, c) => classifier.scale[c] * (s - classifier.calibration[c]) + classifier.bias[c]);
}

function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

// ---------------------------------------------------------------------------
// Zero-shot and the few-parameter fit
// ---------------------------------------------------------------------------

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
  return {
    method: 'prompt',
    labels: [...labels],
    pattern,
    verbalizer: Object.fromEntries(labels.map((l) => [l, [...verbalizer[l]]])),
    calibration: calibrationFrom(contentFree, ids),
    scale: labels.map(() => 1),
    bias: labels.map(() => 0),
    trainedOn: null,
  };
}

export interface FitOptions {
  /** L2 pull of (a, b) towards the zero-shot (1, 0), per example-free unit; default 1. */
  l2?: number;
  steps?: number;
}

/**
 * Multinomial logistic regression with 2 parameters per label — logit_c =
 * a_c·x_c + b_c on the calibrated label scores x — minimising the mean
 * cross-entropy + (l2 / n)·Σ((a_c − 1)² + b_c²). The prior is the zero-shot
 * classifier, so with few examples the fit stays near it and moves only as far
 * as the examples insist. Deterministic: full-batch Newton steps on a convex loss.
 */
export function fitScaleBias(x: number[][], targets: number[], classes: number, options: FitOptions = {}): { scale: number[]; bias: number[] } {
  const l2 = options.l2 ?? 1;
  const steps = options.steps ?? 50;
  const n = x.length;
  const P = 2 * classes; // [a_0..a_{C-1}, b_0..b_{C-1}]
  const theta = [...new Array<number>(classes).fill(1), ...new Array<number>(classes).fill(0)];
  const prior = [...theta];
  if (n === 0) return { scale: theta.slice(0, classes), bias: theta.slice(classes) };
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(P).fill(0);
    const hess = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    for (let i = 0; i < n; i++) {
      const z = x[i].map((v, c) => theta[c] * v + theta[classes + c]);
      const p = softmax(z);
      // d z_c / d a_c = x_c, d z_c / d b_c = 1: each logit depends on its own two parameters.
      const dz = (c: number, k: number) => (k === c ? x[i][c] : k === classes + c ? 1 : 0);
      for (let c = 0; c < classes; c++) {
        const r = p[c] - (targets[i] === c ? 1 : 0);
        grad[c] += r * x[i][c];
        grad[classes + c] += r;
      }
      // Hessian of the cross-entropy: Σ_{c,d} (δ_cd p_c − p_c p_d) ∂z_c ∂z_d.
      for (let c = 0; c < classes; c++) {
        for (let d = 0; d < classes; d++) {
          const w = (c === d ? p[c] : 0) - p[c] * p[d];
          if (w === 0) continue;
          for (const k of [c, classes + c]) for (const m of [d, classes + d]) hess[k][m] += w * dz(c, k) * dz(d, m);
        }
      }
    }
    for (let k = 0; k < P; k++) {
      grad[k] = grad[k] / n + (2 * l2 / n) * (theta[k] - prior[k]);
      for (let m = 0; m < P; m++) hess[k][m] /= n;
      hess[k][k] += 2 * l2 / n + 1e-9;
    }
    const delta = solve(hess, grad);
    let moved = 0;
    for (let k = 0; k < P; k++) {
      theta[k] -= delta[k];
      moved = Math.max(moved, Math.abs(delta[k]));
    }
    if (moved < 1e-10) break;
  }
  return { scale: theta.slice(0, classes), bias: theta.slice(classes) };
}

/** Gaussian elimination with partial pivoting; A is small (2·labels square). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    const d = M[col][col];
    if (Math.abs(d) < 1e-300) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r][col] / d;
      if (f !== 0) for (let c = col; c <= n; c++) M[r][c] -= f * M[col][c];
    }
  }
  return M.map((row, i) => (Math.abs(row[i]) < 1e-300 ? 0 : row[n] / row[i]));
}

// ---------------------------------------------------------------------------
// Automatic verbalizer search
// ---------------------------------------------------------------------------

export interface VerbalizerSearchOptions {
  /** Words suggested per label; default 3. */
  perLabel?: number;
  /** Only the this-many words most probable in the blank (on average over the examples) compete; default 500. */
  candidates?: number;
  /** Words never suggested (e.g. those of another label). */
  exclude?: Set<number>;
}

/** A candidate must be a whole word made of letters: "##ing", "[SEP]", "." and "1" are not label words. */
function isWordPiece(token: string): boolean {
  return /^\p{L}[\p{L}\p{M}'-]*$/u.test(token);
}

/**
 * Per label, the words whose calibrated blank log-probability best separates
 * that label's examples from the others' — ranked by a t-statistic (difference
 * of means over the pooled standard deviation), among the words the model
 * actually puts in the blank for these sentences (Schick, Schmid & Schütze 2020
 * rank by a likelihood ratio; the idea — let the examples name the words — is theirs).
 * `logProbs[i]` is example i's row, `targets[i]` its label index.
 */
export function searchVerbalizer(
  bert: Bert,
  logProbs: Float32Array[],
  targets: number[],
  labels: string[],
  options: VerbalizerSearchOptions = {},
): { verbalizer: Verbalizer; ranking: { word: string; label: string; score: number }[] } {
  const perLabel = options.perLabel ?? 3;
  const V = bert.config.vocabSize;
  const n = logProbs.length;
  if (n === 0) throw new Error('verbalizer search needs examples');
  const mean = new Float64Array(V);
  for (const row of logProbs) for (let v = 0; v < V; v++) mean[v] += Math.exp(row[v]) / n;
  const candidates = Array.from({ length: V }, (_, v) => v)
    .filter((v) => isWordPiece(bert.tokenizer.idToToken(v)) && !(options.exclude?.has(v) ?? false))
    .sort((a, b) => mean[b] - mean[a] || a - b)
    .slice(0, options.candidates ?? 500);
  const ranking: { word: string; label: string; score: number }[] = [];
  const verbalizer: Verbalizer = {};
  const taken = new Set<number>();
  labels.forEach((label, c) => {
    const inside = targets.flatMap((t, i) => (t === c ? [i] : []));
    const outside = targets.flatMap((t, i) => (t !== c ? [i] : []));
    const scored = candidates.map((v) => ({ v, score: tStatistic(inside.map((i) => logProbs[i][v]), outside.map((i) => logProbs[i][v])) }));
    scored.sort((a, b) => b.score - a.score || a.v - b.v);
    const chosen = scored.filter((s) => !taken.has(s.v)).slice(0, perLabel);
    chosen.forEach((s) => taken.add(s.v));
    verbalizer[label] = chosen.map((s) => bert.tokenizer.idToToken(s.v));
    for (const s of scored.slice(0, 10)) ranking.push({ word: bert.tokenizer.idToToken(s.v), label, score: s.score });
  });
  return { verbalizer, ranking };
}

/** (mean(a) − mean(b)) / pooled sd; 0 when a side is empty. A small floor keeps a constant word from dividing by zero. */
function tStatistic(a: number[], b: number[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const ma = mean(a);
  const mb = mean(b);
  const ss = a.reduce((s, v) => s + (v - ma) ** 2, 0) + b.reduce((s, v) => s + (v - mb) ** 2, 0);
  const sd = Math.sqrt(ss / Math.max(a.length + b.length - 2, 1));
  return (ma - mb) / (sd + 1e-3);
}

// ---------------------------------------------------------------------------
// Training and prediction
// ---------------------------------------------------------------------------

function checkLabels(labels: string[]): void {
  if (!Array.isArray(labels) || labels.length < 2) {
    throw new Error(`a classifier needs at least 2 labels (got ${Array.isArray(labels) ? labels.length : 'none'})`);
  }
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l === '') throw new Error(`label ${i} is empty`);
    if (labels.indexOf(l) !== i) throw new Error(`label "${l}" is listed twice`);
  });
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
}

export function checkExamples(examples: LabelledExample[], labels: string[]): number[] {
  if (!Array.isArray(examples) || examples.length === 0) throw new Error('no training examples');
  return examples.map((e, i) => {
    if (typeof e.text !== 'string') throw new Error(`example ${i}: the text is missing`);
    const c = labels.indexOf(e.label);
    if (c < 0) throw new Error(`example ${i}: label "${e.label}" is not one of the labels (${labels.join(', ')})`);
    return c;
  });
}

/** Per label, a seeded shuffle and round(n·fraction) held out — never a label's last training example. */
export function stratifiedHoldout(targets: number[], classes: number, fraction: number, seed: number): { train: number[]; validation: number[] } {
  const random = prng(seed);
  const train: number[] = [];
  const validation: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members = targets.flatMap((t, i) => (t === c ? [i] : []));
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j], members[i]];
    }
    const held = fraction <= 0 ? 0 : Math.max(Math.min(Math.round(members.length * fraction), members.length - 1), 0);
    validation.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/**
 * Few-shot prompt classification: reads the blank once per example (the
 * model is not changed), searches label words when asked, calibrates, and
 * fits scale and bias per label. Deterministic for a seed.
 */
export async function trainPrompt(bert: Bert, examples: LabelledExample[], options: PromptTrainOptions): Promise<PromptTrainResult> {
  const { labels } = options;
  checkLabels(labels);
  const targets = checkExamples(examples, labels);
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
  const rows = await maskLogProbs(bert, queries, {
    signal: options.signal,
    onProgress: progress(0),
  });
  const contentFree = await maskLogProbs(bert, CONTENT_FREE_INPUTS.map((t) => promptQuery(bert.tokenizer, parsed, t)), {
    signal: options.signal,
    onProgress: progress(examples.length),
  });
  const split = stratifiedHoldout(targets, labels.length, fraction, seed);
  const trainRows = split.train.map((i) => rows[i]);
  const trainTargets = split.train.map((i) => targets[i]);

  const defaults = defaultVerbalizer(bert, labels);
  let verbalizer: Verbalizer;
  let ranking: PromptTrainResult['ranking'] = [];
  if (requested === 'auto') {
    // Search on calibrated rows, so words the model puts in every blank do not win.
    const calibrated = trainRows.map((row) => {
      const out = new Float32Array(row.length);
      for (let v = 0; v < row.length; v++) out[v] = row[v] - contentFree.reduce((s, r) => s + r[v], 0) / contentFree.length;
      return out;
    });
    const exclude = new Set(defaults === null ? [] : verbalizerIds(bert, labels, defaults).flat());
    const found = searchVerbalizer(bert, calibrated, trainTargets, labels, { perLabel: options.searchPerLabel ?? 3, exclude });
    ranking = found.ranking;
    verbalizer = Object.fromEntries(labels.map((l) => [l, [...(defaults?.[l] ?? []), ...found.verbalizer[l]]]));
    if (labels.some((l) => verbalizer[l].length === 0)) {
      throw new Error(`verbalizer search found no words for some label: give a verbalizer (label=word,word;…)`);
    }
  } else {
    verbalizer = requested;
  }
  const ids = verbalizerIds(bert, labels, verbalizer);
  const calibration = calibrationFrom(contentFree, ids);
  const features = (i: number) => labelScores(rows[i], ids).map((s, c) => s - calibration[c]);
  const { scale, bias } = fitScaleBias(split.train.map(features), trainTargets, labels.length, options);
  const classifier: PromptClassifier = {
    method: 'prompt',
    labels: [...labels],
    pattern,
    verbalizer,
    calibration,
    scale,
    bias,
    trainedOn: { model: bert.location, examples: split.train.length, seed },
  };
  const accuracy = (clf: Pick<PromptClassifier, 'calibration' | 'scale' | 'bias'>, idx: number[], wordIds: number[][]) =>
    idx.length === 0 ? null : idx.filter((i) => argmax(logits(clf, labelScores(rows[i], wordIds))) === targets[i]).length / idx.length;
  let zeroShotAccuracy: number | null = null;
  if (defaults !== null) {
    const zsIds = verbalizerIds(bert, labels, defaults);
    const zs = { calibration: calibrationFrom(contentFree, zsIds), scale: labels.map(() => 1), bias: labels.map(() => 0) };
    zeroShotAccuracy = accuracy(zs, split.validation.length > 0 ? split.validation : split.train, zsIds);
  }
  return {
    classifier,
    zeroShotAccuracy,
    trainAccuracy: accuracy(classifier, split.train, ids) ?? 0,
    validationAccuracy: accuracy(classifier, split.validation, ids),
    validation: split.validation,
    ranking,
    truncated: queries.filter((q) => q.encoding.truncated).length,
  };
}

function argmax(xs: number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** Label probabilities from rows of blank log-probabilities (already computed, e.g. for a whole test set). */
export function classifyLogProbs(bert: Bert, classifier: PromptClassifier, rows: Float32Array[]): Classification[] {
  const ids = verbalizerIds(bert, classifier.labels, classifier.verbalizer);
  return rows.map((row) => {
    const p = softmax(logits(classifier, labelScores(row, ids)));
    return { label: classifier.labels[argmax(p)], probs: Object.fromEntries(classifier.labels.map((l, i) => [l, p[i]])) };
  });
}

export interface PromptClassification extends Classification {
  /** The pattern as filled in (the text cut to fit when `truncated`). */
  filled: string;
  truncated: boolean;
  /** The model's top guesses for the blank, with the label each word speaks for (null: none). */
  guesses: { token: string; probability: number; label: string | null }[];
  /** P(word | blank) of every verbalizer word, by label. */
  wordProbabilities: Record<string, { word: string; probability: number }[]>;
}

/** Classify texts with a prompt classifier; each result also shows the blank's guesses, for the page. */
export async function classifyPrompt(
  bert: Bert,
  classifier: PromptClassifier,
  texts: string[],
  options: PromptOptions & { topK?: number } = {},
): Promise<PromptClassification[]> {
  checkPromptClassifier(bert, classifier);
  const parsed = parsePattern(bert.tokenizer, classifier.pattern);
  const queries = texts.map((t) => promptQuery(bert.tokenizer, parsed, t));
  const rows = await maskLogProbs(bert, queries, options);
  const ids = verbalizerIds(bert, classifier.labels, classifier.verbalizer);
  const owner = new Map<number, string>();
  ids.forEach((words, c) => words.forEach((id) => owner.set(id, classifier.labels[c])));
  const topK = options.topK ?? 10;
  return rows.map((row, i) => {
    const p = softmax(logits(classifier, labelScores(row, ids)));
    const top = Array.from(row.keys())
      .sort((a, b) => row[b] - row[a] || a - b)
      .slice(0, topK);
    return {
      label: classifier.labels[argmax(p)],
      probs: Object.fromEntries(classifier.labels.map((l, c) => [l, p[c]])),
      filled: queries[i].filled,
      truncated: queries[i].encoding.truncated,
      guesses: top.map((id) => ({ token: bert.tokenizer.idToToken(id), probability: Math.exp(row[id]), label: owner.get(id) ?? null })),
      wordProbabilities: Object.fromEntries(
        classifier.labels.map((l, c) => [
          l,
          ids[c].map((id) => ({ word: bert.tokenizer.idToToken(id), probability: Math.exp(row[id]) })),
        ]),
      ),
    };
  });
}

// ---------------------------------------------------------------------------
// Saving and loading
// ---------------------------------------------------------------------------

/** Refuses a classifier whose words or pattern this model cannot read (e.g. saved with another vocabulary). */
export function checkPromptClassifier(bert: Bert, classifier: PromptClassifier): void {
  parsePattern(bert.tokenizer, classifier.pattern);
  checkVerbalizerLabels(classifier.labels, classifier.verbalizer);
  verbalizerIds(bert, classifier.labels, classifier.verbalizer);
}

export function promptToJson(classifier: PromptClassifier): string {
  return JSON.stringify({ format: 'bert-playground-prompt', version: 1, ...classifier }, null, 2);
}

/** Parses and validates a saved prompt classifier; every error names the field. */
export function promptFromJson(json: string, where = 'prompt classifier'): PromptClassifier {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where}: expected a JSON object`);
  const o = raw as Record<string, unknown>;
  if (o.format !== 'bert-playground-prompt') throw new Error(`${where}: "format" must be "bert-playground-prompt"`);
  if (o.version !== 1) throw new Error(`${where}: unsupported version ${String(o.version)}`);
  if (o.method !== 'prompt') throw new Error(`${where}: "method" must be "prompt"`);
  const labels = o.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string' && l !== '') || new Set(labels).size !== labels.length) {
    throw new Error(`${where}: "labels" must be at least 2 different non-empty strings`);
  }
  if (typeof o.pattern !== 'string') throw new Error(`${where}: "pattern" must be a string`);
  const v = o.verbalizer;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: "verbalizer" must be an object of label → words`);
  const verbalizer: Verbalizer = {};
  for (const label of labels as string[]) {
    const words = (v as Record<string, unknown>)[label];
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string' && w !== '')) {
      throw new Error(`${where}: "verbalizer.${label}" must be a non-empty list of words`);
    }
    verbalizer[label] = words as string[];
  }
  if (Object.keys(v).length !== labels.length) throw new Error(`${where}: "verbalizer" has labels that are not in "labels"`);
  const numbers = (name: string) => {
    const xs = o[name];
    if (!Array.isArray(xs) || xs.length !== labels.length || !xs.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`${where}: "${name}" must be ${labels.length} finite numbers (one per label)`);
    }
    return xs as number[];
  };
  let trainedOn: PromptClassifier['trainedOn'] = null;
  if (o.trainedOn !== null && o.trainedOn !== undefined) {
    const t = o.trainedOn as Record<string, unknown>;
    if (typeof t !== 'object' || typeof t.model !== 'string' || !Number.isInteger(t.examples) || !Number.isInteger(t.seed)) {
      throw new Error(`${where}: "trainedOn" must be { model, examples, seed } or null`);
    }
    trainedOn = { model: t.model, examples: t.examples as number, seed: t.seed as number };
  }
  return {
    method: 'prompt',
    labels: labels as string[],
    pattern: o.pattern,
    verbalizer,
    calibration: numbers('calibration'),
    scale: numbers('scale'),
    bias: numbers('bias'),
    trainedOn,
  };
}
