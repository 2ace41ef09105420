import { useCallback, useRef, useState } from 'react';
import type { Bert } from '../../engine/bert';
import {
  headFromJson,
  headToJson,
  trainHead,
  type ClassifierHead,
  type EpochReport,
  type Pooling,
  type TrainProgress,
} from '../../engine/finetune';
import type { Example } from '../examples';

export interface TrainSettings {
  pooling: Pooling;
  hiddenUnits: number;
  epochs: number;
  seed: number;
  unfreezeLayers: number;
}

export const DEFAULT_SETTINGS: TrainSettings = { pooling: 'mean', hiddenUnits: 0, epochs: 30, seed: 0, unfreezeLayers: 0 };

export interface TrainingState {
  running: boolean;
  progress: TrainProgress | null;
  history: EpochReport[];
  head: ClassifierHead | null;
  error: string | null;
  stopped: boolean;
}

const HEAD_KEY = 'bert-playground.head.v1';

function storedHead(): ClassifierHead | null {
  try {
    const raw = globalThis.localStorage?.getItem(HEAD_KEY);
    return raw ? headFromJson(raw) : null;
  } catch {
    return null; // an unreadable or outdated head is simply not restored
  }
}

/** Trains a head on the examples, with live curves and a stop button; the last head survives a reload. */
export function useTraining(bert: Bert | null) {
  const [state, setState] = useState<TrainingState>(() => ({
    running: false,
    progress: null,
    history: [],
    head: storedHead(),
    error: null,
    stopped: false,
  }));
  const controller = useRef<AbortController | null>(null);

  const keepHead = useCallback((head: ClassifierHead | null) => {
    try {
      if (head === null) globalThis.localStorage?.removeItem(HEAD_KEY);
      else globalThis.localStorage?.setItem(HEAD_KEY, headToJson(head));
    } catch {
      // storage full or blocked: the head stays for this visit
    }
    setState((s) => ({ ...s, head, history: head === null ? [] : s.history }));
  }, []);

  const train = useCallback(
    async (examples: Example[], labels: string[], settings: TrainSettings) => {
      if (bert === null) return;
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      setState((s) => ({ ...s, running: true, progress: null, history: [], error: null, stopped: false }));
      try {
        const result = await trainHead(bert, examples, {
          labels,
          ...settings,
          signal: abort.signal,
          onProgress: (progress) => setState((s) => ({ ...s, progress })),
          onEpoch: (report) => setState((s) => ({ ...s, history: [...s.history, report] })),
        });
        keepHead(result.head);
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
