import type { CachedModel } from '../../engine';
import { formatBytes } from '../../engine/pure';
import { useT } from '../i18n';

interface Props {
  cached: CachedModel[];
  /** Loading is possible (the page's models are up). */
  canLoad: boolean;
  busy: boolean;
  onLoad: (id: string) => void;
  onRemove: (id: string) => void;
}

/** The models kept in Cache Storage: load one again (offline too) or remove it. */
export function CachedModelList({ cached, canLoad, busy, onLoad, onRemove }: Props) {
  const t = useT();
  return (
    <div className="model-cache">
      <h3>{t('mp.downloaded')}</h3>
      {cached.length === 0 ? (
        <p className="model-hint">{t('mp.none')}</p>
      ) : (
        <ul>
          {cached.map((m) => (
            <li key={m.id} data-testid="cached-model">
              <span>{m.id}</span> <span className="model-size">{formatBytes(m.bytes)}</span>{' '}
              <button type="button" onClick={() => onLoad(m.id)} disabled={!canLoad || busy} aria-label={t('mp.loadCached', { id: m.id })}>
                {t('mp.load')}
              </button>{' '}
              <button type="button" onClick={() => onRemove(m.id)} disabled={busy} aria-label={t('mp.removeCached', { id: m.id })}>
                {t('mp.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
