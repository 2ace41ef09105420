/**
 * Keeping what the lab trained: saved as a Hugging Face folder into the
 * browser's model cache (the model picker lists it there, so it can become
 * the main model and be fine-tuned), and its four files offered for download.
 * A link cannot carry a model, and the panel says so.
 */
import { formatBytes } from '../../engine/pure';
import { download } from '../../viz/export';
import { useT } from '../i18n';
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

function Saved({ model }: { model: SavedModel }) {
  const t = useT();
  const bytes = model.files.reduce((s, [, b]) => s + b.byteLength, 0);
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
      ))}
    </div>
  );
}
