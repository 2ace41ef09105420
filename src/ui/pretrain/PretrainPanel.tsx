/**
 * "Watch BERT learn": pre-train a nano-BERT and its causal twin in the
 * browser, in the lab's own worker. Controls (text, budget, start / pause /
 * resume / reset), the progress line, the live curves (and the same numbers
 * as a table), then what the models have learnt (LabInspect) and keeping the
 * trained model (LabSave).
 */
import { useMemo, useState } from 'react';
import type { BackendName } from '../../engine';
import { TRAINED_VOCAB_RANGE, type LabBudget, type LabText } from '../../worker/pretrain/protocol';
import { labCurves, labCurvesView } from '../../viz/pretrain/labCurves';
import { forcedBackend } from '../backendSetting';
import { D3View } from '../D3View';
import { useT, type Translate } from '../i18n';
import { TextFileButton } from '../TextFileButton';
import { LabInspect } from './LabInspect';
import { LabSave } from './LabSave';
import { useLab, type LabView } from './useLab';

export const DEFAULT_PROBE = 'The people of the United [MASK] will not forget this day.';
/** The most text a class's own corpus may have: tokenising more on a laptop takes too long to be worth it. */
const OWN_TEXT_MAX = 5_000_000;
const BACKENDS: (BackendName | 'auto')[] = ['auto', 'wasm', 'webgpu', 'webgl', 'cpu'];

/** 75_000 ms → "1:15". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** What is left of the budget, in ms; null without a budget or before a step has a pace. */
export function timeLeft(budget: LabBudget | null, view: Pick<LabView, 'clock' | 'steps'>): number | null {
  if (budget === null) return null;
  if (budget.unit === 'seconds') return Math.max(0, budget.value * 1000 - view.clock.elapsedMs);
  const done = view.steps.at(-1)?.step ?? 0;
  if (done === 0) return null;
  return Math.max(0, budget.value - done) * (view.clock.elapsedMs / done);
}

export function PretrainPanel() {
  const t = useT();
  const lab = useLab();
  const [source, setSource] = useState<'shipped' | 'own'>('shipped');
  const [ownText, setOwnText] = useState('');
  const [vocabChoice, setVocabChoice] = useState<'shipped' | 'trained'>('shipped');
  const [vocabSize, setVocabSize] = useState<number>(TRAINED_VOCAB_RANGE.default);
  const trainVocab = source === 'own' && vocabChoice === 'trained';
  const [budget, setBudget] = useState<LabBudget>({ unit: 'seconds', value: 600 });
  const [evalEvery, setEvalEvery] = useState(25);
  const [backend, setBackend] = useState<BackendName | 'auto'>(() => forcedBackend(window.location.search) ?? 'auto');
  const [probe, setProbe] = useState(DEFAULT_PROBE);
  const [runBudget, setRunBudget] = useState<LabBudget | null>(null);
  const running = lab.state === 'running' || lab.state === 'preparing';
  const ownProblem =
    source === 'own' && ownText.trim() === ''
      ? t('lab.text.empty')
      : trainVocab && !(Number.isInteger(vocabSize) && vocabSize >= TRAINED_VOCAB_RANGE.min && vocabSize <= TRAINED_VOCAB_RANGE.max)
        ? t('lab.vocab.sizeProblem', { min: TRAINED_VOCAB_RANGE.min.toLocaleString('en-US'), max: TRAINED_VOCAB_RANGE.max.toLocaleString('en-US') })
        : null;

  const onStart = () => {
    const text: LabText =
      source === 'shipped' ? { kind: 'shipped' } : { kind: 'own', text: ownText, ...(trainVocab ? { trainVocab: vocabSize } : {}) };
    const b = budget.value > 0 ? budget : null;
    setRunBudget(b);
    lab.start({
      base: new URL(import.meta.env.BASE_URL, window.location.href).href,
      text,
      backend: backend === 'auto' ? null : backend,
      evalEvery: Math.max(1, Math.round(evalEvery)),
      probe,
      budget: b,
    });
  };

  const curveData = useMemo(
    () =>
      labCurves(
        lab.steps,
        lab.evaluations.map((e) => e.evaluation),
        runBudget?.unit === 'steps' ? runBudget.value : (lab.steps.at(-1)?.step ?? 0),
      ),
    [lab.steps, lab.evaluations, runBudget],
  );
  const curveOptions = useMemo(() => ({ text: t }), [t]);
  const step = lab.steps.at(-1)?.step ?? 0;
  const left = timeLeft(runBudget, lab);
  const perSecond = lab.clock.trainMs > 0 ? (lab.clock.tokens / lab.clock.trainMs) * 1000 : null;

  return (
    <div className="pretrain" data-testid="lab">
      <p className="explain">{t('lab.explain')}</p>
      <VocabLine lab={lab} trainVocab={trainVocab ? vocabSize : null} />
      <div className="controls" role="radiogroup" aria-label={t('lab.text.label')}>
        <label>
          <input type="radio" name="lab-text" checked={source === 'shipped'} onChange={() => setSource('shipped')} disabled={running} />{' '}
          {t('lab.text.shipped')}
        </label>
        <label>
          <input type="radio" name="lab-text" checked={source === 'own'} onChange={() => setSource('own')} disabled={running} /> {t('lab.text.own')}
        </label>
      </div>
      {source === 'own' && (
        <div className="controls">
          <textarea
            aria-label={t('lab.text.box')}
            rows={4}
            cols={60}
            value={ownText}
            maxLength={OWN_TEXT_MAX}
            onChange={(e) => setOwnText(e.target.value)}
            disabled={running}
          />
          <TextFileButton label={t('lab.text.file')} accept=".txt,text/plain" onText={(text) => setOwnText(text.slice(0, OWN_TEXT_MAX))} />
          <span className="model-hint">{t('lab.text.ownNote', { chars: ownText.length.toLocaleString('en-US') })}</span>
        </div>
      )}
      {source === 'own' && (
        <div className="controls" role="radiogroup" aria-label={t('lab.vocab.label')}>
          <label>
            <input type="radio" name="lab-vocab" checked={vocabChoice === 'shipped'} onChange={() => setVocabChoice('shipped')} disabled={running} />{' '}
            {t('lab.vocab.useShipped')}
          </label>
          <label>
            <input type="radio" name="lab-vocab" checked={vocabChoice === 'trained'} onChange={() => setVocabChoice('trained')} disabled={running} />{' '}
            {t('lab.vocab.useTrained')}
          </label>
          <input
            type="number"
            aria-label={t('lab.vocab.size')}
            min={TRAINED_VOCAB_RANGE.min}
            max={TRAINED_VOCAB_RANGE.max}
            step={100}
            value={vocabSize}
            onChange={(e) => setVocabSize(Math.round(Number(e.target.value) || 0))}
            style={{ width: '6em' }}
            disabled={running || vocabChoice !== 'trained'}
          />{' '}
          {t('lab.vocab.range', { min: TRAINED_VOCAB_RANGE.min.toLocaleString('en-US'), max: TRAINED_VOCAB_RANGE.max.toLocaleString('en-US') })}
        </div>
      )}
      <div className="controls" role="group" aria-label={t('lab.settings')}>
        <label>
          {t('lab.budget')}{' '}
          <input
            type="number"
            min={0}
            step={1}
            value={budget.value}
            onChange={(e) => setBudget({ ...budget, value: Math.max(0, Number(e.target.value) || 0) })}
            style={{ width: '6em' }}
            disabled={running}
          />
        </label>
        <label>
          <span className="sr-only">{t('lab.budgetUnit')}</span>
          <select
            aria-label={t('lab.budgetUnit')}
            value={budget.unit}
            onChange={(e) => setBudget({ ...budget, unit: e.target.value as LabBudget['unit'] })}
            disabled={running}
          >
            <option value="seconds">{t('lab.unit.seconds')}</option>
            <option value="steps">{t('lab.unit.steps')}</option>
          </select>
        </label>
        <label>
          {t('lab.evalEvery')}{' '}
          <input
            type="number"
            min={1}
            step={1}
            value={evalEvery}
            onChange={(e) => setEvalEvery(Math.max(1, Number(e.target.value) || 1))}
            style={{ width: '5em' }}
            disabled={running}
          />
        </label>
        <label>
          {t('lab.backend')}{' '}
          <select value={backend} onChange={(e) => setBackend(e.target.value as BackendName | 'auto')} disabled={lab.state !== 'idle'}>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b === 'auto' ? t('lab.backend.auto') : b}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="controls">
        {lab.state === 'idle' && (
          <button type="button" onClick={onStart} disabled={ownProblem !== null}>
            {t('lab.start')}
          </button>
        )}
        {lab.state === 'running' && (
          <button type="button" onClick={lab.pause}>
            {t('lab.pause')}
          </button>
        )}
        {(lab.state === 'paused' || lab.state === 'done') && (
          <button type="button" onClick={lab.resume}>
            {lab.state === 'done' ? t('lab.continue') : t('lab.resume')}
          </button>
        )}
        {lab.state !== 'idle' && (
          <button type="button" onClick={lab.reset}>
            {t('lab.reset')}
          </button>
        )}
        {ownProblem !== null && <span className="model-hint">{ownProblem}</span>}
      </div>
      <p className="notice" role="status" data-testid="lab-status" data-state={lab.state} data-step={step} data-losses={lossEnds(lab)} data-clock={JSON.stringify(lab.clock)} data-backend={lab.backend ?? ''}>
        {lab.state === 'idle'
          ? t('lab.status.idle')
          : lab.state === 'preparing'
            ? lab.vocabProgress != null && lab.settings === null
              ? t('lab.vocab.progress', { pieces: lab.vocabProgress.pieces.toLocaleString('en-US'), size: lab.vocabProgress.size.toLocaleString('en-US') })
              : t('lab.status.preparing')
            : t('lab.status.line', {
                state: t(`lab.state.${lab.state}`),
                step: step.toLocaleString('en-US'),
                tokens: lab.clock.tokens.toLocaleString('en-US'),
                rate: perSecond === null ? '–' : Math.round(perSecond).toLocaleString('en-US'),
                elapsed: formatDuration(lab.clock.elapsedMs),
              })}
        {left !== null && lab.state !== 'idle' && ` ${t('lab.status.left', { left: formatDuration(left) })}`}
        {lab.backend !== null && ` ${t('lab.status.backend', { backend: lab.backend })}`}
      </p>
      {lab.error !== null && (
        <p className="notice notice-error" role="alert" data-testid="lab-error">
          {t('lab.error', { during: duringText(t, lab.error.during), message: lab.error.message })}
        </p>
      )}
      {lab.settings !== null && (
        <p className="model-note" data-testid="lab-settings" data-settings={JSON.stringify(lab.settings)}>
          {t('lab.settingsLine', {
            shape: `${lab.settings.shape.layers}/${lab.settings.shape.hidden}/${lab.settings.shape.heads}/${lab.settings.shape.intermediate}`,
            vocab: lab.settings.vocabSize.toLocaleString('en-US'),
            window: lab.settings.seqLength,
            batch: lab.settings.batchSize,
            pieces: lab.settings.trainPieces.toLocaleString('en-US'),
            heldOut: lab.settings.evaluatedWindows,
          })}
        </p>
      )}
      {lab.steps.length > 0 && <D3View view={labCurvesView} data={curveData} options={curveOptions} label={t('lab.curve.title')} />}
      {lab.evaluations.length > 0 && <EvaluationTable lab={lab} />}
      {lab.state !== 'idle' && <LabInspect lab={lab} probe={probe} onProbe={(p) => (setProbe(p), lab.setProbe(p))} />}
      {lab.state !== 'idle' && <LabSave lab={lab} />}
    </div>
  );
}

/**
 * Which vocabulary the models use: once a run has started, the run's (with the pieces it really has);
 * before, the one the choice will train or the shipped one.
 */
function VocabLine({ lab, trainVocab }: { lab: LabView; trainVocab: number | null }) {
  const t = useT();
  const n = (v: number) => v.toLocaleString('en-US');
  let kind: 'shipped' | 'trained' = trainVocab === null ? 'shipped' : 'trained';
  let text = trainVocab === null ? t('lab.vocab.shipped') : t('lab.vocab.toTrain', { size: n(trainVocab) });
  if (lab.vocab != null && lab.settings !== null) {
    kind = lab.vocab.kind;
    const pieces = lab.settings.vocabSize;
    text =
      lab.vocab.kind === 'shipped'
        ? t('lab.vocab.shipped')
        : t('lab.vocab.trained', { pieces: n(pieces) }) + (pieces < lab.vocab.asked ? ` ${t('lab.vocab.short', { pieces: n(pieces), size: n(lab.vocab.asked) })}` : '');
  }
  return (
    <p className="model-note" data-testid="lab-vocab" data-vocab={kind} data-pieces={lab.settings?.vocabSize ?? ''}>
      {text}
    </p>
  );
}

/** The first and the last three steps' training losses, [masked, causal] (for tests and the bench). */
function lossEnds(lab: LabView): string {
  const pairs = (steps: LabView['steps']) => steps.map((s) => [s.maskedLoss, s.causalLoss]);
  return JSON.stringify({ first: pairs(lab.steps.slice(0, 3)), last: pairs(lab.steps.slice(-3)) });
}

const DURING = ['start', 'step', 'evaluate', 'probe', 'roles', 'save', 'worker'] as const;

/** What the lab was doing when it failed, in the page's language. */
function duringText(t: Translate, during: string): string {
  const known = DURING.find((d) => d === during);
  return known === undefined ? during : t(`lab.during.${known}`);
}

/** The held-out numbers behind the curves, as a table (readable without the picture; the bench reads it too). */
function EvaluationTable({ lab }: { lab: LabView }) {
  const t = useT();
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return (
    <details className="lab-evaluations">
      <summary>{t('lab.table.summary', { n: lab.evaluations.length })}</summary>
      <div className="table-scroll">
        <table className="results-table" data-testid="lab-evaluations">
          <thead>
            <tr>
              <th scope="col">{t('lab.table.step')}</th>
              <th scope="col">{t('lab.table.tokens')}</th>
              <th scope="col">{t('lab.table.maskedLoss')}</th>
              <th scope="col">{t('lab.table.causalLoss')}</th>
              <th scope="col">{t('lab.table.maskedTop1')}</th>
              <th scope="col">{t('lab.table.causalTop1')}</th>
              <th scope="col">{t('lab.table.unigram')}</th>
              <th scope="col">{t('lab.table.tensors')}</th>
            </tr>
          </thead>
          <tbody>
            {lab.evaluations.map(({ evaluation: e, clock, tensors }) => (
              <tr
                key={e.step}
                data-testid="lab-evaluation"
                data-record={JSON.stringify({ step: e.step, tokens: clock.tokens, elapsedMs: clock.elapsedMs, trainMs: clock.trainMs, masked: e.masked, causal: e.causal, unigramTop1: e.unigramTop1, tensors })}
              >
                <td>{e.step}</td>
                <td>{clock.tokens.toLocaleString('en-US')}</td>
                <td>{e.masked.loss.toFixed(3)}</td>
                <td>{e.causal.loss.toFixed(3)}</td>
                <td>{pct(e.masked.top1)}</td>
                <td>{pct(e.causal.top1)}</td>
                <td>
                  {pct(e.unigramTop1)} ({e.unigramPiece})
                </td>
                <td>{tensors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
