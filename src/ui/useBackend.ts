import { useEffect, useSyncExternalStore } from 'react';
import type { BackendChoice, BackendName } from '../engine';
import { forcedBackend, readMeasured, rememberChoice, wasmThreadsWanted } from './backendSetting';
import { engine } from './engineClient';
import type { BackendLostEvent, Restart, Started, StartRequest } from '../worker/remote';

export type BackendState =
  | { status: 'starting' }
  | {
      status: 'ready';
      choice: BackendChoice;
      selfTest: { ok: boolean; values: number[] };
      /** Counts backend changes on this page (a GPU lost, a new worker): runs are made again on each. */
      generation: number;
      /** Counts new workers: the models are loaded again into each (useModels). */
      epoch: number;
      /** The backend that stopped mid-session, and why, when this one took over from it. */
      lost: { from: BackendName; message: string } | null;
      /** Models the worker could not move to the new backend (useModels goes back to BERT-mini). */
      dropped: number[];
      /** Why the engine's worker stopped, when this one is its replacement. */
      restarted: string | null;
    }
  | { status: 'error'; message: string };

/**
 * One start per page, shared by every mount (React's StrictMode runs effects
 * twice in development), kept in a small store the badge and the models read.
 */
let state: BackendState = { status: 'starting' };
let started = false;
const listeners = new Set<() => void>();

function set(next: BackendState): void {
  state = next;
  listeners.forEach((l) => l());
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** What the worker cannot read for itself (it has no URL bar and no localStorage). */
function request(): StartRequest {
  const search = window.location.search;
  const tfjsFlags = new URLSearchParams(search).get('tfjsflags') ?? undefined;
  return { forced: forcedBackend(search), remembered: readMeasured(navigator.userAgent), threads: wasmThreadsWanted(search), tfjsFlags };
}

async function startBackend(): Promise<Started> {
  const result = await engine().call('initBackend', [request()]);
  rememberChoice(result.choice, navigator.userAgent);
  return result;
}

function onLost(event: BackendLostEvent): void {
  if (event.started === null || state.status !== 'ready') {
    set({ status: 'error', message: `${event.message}; ${event.error ?? ''}` });
    return;
  }
  const { choice, selfTest } = event.started;
  set({ ...state, choice, selfTest, generation: state.generation + 1, lost: { from: event.from, message: event.message }, dropped: event.dropped });
}

function onRestart(restart: Restart): void {
  if (restart.gaveUp) {
    set({ status: 'error', message: restart.reason });
    return;
  }
  // The new worker starts on the same backend as the first (the timed winner is remembered by now).
  startBackend().then(
    ({ choice, selfTest }) => {
      const before = state.status === 'ready' ? state : { generation: 0, epoch: 0 };
      set({ status: 'ready', choice, selfTest, generation: before.generation + 1, epoch: before.epoch + 1, lost: null, dropped: [], restarted: restart.reason });
    },
    (error: unknown) => set({ status: 'error', message: `${restart.reason}; ${messageOf(error)}` }),
  );
}

function start(): void {
  if (started) return;
  started = true;
  engine().onBackendLost(onLost);
  engine().onRestart(onRestart);
  startBackend().then(
    ({ choice, selfTest }) => {
      performance.mark('bert:backend-ready', { detail: { backend: choice.name } }); // start-up breakdown for `npm run bench`
      set({ status: 'ready', choice, selfTest, generation: 0, epoch: 0, lost: null, dropped: [], restarted: null });
    },
    (error: unknown) => set({ status: 'error', message: messageOf(error) }),
  );
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/**
 * Starts tfjs once for the page, in the engine's worker: the backend forced by
 * `?backend=` or the setting, else the one remembered from an earlier visit,
 * else the fastest of a timed trial (remembered for next time). If the GPU
 * goes away mid-session the worker moves to the next backend of the chain and
 * brings the models with it (`generation`, `lost`); if the worker itself
 * stops, a new one starts on the same backend and the models load again
 * (`epoch`, `restarted`).
 */
export function useBackend(): BackendState {
  useEffect(start, []);
  return useSyncExternalStore(subscribe, () => state);
}
