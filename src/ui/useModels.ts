import { useCallback, useEffect, useRef, useState } from 'react';
import { type Bert, type Checkpoint, fromCheckpoint, loadCheckpoint, type LoadProgress, urlSource } from '../engine';
import { letGo } from './modelHolds';
import { BIDIRECTIONAL, CAUSAL_TWIN, precacheLoadedFiles, SHIPPED_MAIN, type MainModel } from './models';

export type { MainModel } from './models';

/**
 * Makes `bert` the main model. Pass a model that has fully loaded; the page
 * lets go of the one it replaces, which is freed once no run holds it (see
 * modelHolds.ts). The shipped BERT-mini is kept, so switching back to it is
 * instant. Pass 'shipped' to switch back.
 */
export type SwapModel = (next: Bert | 'shipped', main?: MainModel) => void;

export type ModelsState =
  | { status: 'waiting' }
  | { status: 'loading'; progress: Record<string, LoadProgress> }
  | { status: 'ready'; bert: Bert; twin: Bert; main: MainModel; swap: SwapModel }
  | { status: 'error'; message: string };

/**
 * Loads BERT-mini and its causal twin; shows download progress. The download
 * (and parsing) starts at once, while the backend is still starting — it is
 * most of a first visit; the weights go onto the backend once it is up.
 */
export function useModels(backendReady: boolean): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'waiting' });
  const shipped = useRef<Bert | null>(null);
  const current = useRef<Bert | null>(null);
  const download = useRef<{ checkpoints: Promise<Checkpoint[]>; controller: AbortController } | null>(null);

  const swap = useCallback<SwapModel>((next, main) => {
    const bert = next === 'shipped' ? shipped.current : next;
    if (bert === null) return;
    const old = current.current;
    current.current = bert;
    const info = next === 'shipped' ? SHIPPED_MAIN : (main ?? { kind: 'local', id: bert.location, label: bert.location });
    setState((s) => (s.status === 'ready' ? { ...s, bert, main: info } : s));
    if (old !== null && old !== bert && old !== shipped.current) letGo(old);
  }, []);

  // Only leaving the page (unmounting) cancels the download; the backend becoming ready does not.
  useEffect(
    () => () => {
      download.current?.controller.abort();
      download.current = null;
    },
    [],
  );

  useEffect(() => {
    if (download.current === null) {
      const controller = new AbortController();
      const progress: Record<string, LoadProgress> = {};
      const onProgress = (model: string) => (p: LoadProgress) => {
        if (p.file !== 'model.safetensors' || controller.signal.aborted) return;
        progress[model] = p;
        setState((s) => (s.status === 'ready' || s.status === 'error' ? s : { status: 'loading', progress: { ...progress } }));
      };
      const checkpoints = Promise.all(
        [BIDIRECTIONAL, CAUSAL_TWIN].map((m) =>
          loadCheckpoint(urlSource(m.url), { signal: controller.signal, onProgress: onProgress(m.id) }),
        ),
      );
      checkpoints.catch(() => undefined); // handled below, once the backend is ready
      download.current = { checkpoints, controller };
    }
    if (!backendReady) return;
    const { checkpoints, controller } = download.current;
    let cancelled = false;
    let loaded: Bert[] = [];
    checkpoints
      .then((cps) => {
        if (cancelled || controller.signal.aborted) return;
        loaded = cps.map((c) => fromCheckpoint(c));
        performance.mark('bert:models-ready'); // start-up breakdown for `npm run bench`
        shipped.current = loaded[0];
        current.current = loaded[0];
        setState({ status: 'ready', bert: loaded[0], twin: loaded[1], main: SHIPPED_MAIN, swap });
        // The weights are now in the page's resource list: let the service worker keep them for offline use.
        void precacheLoadedFiles().catch(() => undefined);
      })
      .catch((error: unknown) => {
        if (cancelled || controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      cancelled = true;
      const custom = current.current;
      if (custom !== null && !loaded.includes(custom)) letGo(custom);
      loaded.forEach(letGo);
      shipped.current = null;
      current.current = null;
      // A later run (StrictMode's second mount) must start from the files again: these models are gone.
      download.current = null;
    };
  }, [backendReady, swap]);
  return state;
}
