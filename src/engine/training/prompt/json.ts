/**
 * A prompt classifier as JSON, to save it in the browser or a file and load it
 * again; every field is checked on the way in.
 */
import type { PromptClassifier } from './classifier';
import type { Verbalizer } from './verbalizer';

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

