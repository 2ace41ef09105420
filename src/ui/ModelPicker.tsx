import { memo, useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { formatBytes, normaliseHub } from '../engine/pure';
import { useT } from './i18n';
import { BIDIRECTIONAL } from './models';
import { CachedModelList } from './picker/CachedModelList';
import { DropZone, usePageDrop } from './picker/DropZone';
import { errorText, useDownload } from './picker/useDownload';
import { LANGUAGE_NAME, SUGGESTED_MODELS } from './suggestedModels';
import type { ModelsState } from './useModels';

const SIZE_CLASS = { small: 'sm.size.small', base: 'sm.size.base' } as const;

/** A model offered elsewhere on the page (the [UNK] notice); `n` counts the offers, so the same id can be offered again. */
export interface ModelOffer {
  id: string;
  n: number;
}

/** `?hub=http://127.0.0.1:8080` points the picker at another hub (a mirror, or a test server). */
function hubFromUrl(): string {
  try {
    return normaliseHub(new URLSearchParams(window.location.search).get('hub'));
  } catch {
    return normaliseHub(null);
  }
}

/**
 * Choose the main model: the shipped BERT-mini, any Hugging Face BERT (size
 * shown before downloading, progress, cancel, kept in Cache Storage), or a
 * local folder (picker or drag-and-drop). Composes the download hook
 * (picker/useDownload), the local files (picker/DropZone) and the cached
 * models (picker/CachedModelList); a failure leaves the current model working.
 */
export const ModelPicker = memo(function ModelPicker({
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
  const currentLabel = main?.label ?? BIDIRECTIONAL.label;
  const { task, busy, message, setMessage, cached, cacheAvailable, start, download, loadCached, loadFiles, remove, cancel, decline } =
    useDownload({ swap, hub, currentLabel });
  const onDropError = useCallback(
    (error: unknown) => setMessage({ kind: 'error', text: t('mp.dropFailed', { error: errorText(error) }) }),
    [setMessage, t],
  );
  const dragging = usePageDrop(swap !== null, loadFiles, onDropError);
  // After a suggestion from elsewhere on the page, the Download button takes the focus: the
  // keyboard user who pressed it is far below, and the size question is now up here.
  const downloadButton = useRef<HTMLButtonElement>(null);
  const focusDownload = useRef(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    await start(idText);
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
        <DropZone disabled={ready === null || busy} onFiles={loadFiles} />
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
          <CachedModelList cached={cached} canLoad={ready !== null} busy={busy} onLoad={(id) => void loadCached(id)} onRemove={(id) => void remove(id)} />
        )}
      </details>
      {task.step === 'checking' && (
        <p className="notice" role="status">
          {t('mp.checking', { id: task.id })}{' '}
          <button type="button" onClick={cancel}>
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
          <button type="button" onClick={decline}>
            {t('mp.cancel')}
          </button>
        </p>
      )}
      {task.step === 'loading' && (
        <p className="notice" role="status">
          {t('mp.loading', { label: task.label })}{' '}
          <progress max={task.total || 1} value={Math.min(task.loaded, task.total || 1)} aria-label={t('mp.progress', { label: task.label })} />{' '}
          {task.total > 0 && t('mp.progressBytes', { loaded: formatBytes(task.loaded), total: formatBytes(task.total) })}
          <button type="button" onClick={cancel}>
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
});
