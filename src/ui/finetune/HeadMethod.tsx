import { useMemo } from 'react';
import { curvesView } from '../../viz/curves';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import type { TrainingState, TrainSettings } from './useTraining';
import { wholeIn } from './storage';

const pct = (x: number) => `${Math.round(x * 100)}%`;

interface Props {
  state: TrainingState;
  settings: TrainSettings;
  onSettings: (settings: TrainSettings) => void;
  layers: number;
  modelLabel: string;
  canTrain: boolean;
  onTrain: () => void;
  onStop: () => void;
}

/** Method B: a small head, from random numbers, on the frozen encoder's sentence vectors. */
export function HeadMethod({ state, settings, onSettings, layers, modelLabel, canTrain, onTrain, onStop }: Props) {
  const t = useT();
  const curveOptions = useMemo(() => ({ text: t }), [t]);
  const set = <K extends keyof TrainSettings>(key: K, value: TrainSettings[K]) => onSettings({ ...settings, [key]: value });
  const curves = useMemo(
    () => ({
      epochs: settings.epochs,
      loss: state.history.map((h) => ({ epoch: h.epoch, train: h.trainLoss, validation: h.valLoss })),
      accuracy: state.history.map((h) => ({ epoch: h.epoch, train: h.trainAccuracy, validation: h.valAccuracy })),
    }),
    [state.history, settings.epochs],
  );
  const last = state.history[state.history.length - 1];
  const run = state.run;
  return (
    <section className="method-card" aria-labelledby="method-head-heading">
      <h3 id="method-head-heading">{t('fs.head.title', { model: modelLabel })}</h3>
      <p className="why">{t('fs.head.why')}</p>
      <div className="controls" role="group" aria-label={t('ft.settings')}>
        <label>
          {t('ft.pooling')}{' '}
          <select value={settings.pooling} onChange={(e) => set('pooling', e.target.value as TrainSettings['pooling'])}>
            <option value="mean">{t('ft.pooling.mean')}</option>
            <option value="cls">{t('ft.pooling.cls')}</option>
          </select>
        </label>
        <label>
          {t('ft.head')}{' '}
          <select value={settings.hiddenUnits} onChange={(e) => set('hiddenUnits', Number(e.target.value))}>
            <option value={0}>{t('ft.head.linear')}</option>
            <option value={64}>{t('ft.head.hidden')}</option>
          </select>
        </label>
        <label>
          {t('ft.epochs')}{' '}
          <input
            type="number"
            min={1}
            max={500}
            value={settings.epochs}
            onChange={(e) => set('epochs', wholeIn(e.target.value, 1, 500))}
          />
        </label>
        <label title={t('ft.unfreeze.title')}>
          {t('ft.unfreeze')}{' '}
          <select value={settings.unfreezeLayers} onChange={(e) => set('unfreezeLayers', Number(e.target.value))}>
            {Array.from({ length: layers + 1 }, (_, i) => (
              <option key={i} value={i}>
                {i === 0 ? t('ft.frozen') : i}
              </option>
            ))}
          </select>
        </label>
      </div>
      {settings.unfreezeLayers > 0 && <p className="hint">{t('ft.unfreeze.note', { n: settings.unfreezeLayers })}</p>}
      <div className="controls">
        {state.running ? (
          <button type="button" onClick={onStop}>
            {t('ft.stop')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={onTrain} disabled={!canTrain}>
            {t('fs.head.train')}
          </button>
        )}
        {state.running && state.progress !== null && (
          <span role="status">
            {state.progress.phase === 'features' ? t('ft.reading') : t('ft.training')}…{' '}
            <progress max={state.progress.total} value={state.progress.done} aria-label={t('ft.progress')} />
          </span>
        )}
      </div>
      {state.error !== null && (
        <p className="notice notice-error" role="alert">
          {state.error}
        </p>
      )}
      {run !== null && !state.running && state.head !== null && (
        <div className="method-result" data-testid="head-result" data-accuracy={run.validationAccuracy ?? ''}>
          <p className="big-number">
            {run.validationAccuracy === null
              ? t('fs.result.noHeldOut', { accuracy: pct(run.trainAccuracy), n: run.trainedOn })
              : t('fs.result.heldOut', { accuracy: pct(run.validationAccuracy), n: run.heldOut })}
          </p>
          <p className="hint">{t('fs.result.trainedOn', { n: run.trainedOn, accuracy: pct(run.trainAccuracy) })}</p>
        </div>
      )}
      {state.history.length > 0 && (
        <>
          <D3View view={curvesView} data={curves} options={curveOptions} label={t('ft.curves')} className="curves" />
          {last !== undefined && (
            <p
              data-testid="training-summary"
              data-first-loss={state.history[0].trainLoss}
              data-last-loss={last.trainLoss}
              data-done={!state.running}
            >
              {t('ft.summary', {
                epoch: last.epoch,
                epochs: last.epochs,
                loss: last.trainLoss.toFixed(3),
                accuracy: (last.trainAccuracy * 100).toFixed(0),
              })}
              {last.valAccuracy !== null && t('ft.summary.val', { accuracy: (last.valAccuracy * 100).toFixed(0) })}
              {state.stopped && t('ft.stopped')}
            </p>
          )}
        </>
      )}
    </section>
  );
}
