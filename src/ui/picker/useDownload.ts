import { useCallback, useEffect, useRef, useState } from 'react';
import {
  abortError,
  type Bert,
  browserCaches,
  type CachedModel,
  cachedSource,
  type CheckpointSource,
  type DownloadEstimate,
  estimateDownload,
  formatBytes,
  hubBaseUrl,
  isAbortError,
  isCached,
  listCachedModels,
  loadCheckpoint,
  type LoadProgress,
  memorySource,
  parseModelId,
  recordingSource,
  removeCachedModel,
  saveCachedModel,
  urlSource,
} from '../../engine';
import { useT } from '../i18n';
import { modelFrom } from '../models';
import type { MainModel, SwapModel } from '../useModels';

/** Where getting a model stands: checking its size, waiting for a yes, or loading it. */
export type Task =
  | { step: 'idle' }
  | { step: 'checking'; id: string }
  | { step: 'confirm'; id: string; base: string; estimate: DownloadEstimate }
  | { step: 'loading'; label: string; loaded: number; total: number };

export type Message = { kind: 'info' | 'error'; text: string } | null;

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
  loadCached: (id: string) => Promise<void>;
  /** Files chosen or dropped (a model folder's files); `folder` names it when known. */
  loadFiles: (files: File[], folder: string | null) => Promise<void>;
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
  // Leaving the page mid-download: stop it.
  useEffect(() => () => controller.current?.abort(), []);

  /** Loads a model completely, then hands it over; the current model stays until then. */
  const run = useCallback(
    /** `after` runs once the model has loaded, before it is shown; what it returns is added to the message. */
    async (source: CheckpointSource, info: MainModel, expected: number, after?: (bert: Bert) => Promise<string | null>) => {
      if (swap === null) return;
      const abort = new AbortController();
      controller.current = abort;
      const progress = new Map<string, LoadProgress>();
      setMessage(null);
      setTask({ step: 'loading', label: info.label, loaded: 0, total: expected });
      let bert: Bert | null = null;
      try {
        const checkpoint = await loadCheckpoint(source, {
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
        if (abort.signal.aborted) throw abortError(`loading ${info.label}`);
        bert = modelFrom(checkpoint);
        const note = (await after?.(bert)) ?? null;
        swap(bert, info);
        const loaded = t('mp.loaded', {
          label: info.label,
          architecture: bert.config.architecture,
          layers: bert.config.layers,
          hidden: bert.config.hidden,
          vocab: bert.tokenizer.vocabSize,
        });
        // Loaded but not kept (the cache refused it): said as loudly as a failure, since a later visit will download it again.
        setMessage(note === null ? { kind: 'info', text: loaded } : { kind: 'error', text: `${loaded} ${note}` });
      } catch (error) {
        bert?.dispose();
        // A download cut short (network gone, server hung up) says how far it got: the browser's own words are only "network error".
        const cut = [...progress.values()].find((p) => p.total !== null && p.loaded < p.total);
        const why =
          cut === undefined || cut.total === null
            ? errorText(error)
            : t('fault.downloadCut', { file: cut.file, loaded: formatBytes(cut.loaded), total: formatBytes(cut.total), error: errorText(error) });
        setMessage(
          isAbortError(error)
            ? { kind: 'info', text: t('mp.cancelled', { label: info.label, current: currentLabel }) }
            : { kind: 'error', text: t('mp.failed', { label: info.label, error: why, current: currentLabel }) },
        );
      } finally {
        if (controller.current === abort) controller.current = null;
        setTask({ step: 'idle' });
      }
    },
    [swap, currentLabel, t],
  );

  const loadCached = useCallback(
    async (id: string) => {
      await run(cachedSource(id), { kind: 'hub', id, label: id }, 0);
    },
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
    const recorder = recordingSource(urlSource(base));
    await run(recorder.source, { kind: 'hub', id, label: id }, estimate.bytes, async () => {
      if (!cacheAvailable) return null;
      let note: string | null = null;
      try {
        await saveCachedModel(id, base, recorder.files);
      } catch (error) {
        note = t('fault.cacheRefused', { error: errorText(error) });
      }
      await refreshCache();
      return note;
    });
  };

  const loadFiles = useCallback(
    async (files: File[], folder: string | null) => {
      if (files.length === 0) return;
      const label = folder ?? (files[0].webkitRelativePath.split('/')[0] || t('mp.localFiles'));
      const map = new Map<string, ArrayBuffer>();
      for (const file of files) map.set(file.name, await file.arrayBuffer());
      const bytes = files.reduce((s, f) => s + f.size, 0);
      await run(memorySource(map, label), { kind: 'local', id: label, label }, bytes);
    },
    [run, t],
  );

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
