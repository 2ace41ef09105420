import { useCallback, useEffect, useRef, useState } from 'react';
import { loadModel, type Bert } from '../engine/bert';
import { urlSource, type LoadProgress } from '../engine/source';
import { BIDIRECTIONAL, CAUSAL_TWIN, precacheLoadedFiles, SHIPPED_MAIN, type MainModel } from './models';

export type { MainModel } from './models';

/**
 * Makes `bert` the main model. Pass a model that has fully loaded; the one it
 * replaces is disposed once the views have moved on (the shipped BERT-mini is
 * kept, so switching back to it is instant). Pass 'shipped' to switch back.
 */
export type SwapModel = (next: Bert | 'shipped', main?: MainModel) => void;

export type ModelsState =
  | { status: 'waiting' }
  | { status: 'loading'; progress: Record<string, LoadProgress> }
  | { status: 'ready'; bert: Bert; twin: Bert; main: MainModel; swap: SwapModel }
  | { status: 'error'; message: string };

/** How long a replaced model lives on, so a run that started on it can finish. */
const DISPOSE_DELAY_MS = 2000;

/** Loads BERT-mini and its causal twin once the backend is up; shows download progress. */
export function useModels(backendReady: boolean): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'waiting' });
  const shipped = useRef<Bert | null>(null);
  const current = useRef<Bert | null>(null);

  const swap = useCallback<SwapModel>((next, main) => {
    const bert = next === 'shipped' ? shipped.current : next;
    if (bert === null) return;
    const old = current.current;
    current.current = bert;
    const info = next === 'shipped' ? SHIPPED_MAIN : (main ?? { kind: 'local', id: bert.location, label: bert.location });
    setState((s) => (s.status === 'ready' ? { ...s, bert, main: info } : s));
    if (old !== null && old !== bert && old !== shipped.current) setTimeout(() => old.dispose(), DISPOSE_DELAY_MS);
  }, []);

  useEffect(() => {
    if (!backendReady) return;
    const controller = new AbortController();
    const progress: Record<string, LoadProgress> = {};
    let loaded: Bert[] = [];
    const onProgress = (model: string) => (p: LoadProgress) => {
      if (p.file !== 'model.safetensors') return;
      progress[model] = p;
      setState({ status: 'loading', progress: { ...progress } });
    };
    Promise.all(
      [BIDIRECTIONAL, CAUSAL_TWIN].map((m) =>
        loadModel(urlSource(m.url), { signal: controller.signal, onProgress: onProgress(m.id) }),
      ),
    )
      .then((models) => {
        loaded = models;
        if (controller.signal.aborted) {
          models.forEach((m) => m.dispose());
          return;
        }
        shipped.current = models[0];
        current.current = models[0];
        setState({ status: 'ready', bert: models[0], twin: models[1], main: SHIPPED_MAIN, swap });
        // The weights are now in the page's resource list: let the service worker keep them for offline use.
        void precacheLoadedFiles().catch(() => undefined);
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      controller.abort();
      const custom = current.current;
      if (custom !== null && !loaded.includes(custom)) custom.dispose();
      loaded.forEach((m) => m.dispose());
      shipped.current = null;
      current.current = null;
    };
  }, [backendReady, swap]);
  return state;
}
