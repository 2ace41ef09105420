import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  type Bert,
  browserCaches,
  type CachedModel,
  cachedSource,
  type CheckpointSource,
  type DownloadEstimate,
  estimateDownload,
  formatBytes,
  hubBaseUrl,
  isCached,
  listCachedModels,
  loadModel,
  type LoadProgress,
  memorySource,
  normaliseHub,
  parseModelId,
  recordingSource,
  removeCachedModel,
  saveCachedModel,
  urlSource,
} from '../engine';
import { useT } from './i18n';
import { BIDIRECTIONAL } from './models';
import { LANGUAGE_NAME, SUGGESTED_MODELS } from './suggestedModels';
import type { MainModel, ModelsState } from './useModels';

const SIZE_CLASS = { small: 'sm.size.small', base: 'sm.size.base' } as const;

/** A model offered elsewhere on the page (the [UNK] notice); `n` counts the offers, so the same id can be offered again. */
export interface ModelOffer {
  id: string;
  n: number;
}

type Task =
  | { step: 'idle' }
  | { step: 'checking'; id: string }
  | { step: 'confirm'; id: string; base: string; estimate: DownloadEstimate }
  | { step: 'loading'; label: string; loaded: number; total: number };

type Message = { kind: 'info' | 'error'; text: string } | null;

/** `?hub=http://127.0.0.1:8080` points the picker at another hub (a mirror, or a test server). */
function hubFromUrl(): string {
  try {
    return normaliseHub(new URLSearchParams(window.location.search).get('hub'));
  } catch {
    return normaliseHub(null);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Files of a dropped folder (or dropped files), flattened to their names. */
async function droppedFiles(data: DataTransfer): Promise<{ files: File[]; folder: string | null }> {
  const entries = [...data.items]
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return { files: [...data.files], folder: null };
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  const folder = entries.length === 1 && entries[0].isDirectory ? entries[0].name : null;
  return { files, folder };
}

/**
 * Choose the main model: the shipped BERT-mini, any Hugging Face BERT (size
 * shown before downloading, progress, cancel, kept in Cache Storage), or a
 * local folder (picker or drag-and-drop). A new model loads fully before it
 * replaces the current one, so a failure leaves the current model working.
 */
export function ModelPicker({
  models,
  requested = null,
  onRequestDone,
  offer = null,
}: {
  models: ModelsState;
  /** A hub id from the page's URL: checked (and offered for download) once the shipped model is ready. */
  requested?: string | null;
  onRequestDone?: () => void;
  /** A suggestion taken elsewhere on the page: checked like a typed id (size first), once per offer. */
  offer?: ModelOffer | null;
}) {
  const t = useT();
  const ready = models.status === 'ready' ? models : null;
  const swap = ready?.swap ?? null;
  const main = ready?.main ?? null;
  const [hub, setHub] = useState(hubFromUrl);
  const [idText, setIdText] = useState(requested ?? '');
  const [task, setTask] = useState<Task>({ step: 'idle' });
  const [message, setMessage] = useState<Message>(null);
  const [cached, setCached] = useState<CachedModel[]>([]);
  const [dragging, setDragging] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const cacheAvailable = browserCaches() !== null;
  // After a suggestion from elsewhere on the page, the Download button takes the focus: the
  // keyboard user who pressed it is far below, and the size question is now up here.
  const downloadButton = useRef<HTMLButtonElement>(null);
  const focusDownload = useRef(false);

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

  const busy = task.step === 'checking' || task.step === 'loading';
  const currentLabel = main?.label ?? BIDIRECTIONAL.label;

  /** Loads a model completely, then hands it over; the current model stays until then. */
  const run = useCallback(
    async (source: CheckpointSource, info: MainModel, expected: number, after?: (bert: Bert) => Promise<void>) => {
      if (swap === null) return;
      const abort = new AbortController();
      controller.current = abort;
      const progress = new Map<string, LoadProgress>();
      setMessage(null);
      setTask({ step: 'loading', label: info.label, loaded: 0, total: expected });
      let bert: Bert | null = null;
      try {
        bert = await loadModel(source, {
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
        if (abort.signal.aborted) throw Object.assign(new Error('cancelled'), { name: 'AbortError' });
        await after?.(bert);
        swap(bert, info);
        setMessage({
          kind: 'info',
          text: t('mp.loaded', {
            label: info.label,
            architecture: bert.config.architecture,
            layers: bert.config.layers,
            hidden: bert.config.hidden,
            vocab: bert.tokenizer.vocabSize,
          }),
        });
      } catch (error) {
        bert?.dispose();
        setMessage(
          isAbort(error)
            ? { kind: 'info', text: t('mp.cancelled', { label: info.label, current: currentLabel }) }
            : { kind: 'error', text: t('mp.failed', { label: info.label, error: errorText(error), current: currentLabel }) },
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

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    await start(idText);
  };

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
        isAbort(error)
          ? null
          : { kind: 'error', text: t('mp.failed', { label: id, error: errorText(error), current: currentLabel }) },
      );
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  };

  // A model named in the URL: once the shipped model is up, check it like a typed id (the size still comes first).
  const requestHandled = useRef(false);
  useEffect(() => {
    if (ready === null || requested === null || requestHandled.current) return;
    requestHandled.current = true;
    void start(requested).finally(() => onRequestDone?.());
    // start and onRequestDone change every render; this runs once, when the model is first ready.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, requested]);

  // A suggestion from the [UNK] notice: once the picker is free (a running download finishes first).
  const offerSeen = useRef(0);
  useEffect(() => {
    if (ready === null || offer === null || offer.n === offerSeen.current || busy) return;
    offerSeen.current = offer.n;
    setIdText(offer.id);
    focusDownload.current = true;
    void start(offer.id);
    // start changes every render; this runs once per offer.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, offer, busy]);
  useEffect(() => {
    if (task.step === 'confirm' && focusDownload.current) downloadButton.current?.focus();
    if (task.step !== 'checking') focusDownload.current = false;
  }, [task.step]);

  const download = async () => {
    if (task.step !== 'confirm') return;
    const { id, base, estimate } = task;
    const recorder = recordingSource(urlSource(base));
    await run(recorder.source, { kind: 'hub', id, label: id }, estimate.bytes, async () => {
      if (!cacheAvailable) return;
      try {
        await saveCachedModel(id, base, recorder.files);
      } catch (error) {
        console.warn(`could not keep ${id} in the cache:`, error);
      }
      await refreshCache();
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

  // Drag a model folder (or its files) anywhere onto the page.
  useEffect(() => {
    if (swap === null) return;
    const hasFiles = (e: DragEvent) => e.dataTransfer !== null && [...e.dataTransfer.types].includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e) || e.dataTransfer === null) return;
      e.preventDefault();
      setDragging(false);
      const data = e.dataTransfer;
      void droppedFiles(data)
        .then(({ files, folder }) => loadFiles(files, folder ?? t('mp.droppedFiles')))
        .catch((error: unknown) => setMessage({ kind: 'error', text: t('mp.dropFailed', { error: errorText(error) }) }));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [swap, loadFiles, t]);

  const remove = async (id: string) => {
    try {
      await removeCachedModel(id);
      setMessage({ kind: 'info', text: t('mp.removed', { id }) });
    } catch (error) {
      setMessage({ kind: 'error', text: t('mp.removeFailed', { id, error: errorText(error) }) });
    }
    await refreshCache();
  };

  return (
    <div className={`model-picker${dragging ? ' model-picker-drop' : ''}`} role="group" aria-label={t('mp.group')} data-testid="model-picker">
      <p className="model-current">
        {t('mp.main')} <strong data-testid="main-model">{currentLabel}</strong>
        {main !== null && main.kind === 'shipped' ? ` ${t('mp.shipped')}` : ''}
        {main !== null && main.kind !== 'shipped' && (
          <>
            {' '}
            <button type="button" onClick={() => swap?.('shipped')} disabled={busy}>
              {t('mp.back', { label: BIDIRECTIONAL.label })}
            </button>
          </>
        )}
      </p>
      {main !== null && main.kind !== 'shipped' && (
        <p className="model-note" data-testid="twin-note">
          {t('mp.twinNote', { bert: BIDIRECTIONAL.label, current: currentLabel })}
        </p>
      )}
      <details className="model-choose">
        <summary>{t('mp.choose')}</summary>
        <form className="model-form" onSubmit={(e) => void onSubmit(e)}>
          <label>
            {t('mp.hfId')}{' '}
            <input
              type="text"
              value={idText}
              placeholder="google-bert/bert-base-uncased"
              spellCheck={false}
              onChange={(e) => setIdText(e.target.value)}
              disabled={ready === null || busy}
            />
          </label>{' '}
          <button type="submit" disabled={ready === null || busy}>
            {t('mp.load')}
          </button>
          <label className="model-hub">
            {t('mp.hub')}{' '}
            <input
              type="url"
              value={hub}
              spellCheck={false}
              onChange={(e) => setHub(e.target.value)}
              onBlur={() => {
                try {
                  setHub(normaliseHub(hub));
                } catch (error) {
                  setMessage({ kind: 'error', text: errorText(error) });
                }
              }}
              disabled={busy}
            />
          </label>
        </form>
        <div className="model-local">
          <label>
            {t('mp.folder')} <input type="file" {...{ webkitdirectory: '' }} multiple disabled={ready === null || busy} onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = ''; // choosing the same files again should load them again
              void loadFiles(files, null);
            }} />
          </label>{' '}
          <label>
            {t('mp.files')}{' '}
            <input type="file" multiple disabled={ready === null || busy} onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = ''; // choosing the same files again should load them again
              void loadFiles(files, null);
            }} />
          </label>
          <span className="model-hint"> {t('mp.drop')}</span>
        </div>
        <div className="model-suggested">
          <h3>{t('sm.heading')}</h3>
          <ul>
            {SUGGESTED_MODELS.map((m) => (
              <li key={m.id} data-testid="suggested-model">
                <button
                  type="button"
                  onClick={() => {
                    setIdText(m.id);
                    void start(m.id);
                  }}
                  disabled={ready === null || busy || main?.id === m.id}
                  aria-label={t('sm.check', { id: m.id })}
                >
                  {m.id}
                </button>{' '}
                <span className="model-size">
                  {t(LANGUAGE_NAME[m.language])} · {t(SIZE_CLASS[m.sizeClass])}, ~{formatBytes(m.approxBytes)} · {t('sm.licence', { licence: m.licence })}
                </span>
                <br />
                <span className="model-hint">{t(m.note)}</span>
              </li>
            ))}
          </ul>
        </div>
        {cacheAvailable && (
          <div className="model-cache">
            <h3>{t('mp.downloaded')}</h3>
            {cached.length === 0 ? (
              <p className="model-hint">{t('mp.none')}</p>
            ) : (
              <ul>
                {cached.map((m) => (
                  <li key={m.id} data-testid="cached-model">
                    <span>{m.id}</span> <span className="model-size">{formatBytes(m.bytes)}</span>{' '}
                    <button type="button" onClick={() => void loadCached(m.id)} disabled={ready === null || busy} aria-label={t('mp.loadCached', { id: m.id })}>
                      {t('mp.load')}
                    </button>{' '}
                    <button type="button" onClick={() => void remove(m.id)} disabled={busy} aria-label={t('mp.removeCached', { id: m.id })}>
                      {t('mp.remove')}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </details>
      {task.step === 'checking' && (
        <p className="notice" role="status">
          {t('mp.checking', { id: task.id })}{' '}
          <button type="button" onClick={() => controller.current?.abort()}>
            {t('mp.cancel')}
          </button>
        </p>
      )}
      {task.step === 'confirm' && (
        <p className="notice" role="status" data-testid="download-size">
          {t('mp.size', {
            id: task.id,
            atLeast: task.estimate.complete ? '' : t('mp.atLeast'),
            files: task.estimate.files.length > 1 ? t('mp.inFiles', { count: task.estimate.files.length }) : '',
          })
            .split('{size}')
            .map((part, i) => (i === 0 ? part : [<strong key={i}>{formatBytes(task.estimate.bytes)}</strong>, part]))}{' '}
          <button type="button" onClick={() => void download()} ref={downloadButton}>
            {t('mp.download', { size: formatBytes(task.estimate.bytes) })}
          </button>{' '}
          <button type="button" onClick={() => setTask({ step: 'idle' })}>
            {t('mp.cancel')}
          </button>
        </p>
      )}
      {task.step === 'loading' && (
        <p className="notice" role="status">
          {t('mp.loading', { label: task.label })}{' '}
          <progress max={task.total || 1} value={Math.min(task.loaded, task.total || 1)} aria-label={t('mp.progress', { label: task.label })} />{' '}
          {task.total > 0 && t('mp.progressBytes', { loaded: formatBytes(task.loaded), total: formatBytes(task.total) })}
          <button type="button" onClick={() => controller.current?.abort()}>
            {t('mp.cancel')}
          </button>
        </p>
      )}
      {message !== null && (
        <p
          className={`notice${message.kind === 'error' ? ' notice-error' : ''}`}
          role={message.kind === 'error' ? 'alert' : 'status'}
          data-testid="model-message"
        >
          {message.text}
        </p>
      )}
    </div>
  );
}
