import { useEffect, useState } from 'react';
import { type BackendChoice, encode, fromCheckpoint, initBackend, randomCheckpoint, selfTest } from '../engine';
import { forcedBackend, readMeasured, rememberChoice } from './backendSetting';
import { wasmPaths } from './wasmPaths';

export type BackendState =
  | { status: 'starting' }
  | { status: 'ready'; choice: BackendChoice; selfTest: { ok: boolean; values: number[] } }
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

/**
 * Starts tfjs once for the page: the backend forced by `?backend=` or the
 * setting, else the one remembered from an earlier visit, else the fastest of
 * a timed trial (remembered for next time).
 */
export function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'starting' });
  useEffect(() => {
    let cancelled = false;
    startOnce().then(
      ({ choice, selfTest }) => {
        if (!cancelled) setState({ status: 'ready', choice, selfTest });
      },
      (error: unknown) => {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}
