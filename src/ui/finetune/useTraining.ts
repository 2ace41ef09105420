import { useCallback, useEffect, useRef, useState } from 'react';
import type { ClassifierHead, EpochReport, Pooling, TrainProgress } from '../../engine';
import { headFromJson, headToJson } from '../../engine/pure';
import { engine, isCancel, type ModelHandle } from '../engineClient';
import { TRAINING_DEFAULTS } from '../../engine/pure';
import type { Example } from '../examples';
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
export function useTraining(bert: ModelHandle | null) {
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
        // In the engine's worker, which holds the model until the training ends (a model replaced meanwhile lives until then).
        const result = await engine().call('trainHead', [bert.id, examples, { labels, ...settings }], {
          models: [bert],
          signal: abort.signal,
          onProgress: (event) =>
            event.kind === 'progress'
              ? setState((s) => ({ ...s, progress: event.progress }))
              : setState((s) => ({ ...s, history: [...s.history, event.report] })),
        });
        if (!mounted.current) return; // a head for a model that has gone: not stored, not shown
        const last = result.history[result.history.length - 1];
        keepHead(
          result.head,
          last === undefined
            ? null
            : { validationAccuracy: last.valAccuracy, trainAccuracy: last.trainAccuracy, heldOut: result.heldOut, trainedOn: examples.length - result.heldOut },
        );
        setState((s) => ({ ...s, running: false, stopped: result.stopped }));
      } catch (error) {
        // The model was replaced (and freed) before this training began: it ends as a stopped one, with no head.
        if (isCancel(error)) {
          if (mounted.current) setState((s) => ({ ...s, running: false, stopped: true }));
          return;
        }
        setState((s) => ({ ...s, running: false, error: error instanceof Error ? error.message : String(error) }));
      }
    },
    [bert, keepHead],
  );

  const stop = useCallback(() => controller.current?.abort(), []);
  return { state, train, stop, setHead: keepHead };
}
