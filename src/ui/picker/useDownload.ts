import { useCallback, useEffect, useRef, useState } from 'react';
import type { CachedModel, DownloadEstimate, LoadProgress } from '../../engine';
import {
  abortError,
  browserCaches,
  estimateDownload,
  formatBytes,
  hubBaseUrl,
  isAbortError,
  isCached,
  listCachedModels,
  parseModelId,
  removeCachedModel,
} from '../../engine/pure';
import { engine, type ModelSource } from '../engineClient';
import { useT } from '../i18n';
import type { MainModel, SwapModel } from '../useModels';

/** Where getting a model stands: checking its size, waiting for a yes, or loading it. */
export type Task =
  | { step: 'idle' }
  | { step: 'checking'; id: string }
  | { step: 'confirm'; id: string; base: string; estimate: DownloadEstimate }
  | { step: 'loading'; label: string; loaded: number; total: number };

export type Message = { kind: 'info' | 'error'; text: string } | null;

/**
 * Another panel asks for a model to become the main model (the pre-training
 * lab's "Use as the main model"): from the cache when it was kept there, else
 * from its files. `done` hears the outcome: null once it is the main model,
 * else the picker's message (it could not load, or the load was cancelled).
 * Sent cancelable: the picker calls preventDefault() when it takes it, so a
 * request nobody took (no picker on the page) is known at once.
 */
export const USE_MODEL_EVENT = 'bert:use-model';
export interface UseModelRequest {
  id: string;
  cached: boolean;
  files: [string, ArrayBuffer][];
  done: (problem: string | null) => void;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface Download {
  task: Task;
  /** Checking or loading: one thing at a time. */
  busy: boolean;
  message: Message;
  setMessage: (message: Message) => void;
  /** Models kept in Cache Storage, and whether the browser has it at all. */
  cached: CachedModel[];
  cacheAvailable: boolean;
  /** A hub id: from the cache if kept there, else its size first (task 'confirm'). */
  start: (text: string) => Promise<void>;
  /** Downloads the model whose size was confirmed, and keeps it in the cache. */
  download: () => Promise<void>;
  /** Resolves to null once it is the main model, else to the message shown. */
  loadCached: (id: string) => Promise<string | null>;
  /** Files chosen or dropped (a model folder's files); `folder` names it when known. */
  loadFiles: (files: File[], folder: string | null) => Promise<string | null>;
  remove: (id: string) => Promise<void>;
  /** Stops the size check or the download under way. */
  cancel: () => void;
  /** Declines the size offered. */
  decline: () => void;
}

/**
 * Getting a model: the size check before a download, the download with its
 * progress and cancel, the models kept in Cache Storage, local files. A new
 * model loads fully before `swap` makes it the main model, so a failure
 * leaves the current model working.
 */
export function useDownload({ swap, hub, currentLabel }: { swap: SwapModel | null; hub: string; currentLabel: string }): Download {
  const t = useT();
  const [task, setTask] = useState<Task>({ step: 'idle' });
  const [message, setMessage] = useState<Message>(null);
  const [cached, setCached] = useState<CachedModel[]>([]);
  const controller = useRef<AbortController | null>(null);
  const cacheAvailable = browserCaches() !== null;

  const refreshCache = useCallback(async () => {
    try {
      setCached(await listCachedModels());
    } catch {
      setCached([]);
    }
  }, []);
  useEffect(() => {
    let live = true;
    listCachedModels()
      .then((list) => live && setCached(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  // A model saved by another panel (the pre-training lab fires this) is listed at once, not after a reload.
  useEffect(() => {
    const onCached = () => void refreshCache();
    window.addEventListener('bert:model-cached', onCached);
    return () => window.removeEventListener('bert:model-cached', onCached);
  }, [refreshCache]);
  // Leaving the page mid-download: stop it.
  useEffect(() => () => controller.current?.abort(), []);

  /**
   * Loads a model completely (in the engine's worker), then hands it over; the current model stays until then.
   * Resolves to null once it is the main model, else to the message shown.
   */
  const run = useCallback(
    async (source: ModelSource, info: MainModel, expected: number): Promise<string | null> => {
      if (swap === null) return t('mp.notReady');
      const abort = new AbortController();
      controller.current = abort;
      const progress = new Map<string, LoadProgress>();
      setMessage(null);
      setTask({ step: 'loading', label: info.label, loaded: 0, total: expected });
      try {
        const { model, notKept } = await engine().loadModel(source, {
          signal: abort.signal,
          onProgress: (p) => {
            progress.set(p.file, p);
            let loaded = 0;
            let total = 0;
            for (const q of progress.values()) {
              loaded += q.loaded;
              total += q.total ?? q.loaded;
            }
            setTask({ step: 'loading', label: info.label, loaded, total: Math.max(total, expected) });
          },
        });
        if (abort.signal.aborted) {
          engine().release(model);
          throw abortError(`loading ${info.label}`);
        }
        swap(model, info);
        if (source.kind === 'hub') await refreshCache();
        const loaded = t('mp.loaded', {
          label: info.label,
          architecture: model.config.architecture,
          layers: model.config.layers,
          hidden: model.config.hidden,
          vocab: model.tokenizer.vocabSize,
        });
        // Loaded but not kept (the cache refused it): said as loudly as a failure, since a later visit will download it again.
        const note = notKept === null ? null : t('fault.cacheRefused', { error: notKept });
        setMessage(note === null ? { kind: 'info', text: loaded } : { kind: 'error', text: `${loaded} ${note}` });
        return null;
      } catch (error) {
        // A download cut short (network gone, server hung up) says how far it got: the browser's own words are only "network error".
        const cut = [...progress.values()].find((p) => p.total !== null && p.loaded < p.total);
        const why =
          cut === undefined || cut.total === null
            ? errorText(error)
            : t('fault.downloadCut', { file: cut.file, loaded: formatBytes(cut.loaded), total: formatBytes(cut.total), error: errorText(error) });
        const text = isAbortError(error)
          ? t('mp.cancelled', { label: info.label, current: currentLabel })
          : t('mp.failed', { label: info.label, error: why, current: currentLabel });
        setMessage({ kind: isAbortError(error) ? 'info' : 'error', text });
        return text;
      } finally {
        if (controller.current === abort) controller.current = null;
        setTask({ step: 'idle' });
      }
    },
    [swap, currentLabel, t, refreshCache],
  );

  const loadCached = useCallback(
    (id: string) => run({ kind: 'cached', id }, { kind: 'hub', id, label: id }, 0),
    [run],
  );

  const start = async (text: string) => {
    let id: string;
    let base: string;
    try {
      id = parseModelId(text);
      base = hubBaseUrl(id, hub);
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error) });
      return;
    }
    setMessage(null);
    if (cacheAvailable && (await isCached(id).catch(() => false))) {
      await loadCached(id);
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    setTask({ step: 'checking', id });
    try {
      const estimate = await estimateDownload(base, fetch, abort.signal);
      setTask({ step: 'confirm', id, base, estimate });
    } catch (error) {
      setTask({ step: 'idle' });
      setMessage(
        isAbortError(error)
          ? null
          : { kind: 'error', text: t('mp.failed', { label: id, error: errorText(error), current: currentLabel }) },
      );
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  };

  const download = async () => {
    if (task.step !== 'confirm') return;
    const { id, base, estimate } = task;
    // The worker keeps it in Cache Storage once it has loaded (a failed load keeps nothing).
    await run({ kind: 'hub', id, base, keep: cacheAvailable }, { kind: 'hub', id, label: id }, estimate.bytes);
  };

  const loadFiles = useCallback(
    async (files: File[], folder: string | null) => {
      if (files.length === 0) return t('mp.noFiles');
      const label = folder ?? (files[0].webkitRelativePath.split('/')[0] || t('mp.localFiles'));
      const bytes = files.reduce((s, f) => s + f.size, 0);
      // The files go to the worker as they are (File objects, read there); the page keeps them to load again after a restart.
      return run({ kind: 'files', files, label }, { kind: 'local', id: label, label }, bytes);
    },
    [run, t],
  );

  useEffect(() => {
    const onUse = (event: Event) => {
      event.preventDefault(); // tells the sender that someone took the request
      const { id, cached: kept, files, done } = (event as CustomEvent<UseModelRequest>).detail;
      const loading = kept ? loadCached(id) : loadFiles(files.map(([name, data]) => new File([data], name)), id);
      void loading.then(done, (error: unknown) => done(errorText(error)));
    };
    window.addEventListener(USE_MODEL_EVENT, onUse);
    return () => window.removeEventListener(USE_MODEL_EVENT, onUse);
  }, [loadCached, loadFiles]);

  const remove = async (id: string) => {
    try {
      await removeCachedModel(id);
      setMessage({ kind: 'info', text: t('mp.removed', { id }) });
    } catch (error) {
      setMessage({ kind: 'error', text: t('mp.removeFailed', { id, error: errorText(error) }) });
    }
    await refreshCache();
  };

  return {
    task,
    busy: task.step === 'checking' || task.step === 'loading',
    message,
    setMessage,
    cached,
    cacheAvailable,
    start,
    download,
    loadCached,
    loadFiles,
    remove,
    cancel: () => controller.current?.abort(),
    decline: () => setTask({ step: 'idle' }),
  };
}
