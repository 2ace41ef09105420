/**
 * Keeping what the lab trained: saved as a Hugging Face folder into the
 * browser's model cache (the model picker lists it there too), made the main
 * model with one button — so the class fine-tunes the model it just
 * pre-trained — and its four files offered for download. A link cannot carry
 * a model, and the panel says so.
 */
import { useState } from 'react';
import { formatBytes } from '../../engine/pure';
import { download } from '../../viz/export';
import { useT } from '../i18n';
import { USE_MODEL_EVENT, type UseModelRequest } from '../picker/useDownload';
import type { Lab, SavedModel } from './useLab';

export function LabSave({ lab }: { lab: Lab }) {
  const t = useT();
  const canSave = lab.settings !== null && (lab.state === 'paused' || lab.state === 'done' || lab.state === 'running') && !lab.busy.save;
  return (
    <div className="lab-save">
      <h3>{t('lab.save.heading')}</h3>
      <p className="explain">{t('lab.save.explain')}</p>
      <div className="controls">
        <button type="button" onClick={() => lab.save('masked')} disabled={!canSave}>
          {t('lab.save.masked')}
        </button>
        <button type="button" onClick={() => lab.save('causal')} disabled={!canSave}>
          {t('lab.save.causal')}
        </button>
        {lab.busy.save && (
          <span role="status" className="model-hint">
            {t('lab.save.saving')}
          </span>
        )}
      </div>
      <p className="model-note">{t('lab.save.noUrl')}</p>
      {lab.saved.map((m) => (
        <Saved key={`${m.id}-${m.files.length}`} model={m} />
      ))}
    </div>
  );
}

/** Where making a saved model the main model stands: not asked, loading, done, or why it failed. */
type Use = { step: 'idle' | 'loading' | 'used' } | { step: 'failed'; problem: string };

function Saved({ model }: { model: SavedModel }) {
  const t = useT();
  const bytes = model.files.reduce((s, [, b]) => s + b.byteLength, 0);
  const [use, setUse] = useState<Use>({ step: 'idle' });
  // The model picker owns the main model: it loads this one (from the cache, else from the files) and answers.
  const useAsMain = () => {
    setUse({ step: 'loading' });
    const detail: UseModelRequest = {
      id: model.id,
      cached: model.cacheError === null,
      files: model.files,
      done: (problem) => setUse(problem === null ? { step: 'used' } : { step: 'failed', problem }),
    };
    const taken = !window.dispatchEvent(new CustomEvent(USE_MODEL_EVENT, { detail, cancelable: true }));
    if (!taken) setUse({ step: 'failed', problem: t('mp.notReady') });
  };
  return (
    <div className={`notice${model.cacheError === null ? '' : ' notice-error'}`} role="status" data-testid="lab-saved" data-id={model.id}>
      {model.cacheError === null
        ? t('lab.save.done', { id: model.id, size: formatBytes(bytes) })
        : t('lab.save.notCached', { id: model.id, error: model.cacheError })}{' '}
      {model.files.map(([name, data]) => (
        <button
          key={name}
          type="button"
          onClick={() => download(new Blob([data]), name)}
          aria-label={t('lab.save.downloadFile', { file: name, id: model.id })}
        >
          {name}
        </button>
      ))}{' '}
      <button type="button" onClick={useAsMain} disabled={use.step === 'loading'} data-testid="lab-use">
        {t('lab.save.use', { id: model.id })}
      </button>
      {use.step !== 'idle' && (
        <span className="model-hint" data-testid="lab-use-status" data-step={use.step}>
          {' '}
          {use.step === 'failed'
            ? t('lab.save.useFailed', { id: model.id, error: use.problem })
            : t(use.step === 'loading' ? 'lab.save.using' : 'lab.save.used', { id: model.id })}
        </span>
      )}
    </div>
  );
}
