/**
 * Step 3, automatic verbalizer search (Schick, Schmid & Schütze 2020): the
 * words whose blank probability best separates one label's examples from the rest.
 */
import type { Bert } from '../../model/bert';
import type { Verbalizer } from './verbalizer';

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
