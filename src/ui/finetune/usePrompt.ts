import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  abortError,
  type Bert,
  checkPromptClassifier,
  classifyLogProbs,
  isAbortError,
  patternLogProbs,
  type PromptClassifier,
  promptFromJson,
  promptToJson,
  stratifiedHoldout,
  trainPrompt,
  type Verbalizer,
  zeroShotPrompt,
} from '../../engine';
import type { Example } from '../examples';
import { withHeld } from '../modelHolds';
import { parseJsonObject, readStored, StoredValueError } from '../storedValue';
import { KEYS, writeJson, type PromptModel } from './storage';

/** What a prompt training measured, shown next to the method (and kept across a reload). */
export interface PromptRun {
  model: PromptModel;
  /** The default words with no example used, on the same held-out examples; null without default words. */
  zeroShotAccuracy: number | null;
  trainAccuracy: number;
  validationAccuracy: number | null;
  heldOut: number;
  trainedOn: number;
  /** Whether the words were found in the examples (else typed by the class). */
  foundWords: boolean;
  ranking: { word: string; label: string; score: number }[];
}

export interface ZeroShot {
  status: 'waiting' | 'running' | 'done' | 'error';
  /** On the held-out examples (those the methods are scored on), and on all of them. */
  heldOutAccuracy: number | null;
  heldOut: number;
  allAccuracy: number | null;
  all: number;
  classifier: PromptClassifier | null;
  message: string | null;
}

const NO_ZERO_SHOT: ZeroShot = { status: 'waiting', heldOutAccuracy: null, heldOut: 0, allAccuracy: null, all: 0, classifier: null, message: null };

export interface PromptInputs {
  model: Bert | null;
  which: PromptModel;
  labels: string[];
  examples: Example[];
  /** null: the inputs have a problem (shown elsewhere); nothing runs. */
  pattern: string | null;
  /** null: the words are found in the examples (training) or the default words (zero-shot). */
  verbalizer: Verbalizer | null;
  heldOut: number;
  seed: number;
  /** Zero-shot runs only while the panel is on screen and nothing trains. */
  active: boolean;
}

interface Stored {
  classifier: string;
  run: PromptRun;
}

const ZERO_SHOT_DELAY_MS = 500;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function loadStored(): Stored | null {
  return readStored(KEYS.prompt, (raw) => {
    const o = parseJsonObject(raw) as Partial<Stored>;
    if (typeof o.classifier !== 'string' || typeof o.run !== 'object' || o.run === null) throw new StoredValueError('not a trained prompt');
    promptFromJson(o.classifier); // throws on a corrupted classifier
    const r = o.run;
    if ((r.model !== 'main' && r.model !== 'twin') || typeof r.trainAccuracy !== 'number' || !Array.isArray(r.ranking)) {
      throw new StoredValueError('its last run does not read back');
    }
    return { classifier: o.classifier, run: r };
  });
}

/**
 * The prompt method: its zero-shot accuracy before any training (computed when
 * the inputs settle), few-shot training with progress and cancel, and the last
 * trained classifier, kept across a reload while it still fits the model.
 */
export function usePrompt(inputs: PromptInputs) {
  const { model, which, labels, examples, pattern, verbalizer, heldOut, seed, active } = inputs;
  const [stored, setStored] = useState<Stored | null>(loadStored);
  // Tagged with the inputs it was measured for: a result for other inputs (model, pattern, words…) is never shown or used.
  const [measured, setMeasured] = useState<{ key: string; zeroShot: ZeroShot } | null>(null);
  const [training, setTraining] = useState<{ running: boolean; done: number; total: number; error: string | null; cancelled: boolean }>({
    running: false,
    done: 0,
    total: 0,
    error: null,
    cancelled: false,
  });
  const controller = useRef<AbortController | null>(null);

  // The trained classifier, when it was trained on the model now asked and still reads its vocabulary.
  // Parsed once per stored classifier and model, not on every render: the try box runs the model when it changes.
  const labelsKey = JSON.stringify(labels);
  const classifier = useMemo<PromptClassifier | null>(() => {
    if (stored === null || model === null || stored.run.model !== which) return null;
    try {
      const c = promptFromJson(stored.classifier);
      checkPromptClassifier(model, c);
      const sameModel = c.trainedOn === null || c.trainedOn.model === model.location;
      const wanted = JSON.parse(labelsKey) as string[];
      return sameModel && c.labels.length === wanted.length && c.labels.every((l, i) => l === wanted[i]) ? c : null;
    } catch {
      return null;
    }
  }, [stored, model, which, labelsKey]);

  // Zero-shot: the default (or typed) words, no example used. Re-run when the inputs settle.
  const texts = examples.map((e) => e.text);
  const key = JSON.stringify([model?.location ?? null, which, labels, examples, pattern, verbalizer, heldOut, seed]);
  const zeroShot = measured !== null && measured.key === key ? measured.zeroShot : NO_ZERO_SHOT;
  useEffect(() => {
    if (model === null || pattern === null || !active || training.running) return;
    if (examples.length === 0) return;
    const abort = new AbortController();
    const measure = async () => {
      // Measured again for the same inputs (back on screen, after training): the last result stays until then.
      setMeasured((m) => ({ key, zeroShot: m !== null && m.key === key ? { ...m.zeroShot, status: 'running', message: null } : { ...NO_ZERO_SHOT, status: 'running' } }));
      try {
        const zs = await zeroShotPrompt(model, labels, { pattern, verbalizer: verbalizer ?? undefined, signal: abort.signal });
        const rows = await patternLogProbs(model, pattern, texts, { signal: abort.signal });
        const predicted = classifyLogProbs(model, zs, rows).map((c) => c.label);
        const targets = examples.map((e) => labels.indexOf(e.label));
        const { validation } = stratifiedHoldout(targets, labels.length, heldOut, seed);
        const right = (idx: number[]) => idx.filter((i) => predicted[i] === examples[i].label).length;
        const all = examples.map((_, i) => i);
        if (abort.signal.aborted) return;
        setMeasured({
          key,
          zeroShot: {
            status: 'done',
            heldOutAccuracy: validation.length === 0 ? null : right(validation) / validation.length,
            heldOut: validation.length,
            allAccuracy: right(all) / all.length,
            all: all.length,
            classifier: zs,
            message: null,
          },
        });
      } catch (error) {
        if (abort.signal.aborted || isAbortError(error)) return;
        setMeasured({ key, zeroShot: { ...NO_ZERO_SHOT, status: 'error', message: errorText(error) } });
      }
    };
    // The model is held for the whole measurement; one already replaced (and freed) is not measured.
    const timer = setTimeout(() => void withHeld([model], measure), ZERO_SHOT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
    // `key` stands for the inputs (arrays and objects are new on every render).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, key, active, training.running]);

  const train = useCallback(async () => {
    if (model === null || pattern === null) return;
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setTraining({ running: true, done: 0, total: examples.length, error: null, cancelled: false });
    try {
      const result = await withHeld([model], () =>
        trainPrompt(model, examples, {
          labels,
          pattern,
          verbalizer: verbalizer ?? 'auto',
          validationFraction: heldOut,
          seed,
          signal: abort.signal,
          onProgress: (done, total) => setTraining((t) => ({ ...t, done, total })),
        }),
      );
      // Null: the model was replaced (and freed) before the training began — it ends as a cancelled one.
      if (result === null || abort.signal.aborted) throw abortError('training the prompt');
      const next: Stored = {
        classifier: promptToJson(result.classifier),
        run: {
          model: which,
          zeroShotAccuracy: result.zeroShotAccuracy,
          trainAccuracy: result.trainAccuracy,
          validationAccuracy: result.validationAccuracy,
          heldOut: result.validation.length,
          trainedOn: examples.length - result.validation.length,
          foundWords: verbalizer === null,
          ranking: result.ranking,
        },
      };
      writeJson(KEYS.prompt, next);
      setStored(next);
      setTraining((t) => ({ ...t, running: false }));
    } catch (error) {
      const cancelled = abort.signal.aborted || isAbortError(error);
      setTraining((t) => ({ ...t, running: false, cancelled, error: cancelled ? null : errorText(error) }));
    }
  }, [model, which, labels, examples, pattern, verbalizer, heldOut, seed]);

  const stop = useCallback(() => controller.current?.abort(), []);
  const forget = useCallback(() => {
    writeJson(KEYS.prompt, null);
    setStored(null);
  }, []);
  // Leaving (the panel is remounted for another main model): the training stops and stores nothing.
  useEffect(() => () => controller.current?.abort(), []);

  return { zeroShot, training, classifier, run: classifier === null ? null : (stored?.run ?? null), train, stop, forget };
}
