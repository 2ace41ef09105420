import { zipSync } from 'fflate';
import { useEffect, useMemo, useState } from 'react';
import type { Bert } from '../../engine/bert';
import { exportSequenceClassification, headFromJson, headToJson, pca2d, sentenceFeatures } from '../../engine/finetune';
import { curvesView } from '../../viz/curves';
import { download } from '../../viz/export';
import { scatterView, type ScatterData } from '../../viz/scatter';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import { TextFileButton } from '../TextFileButton';
import { loadStoredExamples, saveExamples, type Example, type StoredExamples } from '../examples';
import { ExamplesTable } from './ExamplesTable';
import { PredictBox } from './PredictBox';
import { DEFAULT_SETTINGS, useTraining, type TrainSettings } from './useTraining';

const NO_OPTIONS = {};

/** Fine-tuning: a frozen BERT-mini plus a small head, trained on the class's own examples. */
export function FineTunePanel({ bert, modelLabel }: { bert: Bert; modelLabel: string }) {
  const t = useT();
  const [stored, setStored] = useState<StoredExamples>(() => loadStoredExamples());
  const [settings, setSettings] = useState<TrainSettings>(DEFAULT_SETTINGS);
  const { state, train, stop, setHead } = useTraining(bert);
  const [projections, setProjections] = useState<{ before: ScatterData; after: ScatterData | null } | null>(null);
  // The projection needs a forward pass per example: computed on request or after training, not at page load.
  const [wantProjection, setWantProjection] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const setExamples = (examples: Example[], labels: string[]) => {
    const next = { examples, labels };
    setStored(next);
    saveExamples(next);
  };
  const usable = stored.examples.filter((e) => e.text.trim() !== '');

  // PCA of the examples' sentence vectors: before training, and after (with the head's retrained layers, if any).
  const head = state.head;
  useEffect(() => {
    if (!wantProjection || state.running || usable.length < 3) return;
    let current = true;
    const pooling = head?.pooling ?? settings.pooling;
    const texts = usable.map((e) => e.text);
    const project = (vectors: Float32Array[], title: string): ScatterData => {
      const { points, explained } = pca2d(vectors);
      return {
        title: t('ft.pca', { title, percent: Math.round((explained[0] + explained[1]) * 100) }),
        labels: stored.labels,
        points: points.map(([x, y], i) => ({ x, y, label: usable[i].label, text: usable[i].text })),
      };
    };
    (async () => {
      const before = project(await sentenceFeatures(bert, texts, pooling), t('ft.before.title'));
      const after =
        head?.unfrozen !== undefined
          ? project(await sentenceFeatures(bert, texts, pooling, { head }), t('ft.after.title'))
          : null;
      if (current) setProjections({ before, after });
    })().catch(() => {
      // An example the tokenizer rejects is reported when training; the picture just waits.
    });
    return () => {
      current = false;
    };
    // usable is derived from stored; listing stored keeps the dependency honest.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bert, stored, head, state.running, settings.pooling, t, wantProjection]);

  const curves = useMemo(
    () => ({
      epochs: settings.epochs,
      loss: state.history.map((h) => ({ epoch: h.epoch, train: h.trainLoss, validation: h.valLoss })),
      accuracy: state.history.map((h) => ({ epoch: h.epoch, train: h.trainAccuracy, validation: h.valAccuracy })),
    }),
    [state.history, settings.epochs],
  );
  const set = <K extends keyof TrainSettings>(key: K, value: TrainSettings[K]) => setSettings((s) => ({ ...s, [key]: value }));
  const last = state.history[state.history.length - 1];

  return (
    <div className="finetune">
      <p className="explain">{t('ft.explain', { model: modelLabel })}</p>
      <ExamplesTable labels={stored.labels} examples={stored.examples} onChange={setExamples} />

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
          <input type="number" min={1} max={500} value={settings.epochs} onChange={(e) => set('epochs', Math.max(1, Number(e.target.value)))} />
        </label>
        <label>
          {t('ft.seed')} <input type="number" value={settings.seed} onChange={(e) => set('seed', Number(e.target.value))} />
        </label>
        <label title={t('ft.unfreeze.title')}>
          {t('ft.unfreeze')}{' '}
          <select value={settings.unfreezeLayers} onChange={(e) => set('unfreezeLayers', Number(e.target.value))}>
            {Array.from({ length: bert.config.layers + 1 }, (_, i) => (
              <option key={i} value={i}>
                {i === 0 ? t('ft.frozen') : i}
              </option>
            ))}
          </select>
        </label>
        {state.running ? (
          <button type="button" onClick={stop}>
            {t('ft.stop')}
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => {
              setWantProjection(true);
              void train(usable, stored.labels, settings);
            }} disabled={usable.length < 2}>
            {t('ft.train')}
          </button>
        )}
      </div>
      {settings.unfreezeLayers > 0 && (
        <p className="hint">{t('ft.unfreeze.note', { n: settings.unfreezeLayers })}</p>
      )}
      {state.running && state.progress !== null && (
        <p role="status">
          {state.progress.phase === 'features' ? t('ft.reading') : t('ft.training')}…{' '}
          <progress max={state.progress.total} value={state.progress.done} aria-label={t('ft.progress')} />
        </p>
      )}
      {state.error !== null && (
        <p className="notice notice-error" role="alert">
          {state.error}
        </p>
      )}
      {state.history.length > 0 && (
        <>
          <D3View view={curvesView} data={curves} options={NO_OPTIONS} label={t('ft.curves')} className="curves" />
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
      {!wantProjection && usable.length >= 3 && (
        <button type="button" onClick={() => setWantProjection(true)}>
          {t('ft.showProjection')}
        </button>
      )}
      {projections !== null && (
        <div className="side-by-side">
          <D3View view={scatterView} data={projections.before} options={NO_OPTIONS} label={t('ft.before')} />
          {projections.after !== null && (
            <D3View view={scatterView} data={projections.after} options={NO_OPTIONS} label={t('ft.after')} />
          )}
        </div>
      )}
      {head !== null && !state.running && (
        <>
          <h3>{t('ft.try')}</h3>
          <PredictBox bert={bert} head={head} />
          <div className="examples-actions">
            <button type="button" onClick={() => download(new Blob([headToJson(head)], { type: 'application/json' }), 'head.json')}>
              {t('ft.exportJson')}
            </button>
            <button
              type="button"
              onClick={() => {
                try {
                  const files = exportSequenceClassification(bert, head);
                  const zip = zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`bert-mini-classifier/${name}`, bytes])));
                  download(new Blob([zip], { type: 'application/zip' }), 'bert-mini-classifier.zip');
                  setMessage(null);
                } catch (e) {
                  setMessage(e instanceof Error ? e.message : String(e));
                }
              }}
            >
              {t('ft.exportHf')}
            </button>
            <button type="button" onClick={() => setHead(null)}>
              {t('ft.forget')}
            </button>
          </div>
        </>
      )}
      <TextFileButton
        label={t('ft.import')}
        accept=".json,application/json"
        onText={(text, name) => {
          try {
            setHead(headFromJson(text));
            setMessage(t('ft.loaded', { name }));
          } catch (error) {
            setMessage(`${name}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }}
      />
      {message !== null && (
        <p className="notice" role="status">
          {message}
        </p>
      )}
    </div>
  );
}

