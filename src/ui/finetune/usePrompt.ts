import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PromptClassifier, Verbalizer } from '../../engine';
import { abortError, promptFromJson, promptToJson } from '../../engine/pure';
import { engine, isCancel, type ModelHandle } from '../engineClient';
import type { Example } from '../examples';
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
  model: ModelHandle | null;
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
  const candidate = useMemo<PromptClassifier | null>(() => {
    if (stored === null || model === null || stored.run.model !== which) return null;
    try {
      const c = promptFromJson(stored.classifier);
      const sameModel = c.trainedOn === null || c.trainedOn.model === model.location;
      const wanted = JSON.parse(labelsKey) as string[];
      return sameModel && c.labels.length === wanted.length && c.labels.every((l, i) => l === wanted[i]) ? c : null;
    } catch {
      return null;
    }
  }, [stored, model, which, labelsKey]);
  // Whether its words and pattern read this model's vocabulary: asked of the worker, which has the model's code.
  const [checked, setChecked] = useState<{ classifier: PromptClassifier; model: ModelHandle; ok: boolean } | null>(null);
  useEffect(() => {
    if (candidate === null || model === null) return;
    let live = true;
    engine()
      .call('checkPrompt', [model.id, candidate], { models: [model] })
      .then(
        (problem) => live && setChecked({ classifier: candidate, model, ok: problem === null }),
        () => undefined, // the model was replaced meanwhile: the next one is checked
      );
    return () => {
      live = false;
    };
  }, [candidate, model]);
  const classifier = checked !== null && checked.ok && checked.classifier === candidate && checked.model === model ? candidate : null;

  // Zero-shot: the default (or typed) words, no example used. Re-run when the inputs settle.
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
        const zs = await engine().call(
          'measureZeroShot',
          [model.id, { labels, examples: examples.map(({ text, label }) => ({ text, label })), pattern, verbalizer, heldOut, seed }],
          { models: [model], channel: 'zero-shot', signal: abort.signal },
        );
        if (abort.signal.aborted) return;
        setMeasured({ key, zeroShot: { status: 'done', message: null, ...zs } });
      } catch (error) {
        // Cancelled, superseded, or the model was replaced (and freed) before it began: nothing to say.
        if (abort.signal.aborted || isCancel(error)) return;
        setMeasured({ key, zeroShot: { ...NO_ZERO_SHOT, status: 'error', message: errorText(error) } });
      }
    };
    const timer = setTimeout(() => void measure(), ZERO_SHOT_DELAY_MS);
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
      const result = await engine().call(
        'trainPrompt',
        [model.id, examples.map(({ text, label }) => ({ text, label })), { labels, pattern, verbalizer: verbalizer ?? 'auto', validationFraction: heldOut, seed }],
        { models: [model], signal: abort.signal, onProgress: ({ done, total }) => setTraining((t) => ({ ...t, done, total })) },
      );
      if (abort.signal.aborted) throw abortError('training the prompt');
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
      // A model replaced (and freed) before the training began ends it as a cancelled one.
      const cancelled = abort.signal.aborted || isCancel(error);
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
