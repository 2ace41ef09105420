import { useEffect, useState } from 'react';
import { loadModel, type Bert } from '../engine/bert';
import { urlSource, type LoadProgress } from '../engine/source';
import { BIDIRECTIONAL, CAUSAL_TWIN } from './models';

export type ModelsState =
  | { status: 'waiting' }
  | { status: 'loading'; progress: Record<string, LoadProgress> }
  | { status: 'ready'; bert: Bert; twin: Bert }
  | { status: 'error'; message: string };

/** Loads BERT-mini and its causal twin once the backend is up; shows download progress. */
export function useModels(backendReady: boolean): ModelsState {
  const [state, setState] = useState<ModelsState>({ status: 'waiting' });
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
        if (controller.signal.aborted) return;
        setState({ status: 'ready', bert: models[0], twin: models[1] });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
      });
    return () => {
      controller.abort();
      loaded.forEach((m) => m.dispose());
    };
  }, [backendReady]);
  return state;
}
