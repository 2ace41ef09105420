import { useEffect, useState } from 'react';
import { initBackend, selfTest, type BackendChoice, type BackendName } from '../engine/backend';
import { wasmPaths } from './wasmPaths';

export type BackendState =
  | { status: 'starting' }
  | { status: 'ready'; choice: BackendChoice; selfTest: { ok: boolean; values: number[] } }
  | { status: 'error'; message: string };

const NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** `?backend=wasm` forces one backend (useful for comparing them in class). */
function chainFromUrl(): BackendName[] | undefined {
  const wanted = new URLSearchParams(window.location.search).get('backend');
  return NAMES.find((n) => n === wanted) !== undefined ? [wanted as BackendName] : undefined;
}

/** Starts tfjs once for the page and reports which backend won. */
export function useBackend(): BackendState {
  const [state, setState] = useState<BackendState>({ status: 'starting' });
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const choice = await initBackend({ chain: chainFromUrl(), wasmPaths });
        const check = await selfTest();
        if (!cancelled) setState({ status: 'ready', choice, selfTest: check });
      } catch (error) {
        if (!cancelled) setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);
  return state;
}
