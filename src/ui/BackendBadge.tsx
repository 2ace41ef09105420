import { useT } from './i18n';
import type { BackendState } from './useBackend';

/** Always-visible badge: which tfjs backend runs, and why. */
export function BackendBadge({ state }: { state: BackendState }) {
  const t = useT();
  if (state.status === 'starting') {
    return <span className="badge" role="status">{t('backend.starting')}</span>;
  }
  if (state.status === 'error') {
    return (
      <span className="badge badge-error" role="alert">
        {t('backend.none', { message: state.message })}
      </span>
    );
  }
  return (
    <span className="badge" role="status" title={state.choice.reason}>
      {t('backend.label')} <output data-testid="backend">{state.choice.name}</output>
      <span className="sr-only"> — {state.choice.reason}</span>
      <span data-testid="self-test" hidden>
        {state.selfTest.ok ? 'ok' : 'failed'} {state.selfTest.values.join(',')}
      </span>
    </span>
  );
}
