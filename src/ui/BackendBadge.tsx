import type { BackendChoice } from '../engine';
import { useT, type Translate } from './i18n';
import { BACKEND_NAMES, forgetMeasured, readSetting, writeSetting, type BackendSetting } from './backendSetting';
import type { BackendState } from './useBackend';

/**
 * Why this backend, in the page's language: what it runs on, how it was
 * chosen (with the timings), and what was passed over. The engine's own
 * `choice.reason` says the same in English for the console and the CLI; a
 * backend passed over is explained from its code, with the engine's detail
 * (an error message, a renderer's name) shown as it comes.
 */
export function backendReason(choice: BackendChoice, t: Translate): string {
  const times = Object.entries(choice.timings)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
    .join(', ');
  const how =
    choice.how === 'timed'
      ? t('backend.how.timed', { times })
      : choice.how === 'remembered' && times !== ''
        ? t('backend.how.rememberedTimed', { times })
        : t(`backend.how.${choice.how}`);
  const reason = t('backend.reason', { on: t(`backend.on.${choice.name}`), how });
  if (choice.skipped.length === 0) return reason;
  return t('backend.passedOver', { reason, skipped: choice.skipped.map((s) => `${s.name}: ${t(`backend.skip.${s.code}`, { detail: s.detail ?? '' })}`).join('; ') });
}

/** Always-visible badge: which tfjs backend runs, and why; and the setting that picks it. */
export function BackendBadge({ state }: { state: BackendState }) {
  const t = useT();
  if (state.status === 'starting') {
    return <span className="badge" role="status">{t('backend.starting')}</span>;
  }
  if (state.status === 'error') {
    return (
      <>
        <span className="badge badge-error" role="alert">
          {t('backend.none', { message: state.message })}
        </span>
        <BackendSelect />
      </>
    );
  }
  const reason = backendReason(state.choice, t);
  return (
    <>
      {state.restarted !== null && (
        <span className="badge badge-error" role="alert" data-testid="engine-restarted">
          {t('worker.restarted', { reason: state.restarted })}
        </span>
      )}
      {state.lost !== null && (
        <span className="badge badge-error" role="alert" data-testid="backend-lost">
          {t('fault.backendLost', { from: state.lost.from, to: state.choice.name, message: state.lost.message })}
        </span>
      )}
      <span className="badge" role="status" title={reason}>
        {t('backend.label')} <output data-testid="backend">{state.choice.name}</output>
        <span className="sr-only"> — {reason}</span>
        <span data-testid="self-test" hidden>
          {state.selfTest.ok ? 'ok' : 'failed'} {state.selfTest.values.join(',')}
        </span>
      </span>
      <BackendSelect />
    </>
  );
}

/**
 * Auto (the fastest, timed once per browser) or one backend by hand. Changing
 * it reloads the page: the models' weights live on the backend they were
 * loaded into, and a fresh start is the one switch that frees everything.
 */
function BackendSelect() {
  const t = useT();
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('backend');
  const current: BackendSetting = BACKEND_NAMES.find((n) => n === fromUrl) ?? readSetting();
  const onChange = (value: BackendSetting) => {
    writeSetting(value);
    if (value === 'auto') forgetMeasured(); // asking for auto again means: time again
    url.searchParams.delete('backend'); // the URL would beat the new setting
    window.location.replace(url.toString());
  };
  return (
    <select
      className="backend-select"
      aria-label={t('backend.setting')}
      data-testid="backend-setting"
      value={current}
      onChange={(e) => onChange(e.target.value as BackendSetting)}
    >
      <option value="auto">{t('backend.auto')}</option>
      {BACKEND_NAMES.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}
