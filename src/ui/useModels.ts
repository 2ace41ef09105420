import { useCallback, useEffect, useRef, useState } from 'react';
import { type Bert, type Checkpoint, fromCheckpoint, loadCheckpoint, type LoadProgress, urlSource } from '../engine';
import { letGo } from './modelHolds';
import { BIDIRECTIONAL, CAUSAL_TWIN, precacheLoadedFiles, reload, SHIPPED_MAIN, type MainModel } from './models';

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
 * A new `generation` (another backend took over mid-session: useBackend)
 * loads the models again onto it, from the files already read: the shipped
 * pair and, when its copy was kept (models.ts), the model the class loaded.
 */
export function useModels(backendReady: boolean, generation = 0): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'waiting' });
  const shipped = useRef<Bert | null>(null);
  const current = useRef<Bert | null>(null);
  /** The shipped pair as loaded (the page owns them), and the generation they were made on. */
  const owned = useRef<{ models: Bert[]; generation: number }>({ models: [], generation: 0 });
  const generationNow = useRef(generation);
  useEffect(() => {
    generationNow.current = generation;
  }, [generation]);
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
    checkpoints
      .then((cps) => {
        if (cancelled || controller.signal.aborted) return;
        const loaded = cps.map((c) => fromCheckpoint(c));
        owned.current = { models: loaded, generation: generationNow.current };
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
      const loaded = owned.current.models;
      if (custom !== null && !loaded.includes(custom)) letGo(custom);
      loaded.forEach(letGo);
      owned.current = { models: [], generation: owned.current.generation };
      shipped.current = null;
      current.current = null;
      // A later run (StrictMode's second mount) must start from the files again: these models are gone.
      download.current = null;
    };
  }, [backendReady, swap]);

  // Another backend took over: the same models again on it; the old ones go with their device.
  useEffect(() => {
    const pending = download.current;
    if (pending === null || owned.current.models.length === 0 || owned.current.generation === generation) return;
    let cancelled = false;
    void pending.checkpoints.then((cps) => {
      if (cancelled || owned.current.generation === generation) return;
      const old = owned.current.models;
      const custom = current.current !== null && !old.includes(current.current) ? current.current : null;
      const loaded = cps.map((c) => fromCheckpoint(c));
      // A model the class loaded comes back too when its files were kept; else the page is back on BERT-mini.
      const again = custom === null ? null : reload(custom);
      owned.current = { models: loaded, generation };
      shipped.current = loaded[0];
      current.current = again ?? loaded[0];
      setState((s) =>
        s.status !== 'ready'
          ? s
          : { ...s, bert: again ?? loaded[0], twin: loaded[1], main: again !== null ? s.main : SHIPPED_MAIN },
      );
      if (custom !== null) letGo(custom);
      old.forEach(letGo);
    });
    return () => {
      cancelled = true;
    };
  }, [generation]);
  return state;
}
