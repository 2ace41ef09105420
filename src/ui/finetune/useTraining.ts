import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type Bert,
  type ClassifierHead,
  type EpochReport,
  headFromJson,
  headToJson,
  type Pooling,
  stratifiedHoldout,
  trainHead,
  TRAINING_DEFAULTS,
  type TrainProgress,
} from '../../engine';
import type { Example } from '../examples';
import { withHeld } from '../modelHolds';
import { parseJsonObject, readStored, StoredValueError, writeStored } from '../storedValue';

export interface TrainSettings {
  pooling: Pooling;
  hiddenUnits: number;
  epochs: number;
  seed: number;
  unfreezeLayers: number;
}

const { pooling, hiddenUnits, epochs, seed, unfreezeLayers } = TRAINING_DEFAULTS;
/** The page starts from the engine's own defaults. */
export const DEFAULT_SETTINGS: TrainSettings = { pooling, hiddenUnits, epochs, seed, unfreezeLayers };

export interface TrainingState {
  running: boolean;
  progress: TrainProgress | null;
  history: EpochReport[];
  head: ClassifierHead | null;
  /** The last training's held-out result, kept with the head across a reload. */
  run: HeadRun | null;
  error: string | null;
  stopped: boolean;
}

export interface HeadRun {
  validationAccuracy: number | null;
  trainAccuracy: number;
  heldOut: number;
  trainedOn: number;
}

const HEAD_KEY = 'bert-playground.head.v1';
const RUN_KEY = 'bert-playground.head-run.v1';

function storedRun(): HeadRun | null {
  return readStored(RUN_KEY, (raw) => {
    const o = parseJsonObject(raw) as Partial<HeadRun>;
    const unit = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
    const fits =
      unit(o.trainAccuracy) && (o.validationAccuracy === null || unit(o.validationAccuracy)) && Number.isInteger(o.heldOut) && Number.isInteger(o.trainedOn);
    if (!fits) throw new StoredValueError('not the result of a training run');
    return o as HeadRun;
  });
}

/** An unreadable or outdated head is not restored (headFromJson's message says why; the text is kept aside). */
const storedHead = (): ClassifierHead | null => readStored(HEAD_KEY, headFromJson);

/** Trains a head on the examples, with live curves and a stop button; the last head survives a reload. */
export function useTraining(bert: Bert | null) {
  const [state, setState] = useState<TrainingState>(() => ({
    running: false,
    progress: null,
    history: [],
    head: storedHead(),
    run: storedRun(),
    error: null,
    stopped: false,
  }));
  const controller = useRef<AbortController | null>(null);
  // False once the panel has left (it is remounted for another main model): its training is not kept.
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      controller.current?.abort();
    };
  }, []);

  const keepHead = useCallback((head: ClassifierHead | null, run: HeadRun | null = null) => {
    // storage full or blocked: the head stays for this visit
    writeStored(HEAD_KEY, head === null ? null : headToJson(head));
    writeStored(RUN_KEY, run === null ? null : JSON.stringify(run));
    setState((s) => ({ ...s, head, run, history: head === null ? [] : s.history }));
  }, []);

  const train = useCallback(
    async (examples: Example[], labels: string[], settings: TrainSettings & { validationFraction: number }) => {
      if (bert === null) return;
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      setState((s) => ({ ...s, running: true, progress: null, history: [], error: null, stopped: false }));
      try {
        const result = await withHeld([bert], () =>
          trainHead(bert, examples, {
            labels,
            ...settings,
            signal: abort.signal,
            onProgress: (progress) => setState((s) => ({ ...s, progress })),
            onEpoch: (report) => setState((s) => ({ ...s, history: [...s.history, report] })),
          }),
        );
        if (!mounted.current) return; // a head for a model that has gone: not stored, not shown
        if (result === null) {
          // The model was replaced (and freed) before this training began: it ends as a stopped one, with no head.
          setState((s) => ({ ...s, running: false, stopped: true }));
          return;
        }
        const last = result.history[result.history.length - 1];
        // The same split trainHead made (same seed, same rule as the prompt's): how many were held out.
        const targets = examples.map((e) => labels.indexOf(e.label));
        const held = stratifiedHoldout(targets, labels.length, settings.validationFraction, settings.seed).validation.length;
        keepHead(
          result.head,
          last === undefined
            ? null
            : { validationAccuracy: last.valAccuracy, trainAccuracy: last.trainAccuracy, heldOut: held, trainedOn: examples.length - held },
        );
        setState((s) => ({ ...s, running: false, stopped: result.stopped }));
      } catch (error) {
        setState((s) => ({ ...s, running: false, error: error instanceof Error ? error.message : String(error) }));
      }
    },
    [bert, keepHead],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  return { state, train, stop, setHead: keepHead };
}
