import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type BackendChoice,
  type BackendName,
  chainAfter,
  encode,
  fromCheckpoint,
  initBackend,
  isDeviceLost,
  randomCheckpoint,
  selfTest,
  watchDeviceLoss,
} from '../engine';
import { forcedBackend, readMeasured, rememberChoice } from './backendSetting';
import { wasmPaths } from './wasmPaths';

export type BackendState =
  | { status: 'starting' }
  | {
      status: 'ready';
      choice: BackendChoice;
      selfTest: { ok: boolean; values: number[] };
      /** Counts backend changes on this page: the models are loaded again onto each new one (useModels). */
      generation: number;
      /** The backend that stopped mid-session, and why, when this one took over from it. */
      lost: { from: BackendName; message: string } | null;
    }
  | { status: 'error'; message: string };

/** The shipped models' shape: the trial costs what a keystroke will cost (random weights, same work). */
const TRIAL_SHAPE = { layers: 4, hidden: 256, heads: 4, intermediate: 1024, vocabSize: 8192, maxPositions: 128 };
const TRIAL_SENTENCE = 'The cat sat on the mat because it was tired.';

let trialCheckpoint: ReturnType<typeof randomCheckpoint> | null = null;

async function trial(): Promise<void> {
  // The weights are drawn once (5M seeded numbers); each trial only uploads them to its backend.
  trialCheckpoint ??= randomCheckpoint(TRIAL_SHAPE);
  const bert = fromCheckpoint(trialCheckpoint);
  try {
    await encode(bert, TRIAL_SENTENCE, { valueNorms: true });
  } finally {
    bert.dispose();
  }
}

interface Started {
  choice: BackendChoice;
  selfTest: { ok: boolean; values: number[] };
}

/**
 * One start per page, shared by every mount: React's StrictMode runs effects
 * twice in development, and two initBackend calls at once race (one switches
 * backends while the other's trial is running: "Backend 'wasm' has not yet
 * been initialized" on `npm run dev`).
 */
let started: Promise<Started> | null = null;

function startOnce(): Promise<Started> {
  started ??= (async () => {
    const forced = forcedBackend(window.location.search);
    const agent = navigator.userAgent;
    const choice = await initBackend({
      chain: forced !== null ? [forced] : undefined,
      wasmPaths,
      trial,
      remembered: readMeasured(agent),
    });
    rememberChoice(choice, agent);
    performance.mark('bert:backend-ready', { detail: { backend: choice.name } }); // start-up breakdown for `npm run bench`
    return { choice, selfTest: await selfTest() };
  })();
  return started;
}

// A run that failed because the GPU went away (useEncoding and the other runs report their
// errors here): the same fault as a lost device, whoever notices it first.
const faultListeners = new Set<(message: string) => void>();

/** Hands a run's error to the backend when it means the GPU is gone; false (nothing done) otherwise. */
export function reportRunError(error: unknown): boolean {
  if (!isDeviceLost(error)) return false;
  const message = error instanceof Error ? error.message : String(error);
  faultListeners.forEach((l) => l(message));
  return true;
}

/**
 * Starts tfjs once for the page: the backend forced by `?backend=` or the
 * setting, else the one remembered from an earlier visit, else the fastest of
 * a timed trial (remembered for next time). If the GPU goes away mid-session
 * (the WebGPU device is lost, or a run fails with a lost device or context),
 * the next backend of the chain takes over — untimed, the page is in use — and
 * `generation` tells the models to load again onto it.
 */
export function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'starting' });
  const switching = useRef(false);
  useEffect(() => {
    let cancelled = false;
    startOnce().then(
      ({ choice, selfTest }) => {
        if (!cancelled) setState({ status: 'ready', choice, selfTest, generation: 0, lost: null });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const from = state.status === 'ready' ? state.choice.name : null;
  const lose = useCallback(
    (message: string) => {
      if (from === null || switching.current || chainAfter(from).length === 0) return;
      switching.current = true;
      void (async () => {
        try {
          const choice = await initBackend({ chain: chainAfter(from), wasmPaths });
          const test = await selfTest();
          setState((s) => ({ status: 'ready', choice, selfTest: test, generation: s.status === 'ready' ? s.generation + 1 : 1, lost: { from, message } }));
        } catch (error) {
          setState({ status: 'error', message: `${message}; ${error instanceof Error ? error.message : String(error)}` });
        } finally {
          switching.current = false;
        }
      })();
    },
    [from],
  );
  useEffect(() => {
    if (from === null) return;
    faultListeners.add(lose);
    const stop = watchDeviceLoss(lose);
    return () => {
      faultListeners.delete(lose);
      stop();
    };
  }, [from, lose]);
  return state;
}
