import { useCallback, useEffect, useRef, useState } from 'react';
import type { LoadProgress } from '../engine';
import { isCached } from '../engine/pure';
import { engine, type ModelHandle, type ModelSource } from './engineClient';
import { BIDIRECTIONAL, CAUSAL_TWIN, precacheLoadedFiles, SHIPPED_MAIN, type MainModel } from './models';
import type { BackendState } from './useBackend';

export type { MainModel } from './models';

/**
 * Makes `next` the main model. Pass a model that has fully loaded; the page
 * lets go of the one it replaces, which the worker frees once no run holds it
 * (src/worker/holds.ts). The shipped BERT-mini is kept, so switching back to
 * it is instant. Pass 'shipped' to switch back.
 */
export type SwapModel = (next: ModelHandle | 'shipped', main?: MainModel) => void;

export type ModelsState =
  | { status: 'waiting' }
  | { status: 'loading'; progress: Record<string, LoadProgress> }
  | { status: 'ready'; bert: ModelHandle; twin: ModelHandle; main: MainModel; swap: SwapModel }
  | { status: 'error'; message: string };

const shippedSource = (url: string): ModelSource => ({ kind: 'url', url, page: window.location.href });

/** Where a model the class loaded comes from again, in a new worker: from the cache once it is kept there. */
async function againFrom(source: ModelSource): Promise<ModelSource | null> {
  if (source.kind === 'random') return null; // made up in the console: nothing to load again
  if (source.kind === 'hub' && (await isCached(source.id).catch(() => false))) return { kind: 'cached', id: source.id };
  return source.kind === 'hub' ? { ...source, keep: false } : source;
}

/**
 * Loads BERT-mini and its causal twin into the engine's worker; shows download
 * progress. The download starts at once, while the backend is still starting
 * (the worker puts the weights on the backend once it is up). A new worker
 * (the old one stopped: useBackend's `epoch`) gets the same models again: the
 * shipped pair, and the model the class loaded, from where it came (the
 * cache, the files it dropped). A GPU lost mid-session needs nothing here —
 * the worker moves the models itself — unless the main model could not come
 * along (`dropped`): then the page is back on BERT-mini.
 */
export function useModels(backend: BackendState): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'waiting' });
  const shipped = useRef<ModelHandle | null>(null);
  const current = useRef<{ model: ModelHandle; main: MainModel } | null>(null);
  const epoch = backend.status === 'ready' ? backend.epoch : 0;
  const dropped = backend.status === 'ready' ? backend.dropped : null;

  const swap = useCallback<SwapModel>((next, main) => {
    const model = next === 'shipped' ? shipped.current : next;
    if (model === null) return;
    const old = current.current?.model ?? null;
    const info = next === 'shipped' ? SHIPPED_MAIN : (main ?? { kind: 'local', id: model.location, label: model.location });
    current.current = { model, main: info };
    setState((s) => (s.status === 'ready' ? { ...s, bert: model, main: info } : s));
    if (old !== null && old !== model && old !== shipped.current) engine().release(old);
  }, []);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    const loaded: ModelHandle[] = [];
    const custom = current.current !== null && current.current.model !== shipped.current ? current.current : null;
    const progress: Record<string, LoadProgress> = {};
    const onProgress = (model: string) => (p: LoadProgress) => {
      if (p.file !== 'model.safetensors' || signal.aborted) return;
      progress[model] = p;
      setState((s) => (s.status === 'ready' || s.status === 'error' ? s : { status: 'loading', progress: { ...progress } }));
    };
    void (async () => {
      try {
        const [bert, twin] = await Promise.all(
          [BIDIRECTIONAL, CAUSAL_TWIN].map(async (m) => {
            const { model } = await engine().loadModel(shippedSource(m.url), { signal, onProgress: onProgress(m.id) });
            loaded.push(model);
            return model;
          }),
        );
        if (signal.aborted) return;
        if (epoch === 0) performance.mark('bert:models-ready'); // start-up breakdown for `npm run bench`
        shipped.current = bert;
        // After a restart, the model the class had loaded comes back too; if it cannot, the page is on BERT-mini.
        let main: { model: ModelHandle; main: MainModel } = { model: bert, main: SHIPPED_MAIN };
        const again = custom === null ? null : await againFrom(custom.model.source);
        if (custom !== null && again !== null) {
          try {
            const { model } = await engine().loadModel(again, { signal });
            loaded.push(model);
            main = { model, main: custom.main };
          } catch {
            // gone from the cache, or the network is down: BERT-mini, as after any failed load
          }
        }
        if (signal.aborted) return;
        current.current = main;
        setState({ status: 'ready', bert: main.model, twin, main: main.main, swap });
        // The weights are now in the worker's resource list: let the service worker keep them for offline use.
        if (epoch === 0) void precacheLoadedFiles().catch(() => undefined);
      } catch (error) {
        if (signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      controller.abort();
      const models = new Set([...loaded, ...(current.current !== null ? [current.current.model] : [])]);
      models.forEach((m) => engine().release(m));
    };
  }, [epoch, swap]);

  // On WebGPU, the programs of every sentence length up to 128 tokens are compiled ahead, in the
  // background, once a main model is up (engine warmUpBuckets; docs/performance.md#webgpu-buckets): a
  // keystroke that reaches a new length then waits on no shader compile. Elsewhere the call answers 0 at
  // once. Its own channel, so a newer model's warm-up replaces an older one's; a failure only means the
  // programs compile on first use, as without it. `?warmup=0` leaves it out (to measure compiles without it).
  const [warmUpWanted] = useState(() => new URLSearchParams(window.location.search).get('warmup') !== '0'); // read once, at load
  const warmModel = state.status === 'ready' && warmUpWanted ? state.bert : null;
  const onWebGpu = backend.status === 'ready' && backend.choice.name === 'webgpu';
  const generation = backend.status === 'ready' ? backend.generation : 0;
  useEffect(() => {
    if (warmModel === null || !onWebGpu) return;
    const controller = new AbortController();
    engine()
      .call('warmUpBuckets', [warmModel.id, { maxTokens: 128 }], { models: [warmModel], channel: 'warm-up', signal: controller.signal })
      .then((compiled) => performance.mark('bert:warmed-up', { detail: { compiled } }))
      .catch(() => undefined);
    return () => controller.abort();
  }, [warmModel, onWebGpu, generation]);

  // The GPU went away and the main model could not come along to the next backend: back on BERT-mini.
  useEffect(() => {
    if (dropped === null || current.current === null || !dropped.includes(current.current.model.id)) return;
    if (shipped.current !== null && dropped.includes(shipped.current.id)) {
      setState({ status: 'error', message: 'the models could not be moved to the new backend' });
      return;
    }
    swap('shipped');
  }, [dropped, swap]);
  return state;
}
