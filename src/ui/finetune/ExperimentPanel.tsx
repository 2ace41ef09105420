import { useMemo } from 'react';
import type { FewShotMethod } from '../../engine';
import type { ModelHandle } from '../engineClient';
import { FEWSHOT_METHODS } from '../../engine/pure';
import { learningCurveView, type LearningCurveData, type LearningCurveOptions } from '../../viz/learningCurve';
import { D3View } from '../D3View';
import { engineMessage } from './engineMessage';
import type { Example } from '../examples';
import { useT, type MessageKey, type Translate } from '../i18n';
import { EXPERIMENT_SOURCES, K_CHOICES, TEST_SIZE_CHOICES, wholeIn, type ExperimentSettings, type ExperimentSource } from './storage';
import { ownKs, poolCells, useExperiment } from './useExperiment';

const METHOD_NAME: Record<FewShotMethod, MessageKey> = {
  prompt: 'fs.xp.method.prompt',
  twin_prompt: 'fs.xp.method.twin_prompt',
  head: 'fs.xp.method.head',
  twin_head: 'fs.xp.method.twin_head',
  scratch: 'fs.xp.method.scratch',
  bow: 'fs.xp.method.bow',
};
const METHOD_NOTE: Record<FewShotMethod, MessageKey> = {
  prompt: 'fs.xp.note.prompt',
  twin_prompt: 'fs.xp.note.twin_prompt',
  head: 'fs.xp.note.head',
  twin_head: 'fs.xp.note.twin_head',
  scratch: 'fs.xp.note.scratch',
  bow: 'fs.xp.note.bow',
};
const SOURCE_NAME: Record<ExperimentSource, MessageKey> = {
  amazon: 'fs.xp.source.amazon',
  imdb: 'fs.xp.source.imdb',
  yelp: 'fs.xp.source.yelp',
  own: 'fs.xp.source.own',
};

const pct = (x: number) => `${Math.round(x * 100)}%`;
export const methodName = (t: Translate, m: FewShotMethod, model: string) => t(METHOD_NAME[m], { model });

interface Props {
  main: ModelHandle;
  twin: ModelHandle | null;
  modelLabel: string;
  examples: Example[];
  labels: string[];
  pattern: string;
}

/** "Does pre-training help?": a live learning curve of five methods against the number of labelled examples. */
export function ExperimentPanel({ main, twin, modelLabel, examples, labels, pattern }: Props) {
  const t = useT();
  const { settings, setSettings, state, run, cancel, clear } = useExperiment();
  const set = <K extends keyof ExperimentSettings>(key: K, value: ExperimentSettings[K]) => setSettings({ ...settings, [key]: value });
  const toggle = <T,>(list: readonly T[], item: T, order: readonly T[]) =>
    list.includes(item) ? list.filter((x) => x !== item) : order.filter((x) => x === item || list.includes(x));

  const own = settings.source === 'own';
  const perLabel = labels.map((l) => examples.filter((e) => e.label === l).length);
  const ownProblem = own && Math.min(...perLabel) < settings.folds ? t('fs.xp.tooFew', { folds: settings.folds }) : null;
  // With the class's own examples, a k the folds cannot supply is off (and says why); it stays chosen for more examples.
  const unusable = own && ownProblem === null ? ownKs(examples, labels, settings.folds, K_CHOICES) : { tooBig: [], tooSmall: [] };
  const usableK = (k: number) => !unusable.tooBig.includes(k) && !unusable.tooSmall.includes(k);
  const noK = !settings.ks.some(usableK);
  const canRun = !state.running && !noK && settings.methods.length > 0 && ownProblem === null;

  // Saved results are shown only for the model they were measured on: their method names carry that model's name.
  const otherModel = state.results !== null && state.results.model !== main.location ? state.results.model : null;
  const results = otherModel === null ? state.results : null;
  const curve = useMemo<LearningCurveData | null>(() => {
    if (results === null) return null;
    const pooled = poolCells(results.cells);
    return {
      ks: results.settings.ks,
      chance: 1 / results.labels.length,
      series: results.settings.methods
        .filter((m) => pooled.has(m))
        // Each method keeps its style while the others' results arrive.
        .map((m) => ({ id: m, name: methodName(t, m, modelLabel), style: FEWSHOT_METHODS.indexOf(m), points: pooled.get(m) ?? [] })),
    };
  }, [results, t, modelLabel]);
  const curveOptions = useMemo<LearningCurveOptions>(
    () => ({
      title: t('fs.xp.plot'),
      xLabel: t('fs.xp.x'),
      yLabel: t('fs.xp.y'),
      chanceLabel: t('fs.xp.chance'),
      drawsLabel: (n: number) => t(n === 1 ? 'fs.xp.drawOne' : 'fs.xp.drawMany', { n }),
    }),
    [t],
  );
  const pooled = useMemo(() => (results === null ? null : poolCells(results.cells)), [results]);
  const progress = state.progress;

  return (
    <section className="experiment" aria-labelledby="experiment-heading">
      <h3 id="experiment-heading">{t('fs.xp.title')}</h3>
      <p className="explain">{t('fs.xp.analogy')}</p>
      <ul className="method-notes">
        {FEWSHOT_METHODS.map((m) => (
          <li key={m}>
            <strong>{methodName(t, m, modelLabel)}</strong> — {t(METHOD_NOTE[m])}
          </li>
        ))}
      </ul>
      <div className="controls" role="group" aria-label={t('fs.xp.settings')}>
        <label>
          {t('fs.xp.source')}{' '}
          <select value={settings.source} onChange={(e) => set('source', e.target.value as ExperimentSource)} disabled={state.running}>
            {EXPERIMENT_SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(SOURCE_NAME[s])}
              </option>
            ))}
          </select>
        </label>
        {own ? (
          <label>
            {t('fs.xp.folds')}{' '}
            <input
              type="number"
              min={2}
              max={10}
              value={settings.folds}
              disabled={state.running}
              onChange={(e) => set('folds', wholeIn(e.target.value, 2, 10))}
            />
          </label>
        ) : (
          <label>
            {t('fs.xp.testSize')}{' '}
            <select value={settings.testSize} onChange={(e) => set('testSize', Number(e.target.value))} disabled={state.running}>
              {TEST_SIZE_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('fs.xp.draws')}{' '}
          <input
            type="number"
            min={1}
            max={10}
            value={settings.draws}
            disabled={state.running}
            onChange={(e) => set('draws', wholeIn(e.target.value, 1, 10))}
          />
        </label>
      </div>
      <fieldset className="checks" disabled={state.running}>
        <legend>{t('fs.xp.ks')}</legend>
        {K_CHOICES.map((k) => (
          <label key={k}>
            <input
              type="checkbox"
              checked={settings.ks.includes(k) && usableK(k)}
              disabled={!usableK(k)}
              aria-describedby={usableK(k) ? undefined : 'experiment-k-note'}
              onChange={() => set('ks', toggle(settings.ks, k, K_CHOICES))}
            />{' '}
            {k}
          </label>
        ))}
      </fieldset>
      {(unusable.tooBig.length > 0 || unusable.tooSmall.length > 0) && (
        <p className="hint" id="experiment-k-note" data-testid="experiment-k-note">
          {unusable.tooSmall.length > 0 && t('fs.xp.kTooSmall', { ks: unusable.tooSmall.join(', '), labels: labels.length })}
          {unusable.tooSmall.length > 0 && unusable.tooBig.length > 0 && ' '}
          {unusable.tooBig.length > 0 && t('fs.xp.kTooBig', { ks: unusable.tooBig.join(', ') })}
        </p>
      )}
      <fieldset className="checks" disabled={state.running}>
        <legend>{t('fs.xp.methods')}</legend>
        {FEWSHOT_METHODS.map((m) => (
          <label key={m}>
            <input type="checkbox" checked={settings.methods.includes(m)} onChange={() => set('methods', toggle(settings.methods, m, FEWSHOT_METHODS))} />{' '}
            {methodName(t, m, modelLabel)}
          </label>
        ))}
      </fieldset>
      {twin === null && settings.methods.includes('twin_head') && <p className="hint">{t('fs.xp.noTwin')}</p>}
      {own && <p className="hint">{t('fs.xp.ownNote', { folds: settings.folds })}</p>}
      {ownProblem !== null && (
        <p className="notice notice-error" role="alert">
          {ownProblem}
        </p>
      )}
      {noK && (
        <p className="notice notice-error" role="alert">
          {t('fs.xp.noK')}
        </p>
      )}
      <div className="controls">
        {state.running ? (
          <button type="button" onClick={cancel}>
            {t('fs.xp.cancel')}
          </button>
        ) : (
          <button type="button" className="primary" disabled={!canRun} onClick={() => void run({ main, twin, examples, labels, pattern })}>
            {t('fs.xp.run')}
          </button>
        )}
        {!state.running && state.results !== null && (
          <button type="button" onClick={clear}>
            {t('fs.xp.clear')}
          </button>
        )}
        {state.running && (
          <span role="status">
            {progress === null ? t('fs.xp.starting') : progress.what}{' '}
            <progress max={Math.max(progress?.total ?? 1, 1)} value={progress?.done ?? 0} aria-label={t('fs.xp.progress')} />{' '}
            {progress !== null && `${progress.done}/${progress.total}`}
          </span>
        )}
      </div>
      {state.error !== null && (
        <p className="notice notice-error" role="alert">
          {t('fs.xp.error', { message: engineMessage(t, state.error) })}
        </p>
      )}
      {otherModel !== null && !state.running && (
        <p className="hint" data-testid="experiment-other-model">
          {t('fs.xp.otherModel', { model: otherModel })}
        </p>
      )}
      {results !== null && curve !== null && (
        <div
          className="experiment-results"
          data-testid="experiment-results"
          data-status={state.running ? 'running' : results.status}
          data-cells={results.cells.length}
        >
          <p className="hint">
            {t('fs.xp.ranOn', {
              source: t(SOURCE_NAME[results.settings.source]),
              draws: results.settings.draws,
              size: results.settings.source === 'own' ? t('fs.xp.foldsN', { folds: results.settings.folds }) : t('fs.xp.testN', { n: results.settings.testSize }),
              pattern: results.pattern,
            })}
            {!state.running && results.status === 'cancelled' && ` ${t('fs.xp.partial')}`}
            {!state.running && results.status === 'error' && ` ${t('fs.xp.failed')}`}
          </p>
          <D3View view={learningCurveView} data={curve} options={curveOptions} label={t('fs.xp.plot')} className="learning-curve" />
          {pooled !== null && (
            <div className="table-scroll">
              <table className="results-table">
                <caption className="sr-only">{t('fs.xp.table')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('fs.xp.method')}</th>
                    {results.settings.ks.map((k) => (
                      <th scope="col" key={k}>
                        k = {k}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {results.settings.methods.map((m) => (
                    <tr key={m}>
                      <th scope="row">{methodName(t, m, modelLabel)}</th>
                      {results.settings.ks.map((k) => {
                        const cell = pooled.get(m)?.find((c) => c.k === k);
                        return (
                          <td key={k} data-testid={cell === undefined ? undefined : `cell-${m}-${k}`}>
                            {cell === undefined ? '–' : `${pct(cell.mean)} ± ${pct(cell.sd)}`}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="hint">{t('fs.xp.readIt')}</p>
        </div>
      )}
      <p className="hint source-note">{t('fs.xp.sourceNote')}</p>
    </section>
  );
}
