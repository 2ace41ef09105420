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
 * Like bert.ts, tensors never leave the engine: the classifier is plain numbers.
 */
import { maskLogProbs, type Bert } from '../model/bert';
import type { Classification, LabelledExample } from './finetune';
import { parsePattern, promptQuery, DEFAULT_PATTERN, type Pattern } from './pattern';
import { prng, stratifiedSplit } from '../util/prng';


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

/** Row of blank log-probabilities → label logits, with the word ids looked up once. */
function scorer(bert: Bert, classifier: PromptClassifier): (row: Float32Array) => number[] {
  const ids = verbalizerIds(bert, classifier.labels, classifier.verbalizer);
  const found = classifier.found;
  const foundIds = found === null ? null : verbalizerIds(bert, classifier.labels, found.words);
  return (row) => {
    const s = labelScores(row, ids);
    const f = foundIds === null ? null : labelScores(row, foundIds);
    return s.map(
      (v, c) =>
        classifier.scale[c] * (v - classifier.calibration[c]) +
        (found === null || f === null ? 0 : found.scale[c] * (f[c] - found.calibration[c])) +
        classifier.bias[c],
    );
  };
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
    found: null,
    trainedOn: null,
  };
}

export interface FitOptions {
  /** L2 pull of every weight towards its zero-shot value, per example-free unit; default 1. */
  l2?: number;
  steps?: number;
}

/**
 * Multinomial logistic regression with a few parameters per label — logit_c =
 * Σ_g w_cg·x_cg + b_c over G score groups (the label words, and the words found
 * in the examples) — minimising the mean cross-entropy + (l2 / n)·Σ((w − prior)² + b²).
 * The prior is the zero-shot classifier (label words weigh 1, found words 0),
 * so with few examples the fit stays near it and moves only as far as the
 * examples insist. Deterministic: full-batch Newton steps on a convex loss.
 * `x[i][c][g]`: example i, label c, group g.
 */
export function fitLabelWeights(
  x: number[][][],
  targets: number[],
  classes: number,
  prior: number[],
  options: FitOptions = {},
): { weights: number[][]; bias: number[] } {
  const l2 = options.l2 ?? 1;
  const steps = options.steps ?? 50;
  const G = prior.length;
  const per = G + 1; // label c's parameters: θ[c·per + g] = w_cg, θ[c·per + G] = b_c
  const P = classes * per;
  const start = Array.from({ length: P }, (_, k) => (k % per < G ? prior[k % per] : 0));
  const theta = [...start];
  const n = x.length;
  const unpack = () => ({
    weights: Array.from({ length: classes }, (_, c) => theta.slice(c * per, c * per + G)),
    bias: Array.from({ length: classes }, (_, c) => theta[c * per + G]),
  });
  if (n === 0) return unpack();
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(P).fill(0);
    const hess = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    for (let i = 0; i < n; i++) {
      // u_c: ∂z_c/∂(label c's parameters) = [x_c1 … x_cG, 1]; other labels' parameters do not move z_c.
      const u = x[i].map((xc) => [...xc, 1]);
      const p = softmax(u.map((uc, c) => uc.reduce((z, v, g) => z + v * theta[c * per + g], 0)));
      for (let c = 0; c < classes; c++) {
        const r = p[c] - (targets[i] === c ? 1 : 0);
        for (let g = 0; g < per; g++) grad[c * per + g] += r * u[c][g];
        // Hessian of the cross-entropy: (δ_cd p_c − p_c p_d) u_c u_dᵀ.
        for (let d = 0; d < classes; d++) {
          const w = (c === d ? p[c] : 0) - p[c] * p[d];
          if (w === 0) continue;
          for (let g = 0; g < per; g++) for (let h = 0; h < per; h++) hess[c * per + g][d * per + h] += w * u[c][g] * u[d][h];
        }
      }
    }
    for (let k = 0; k < P; k++) {
      grad[k] = grad[k] / n + ((2 * l2) / n) * (theta[k] - start[k]);
      for (let m = 0; m < P; m++) hess[k][m] /= n;
      hess[k][k] += (2 * l2) / n + 1e-9;
    }
    const delta = solve(hess, grad);
    let moved = 0;
    for (let k = 0; k < P; k++) {
      theta[k] -= delta[k];
      moved = Math.max(moved, Math.abs(delta[k]));
    }
    if (moved < 1e-10) break;
  }
  return unpack();
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

/** Ids of the vocabulary's whole-word pieces, found once per tokenizer (a regex over 30,000–120,000 tokens). */
const wordIdCache = new WeakMap<object, number[]>();
function wordIds(bert: Bert): number[] {
  let ids = wordIdCache.get(bert.tokenizer);
  if (ids === undefined) {
    ids = [];
    for (let v = 0; v < bert.config.vocabSize; v++) if (isWordPiece(bert.tokenizer.idToToken(v))) ids.push(v);
    wordIdCache.set(bert.tokenizer, ids);
  }
  return ids;
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
  const candidates = wordIds(bert)
    .filter((v) => !(options.exclude?.has(v) ?? false))
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
  // The same split as trainHead's for the same seed (its generator's first use), so the page can compare them.
  const split = stratifiedSplit(targets, labels.length, fraction, prng(seed));
  const trainRows = split.train.map((i) => rows[i]);
  const trainTargets = split.train.map((i) => targets[i]);

  const defaults = defaultVerbalizer(bert, labels);
  const meanRow = (rs: Float32Array[]) => {
    const out = new Float32Array(rs[0].length);
    for (const r of rs) for (let v = 0; v < r.length; v++) out[v] += r[v] / rs.length;
    return out;
  };
  let verbalizer: Verbalizer;
  let foundWords: Verbalizer | null = null;
  let ranking: PromptTrainResult['ranking'] = [];
  if (requested === 'auto') {
    // Search on calibrated rows, so words the model puts in every blank do not win.
    const bias = meanRow(contentFree);
    const calibrated = trainRows.map((row) => row.map((v, i) => v - bias[i]));
    const exclude = new Set(defaults === null ? [] : verbalizerIds(bert, labels, defaults).flat());
    const found = searchVerbalizer(bert, calibrated, trainTargets, labels, { perLabel: options.searchPerLabel ?? 3, exclude });
    ranking = found.ranking;
    if (labels.some((l) => found.verbalizer[l].length === 0)) {
      throw new Error('verbalizer search found no words for some label: give a verbalizer (label=word,word;…)');
    }
    // Labels whose names say nothing: the found words are the label words (nothing else to start from).
    if (defaults === null) verbalizer = found.verbalizer;
    else {
      verbalizer = defaults;
      foundWords = found.verbalizer;
    }
  } else {
    verbalizer = requested;
  }
  const ids = verbalizerIds(bert, labels, verbalizer);
  const calibration = calibrationFrom(contentFree, ids);
  const foundIds = foundWords === null ? null : verbalizerIds(bert, labels, foundWords);
  const foundCalibration = foundIds === null ? null : calibrationFrom(contentFree, foundIds);
  const features = (i: number): number[][] => {
    const s = labelScores(rows[i], ids);
    const f = foundIds === null ? null : labelScores(rows[i], foundIds);
    return s.map((v, c) => (f === null || foundCalibration === null ? [v - calibration[c]] : [v - calibration[c], f[c] - foundCalibration[c]]));
  };
  const prior = foundIds === null ? [1] : [1, 0];
  const { weights, bias } = fitLabelWeights(split.train.map(features), trainTargets, labels.length, prior, options);
  const classifier: PromptClassifier = {
    method: 'prompt',
    labels: [...labels],
    pattern,
    verbalizer: Object.fromEntries(labels.map((l) => [l, [...verbalizer[l]]])),
    calibration,
    scale: weights.map((w) => w[0]),
    bias,
    found:
      foundWords === null || foundCalibration === null
        ? null
        : { words: foundWords, calibration: foundCalibration, scale: weights.map((w) => w[1]) },
    trainedOn: { model: bert.location, examples: split.train.length, seed },
  };
  const accuracy = (clf: PromptClassifier, idx: number[]) => {
    if (idx.length === 0) return null;
    const score = scorer(bert, clf);
    return idx.filter((i) => argmax(score(rows[i])) === targets[i]).length / idx.length;
  };
  let zeroShotAccuracy: number | null = null;
  if (defaults !== null) {
    const zsIds = verbalizerIds(bert, labels, defaults);
    const zs: PromptClassifier = {
      ...classifier,
      verbalizer: defaults,
      calibration: calibrationFrom(contentFree, zsIds),
      scale: labels.map(() => 1),
      bias: labels.map(() => 0),
      found: null,
    };
    zeroShotAccuracy = accuracy(zs, split.validation.length > 0 ? split.validation : split.train);
  }
  return {
    classifier,
    zeroShotAccuracy,
    trainAccuracy: accuracy(classifier, split.train) ?? 0,
    validationAccuracy: accuracy(classifier, split.validation),
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
  const score = scorer(bert, classifier);
  return rows.map((row) => {
    const p = softmax(score(row));
    return { label: classifier.labels[argmax(p)], probs: Object.fromEntries(classifier.labels.map((l, i) => [l, p[i]])) };
  });
}

export interface PromptClassification extends Classification {
  /** The pattern as filled in (the text cut to fit when `truncated`). */
  filled: string;
  truncated: boolean;
  /** The model's top guesses for the blank, with the label each word speaks for (null: none). */
  guesses: { token: string; probability: number; label: string | null }[];
  /** P(word | blank) of every label word (found: from verbalizer search), by label. */
  wordProbabilities: Record<string, { word: string; probability: number; found: boolean }[]>;
}

/** The k largest entries' indices, best first, in one pass (k is small; the vocabulary may be 100,000+). */
function topIds(row: Float32Array, k: number): number[] {
  const best: number[] = [];
  if (k <= 0) return best;
  for (let v = 0; v < row.length; v++) {
    if (best.length === k && row[v] <= row[best[k - 1]]) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(v);
    while (at > 0 && row[best[at - 1]] < row[v]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = v;
  }
  return best;
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
  const foundIds = classifier.found === null ? classifier.labels.map(() => []) : verbalizerIds(bert, classifier.labels, classifier.found.words);
  const owner = new Map<number, string>();
  [...ids, ...foundIds].forEach((words, c) => words.forEach((id) => owner.set(id, classifier.labels[c % classifier.labels.length])));
  const score = scorer(bert, classifier);
  const topK = options.topK ?? 10;
  return rows.map((row, i) => {
    const p = softmax(score(row));
    const top = topIds(row, topK);
    return {
      label: classifier.labels[argmax(p)],
      probs: Object.fromEntries(classifier.labels.map((l, c) => [l, p[c]])),
      filled: queries[i].filled,
      truncated: queries[i].encoding.truncated,
      guesses: top.map((id) => ({ token: bert.tokenizer.idToToken(id), probability: Math.exp(row[id]), label: owner.get(id) ?? null })),
      wordProbabilities: Object.fromEntries(
        classifier.labels.map((l, c) => [
          l,
          [...ids[c].map((id) => ({ id, found: false })), ...foundIds[c].map((id) => ({ id, found: true }))].map(({ id, found }) => ({
            word: bert.tokenizer.idToToken(id),
            probability: Math.exp(row[id]),
            found,
          })),
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
  if (classifier.found !== null) {
    const found = verbalizerIds(bert, classifier.labels, classifier.found.words);
    const labelWord = new Set(verbalizerIds(bert, classifier.labels, classifier.verbalizer).flat());
    const both = found.flat().find((id) => labelWord.has(id));
    if (both !== undefined) throw new Error(`"${bert.tokenizer.idToToken(both)}" is both a label word and a found word`);
  }
}

export function promptToJson(classifier: PromptClassifier): string {
  return JSON.stringify({ format: 'bert-playground-prompt', version: 2, ...classifier }, null, 2);
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
  // Version 1 had no found words: it reads as found = null. An older build refuses version 2 rather than ignore them.
  if (o.version !== 1 && o.version !== 2) throw new Error(`${where}: unsupported version ${String(o.version)}`);
  if (o.method !== 'prompt') throw new Error(`${where}: "method" must be "prompt"`);
  const labels = o.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string' && l !== '') || new Set(labels).size !== labels.length) {
    throw new Error(`${where}: "labels" must be at least 2 different non-empty strings`);
  }
  if (typeof o.pattern !== 'string') throw new Error(`${where}: "pattern" must be a string`);
  const wordsOf = (v: unknown, name: string): Verbalizer => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${where}: "${name}" must be an object of label → words`);
    const out: Verbalizer = {};
    for (const label of labels as string[]) {
      const words = (v as Record<string, unknown>)[label];
      if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string' && w !== '')) {
        throw new Error(`${where}: "${name}.${label}" must be a non-empty list of words`);
      }
      out[label] = words as string[];
    }
    if (Object.keys(v).length !== labels.length) throw new Error(`${where}: "${name}" has labels that are not in "labels"`);
    return out;
  };
  const numbersIn = (container: Record<string, unknown>, name: string, path: string) => {
    const xs = container[name];
    if (!Array.isArray(xs) || xs.length !== labels.length || !xs.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new Error(`${where}: "${path}" must be ${labels.length} finite numbers (one per label)`);
    }
    return xs as number[];
  };
  const numbers = (name: string) => numbersIn(o, name, name);
  const verbalizer = wordsOf(o.verbalizer, 'verbalizer');
  let found: PromptClassifier['found'] = null;
  if (o.version === 2 && o.found !== null && o.found !== undefined) {
    if (typeof o.found !== 'object' || Array.isArray(o.found)) throw new Error(`${where}: "found" must be an object or null`);
    const f = o.found as Record<string, unknown>;
    found = { words: wordsOf(f.words, 'found.words'), calibration: numbersIn(f, 'calibration', 'found.calibration'), scale: numbersIn(f, 'scale', 'found.scale') };
  }
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
    found,
    trainedOn,
  };
}
