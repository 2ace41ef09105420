import { zipSync } from 'fflate';
import { memo, useEffect, useRef, useState, type RefObject } from 'react';
import { DEFAULT_PATTERN, headFromJson, headToJson } from '../../engine/pure';
import { engine, type ModelHandle } from '../engineClient';
import { download } from '../../viz/export';
import { scatterView, type ScatterData } from '../../viz/scatter';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import { TextFileButton } from '../TextFileButton';
import { loadStoredExamples, saveExamples, type Example, type StoredExamples } from '../examples';
import { engineMessage } from './engineMessage';
import { ExamplesTable } from './ExamplesTable';
import { ExperimentPanel } from './ExperimentPanel';
import { HeadMethod } from './HeadMethod';
import { PredictBox } from './PredictBox';
import { checkPattern, checkVerbalizer, defaultPatternFor, firstSentence } from './promptCheck';
import { PromptMethod, say } from './PromptMethod';
import { PromptPredictBox } from './PromptPredictBox';
import { HELD_OUT_CHOICES, loadPanelSettings, savePanelSettings, type Method, type PanelSettings } from './storage';
import { usePrompt } from './usePrompt';
import { DEFAULT_SETTINGS, useTraining, type TrainSettings } from './useTraining';

const NO_OPTIONS = {};
const pct = (x: number) => `${Math.round(x * 100)}%`;

/** Whether the element is on screen (true where IntersectionObserver is missing): heavy work waits until it is. */
function useOnScreen<E extends Element>(): [RefObject<E | null>, boolean] {
  const ref = useRef<E>(null);
  const [visible, setVisible] = useState(() => typeof IntersectionObserver === 'undefined');
  useEffect(() => {
    const element = ref.current;
    if (element === null || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => setVisible(entries.some((e) => e.isIntersecting)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, visible];
}

/**
 * Teaching BERT a task from a few examples, two ways side by side: ask it to
 * fill a blank ("It was [MASK].") and read the label from its guess, or train
 * a small head on its frozen sentence vectors. Then the experiment that asks
 * whether pre-training is what makes a few examples enough.
 *
 * Memoised: its props change only with the model, and re-rendering its forty
 * example rows on every keystroke in the sentence box cost the page's thread
 * more than anything else while typing.
 */
export const FineTunePanel = memo(function FineTunePanel({ bert, twin, modelLabel }: { bert: ModelHandle; twin: ModelHandle | null; modelLabel: string }) {
  const t = useT();
  const [stored, setStored] = useState<StoredExamples>(() => loadStoredExamples());
  const [settings, setSettings] = useState<TrainSettings>(DEFAULT_SETTINGS);
  const [panel, setPanelState] = useState<PanelSettings>(loadPanelSettings);
  const setPanel = (patch: Partial<PanelSettings>) =>
    setPanelState((p) => {
      const next = { ...p, ...patch };
      savePanelSettings(next);
      return next;
    });
  const { state, train, stop, setHead } = useTraining(bert);
  const [projections, setProjections] = useState<{ before: ScatterData; after: ScatterData | null } | null>(null);
  // The projection needs a forward pass per example: computed on request or after training, not at page load.
  const [wantProjection, setWantProjection] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [panelRef, onScreen] = useOnScreen<HTMLDivElement>();

  const setExamples = (examples: Example[], labels: string[]) => {
    const next = { examples, labels };
    setStored(next);
    saveExamples(next);
  };
  const usable = stored.examples.filter((e) => e.text.trim() !== '' && stored.labels.includes(e.label));

  // The prompt: pattern and words as typed, checked as they are typed (nothing runs on bad input, nothing typed is lost).
  const which = panel.promptModel === 'twin' && twin !== null ? 'twin' : 'main';
  const promptBert = which === 'twin' && twin !== null ? twin : bert;
  const defaultPattern = defaultPatternFor(
    usable.map((e) => e.text),
    DEFAULT_PATTERN,
  );
  const pattern = panel.pattern ?? defaultPattern;
  const patternProblem = checkPattern(promptBert.tokenizer, pattern, promptBert.defaultMask === 'causal');
  const words = checkVerbalizer(promptBert.tokenizer, stored.labels, panel.verbalizer);
  const promptReady = patternProblem === null && words.problem === null;
  const prompt = usePrompt({
    model: promptBert,
    which,
    labels: stored.labels,
    examples: usable,
    pattern: promptReady ? pattern : null,
    verbalizer: words.verbalizer,
    heldOut: panel.heldOut,
    seed: settings.seed,
    active: onScreen && !state.running,
  });
  const enoughExamples = usable.length >= 2 && stored.labels.length >= 2;

  // PCA of the examples' sentence vectors: before training, and after (with the head's retrained layers, if any).
  const head = state.head;
  useEffect(() => {
    if (!wantProjection || state.running || usable.length < 3) return;
    let current = true;
    const pooling = head?.pooling ?? settings.pooling;
    const texts = usable.map((e) => e.text);
    const project = ({ points, explained }: { points: [number, number][]; explained: number[] }, title: string): ScatterData => ({
      title: t('ft.pca', { title, percent: Math.round((explained[0] + explained[1]) * 100) }),
      labels: stored.labels,
      points: points.map(([x, y], i) => ({ x, y, label: usable[i].label, text: usable[i].text })),
    });
    // In the engine's worker, which holds the model for the whole picture (a model replaced meanwhile lives until it is drawn).
    engine()
      .call('projections', [bert.id, texts, pooling, head], { models: [bert], channel: 'projection' })
      .then(
        (pca) => {
          if (current) setProjections({ before: project(pca.before, t('ft.before.title')), after: pca.after === null ? null : project(pca.after, t('ft.after.title')) });
        },
        // Superseded, or an example the tokenizer rejects (reported when training): the picture just waits.
        () => undefined,
      );
    return () => {
      current = false;
    };
    // usable is derived from stored; listing stored keeps the dependency honest.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bert, stored, head, state.running, settings.pooling, t, wantProjection]);

  const zs = prompt.zeroShot;
  const tryClassifier = prompt.classifier ?? zs.classifier;
  // The sentence to try: the first example's until something is typed (kept while the classifier changes).
  const [tryText, setTryText] = useState<string | null>(null);
  const methodRadio = (m: Method, label: string) => (
    <label>
      <input type="radio" name="try-method" value={m} checked={panel.method === m} onChange={() => setPanel({ method: m })} /> {label}
    </label>
  );

  return (
    <div className="finetune" ref={panelRef}>
      <p className="explain">{t('fs.explain', { model: modelLabel })}</p>
      <ExamplesTable labels={stored.labels} examples={stored.examples} onChange={setExamples} />

      <div className="controls" role="group" aria-label={t('fs.shared')}>
        <label>
          {t('fs.heldOut')}{' '}
          <select value={panel.heldOut} onChange={(e) => setPanel({ heldOut: Number(e.target.value) })}>
            {HELD_OUT_CHOICES.map((f) => (
              <option key={f} value={f}>
                {pct(f)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ft.seed')}{' '}
          <input type="number" value={settings.seed} onChange={(e) => setSettings((s) => ({ ...s, seed: Math.round(Number(e.target.value) || 0) }))} />
        </label>
      </div>
      <p className="hint">{t('fs.heldOut.hint')}</p>

      <div className="zero-shot" data-testid="zero-shot" data-status={zs.status} data-accuracy={zs.heldOutAccuracy ?? zs.allAccuracy ?? ''} aria-live="polite">
        <strong>{t('fs.zs.title')}</strong>{' '}
        {!enoughExamples
          ? t('fs.needExamples')
          : !promptReady
            ? t('fs.zs.fix')
            : zs.status === 'done' && zs.allAccuracy !== null
              ? zs.heldOutAccuracy !== null
                ? t('fs.zs.result', { accuracy: pct(zs.heldOutAccuracy), n: zs.heldOut, all: pct(zs.allAccuracy), total: zs.all })
                : t('fs.zs.resultAll', { all: pct(zs.allAccuracy), total: zs.all })
              : zs.status === 'error'
                ? t('fs.zs.error', { message: engineMessage(t, zs.message ?? '') })
                : t('fs.zs.running')}
      </div>

      <div className="methods">
        <PromptMethod
          prompt={prompt}
          modelLabel={modelLabel}
          hasTwin={twin !== null}
          which={which}
          onWhich={(w) => setPanel({ promptModel: w })}
          pattern={pattern}
          onPattern={(p) => setPanel({ pattern: p })}
          defaultPattern={defaultPattern}
          verbalizer={panel.verbalizer}
          onVerbalizer={(v) => setPanel({ verbalizer: v })}
          labels={stored.labels}
          patternProblem={patternProblem}
          verbalizerProblem={words.problem}
          canTrain={enoughExamples && promptReady && !prompt.training.running}
        />
        <HeadMethod
          state={state}
          settings={settings}
          onSettings={setSettings}
          layers={bert.config.layers}
          modelLabel={modelLabel}
          canTrain={enoughExamples}
          onTrain={() => {
            setWantProjection(true);
            void train(usable, stored.labels, { ...settings, validationFraction: panel.heldOut });
          }}
          onStop={stop}
        />
      </div>

      <h3>{t('fs.try')}</h3>
      <div className="controls" role="radiogroup" aria-label={t('fs.try.method')}>
        {t('fs.try.method')} {methodRadio('prompt', t('fs.try.prompt'))} {methodRadio('head', t('fs.try.head'))}
      </div>
      {panel.method === 'prompt' ? (
        tryClassifier !== null ? (
          <>
            {prompt.classifier === null && <p className="hint">{t('fs.try.zeroShot')}</p>}
            <PromptPredictBox
              bert={promptBert}
              classifier={tryClassifier}
              causal={which === 'twin'}
              text={tryText ?? firstSentence(usable.map((e) => e.text), pattern)}
              onText={setTryText}
            />
          </>
        ) : (
          <p className="hint">{promptReady ? t('fs.try.waiting') : say(t, (patternProblem ?? words.problem)!)}</p>
        )
      ) : head !== null && !state.running ? (
        <>
          <PredictBox bert={bert} head={head} initial={firstSentence(usable.map((e) => e.text), pattern)} />
          <div className="examples-actions">
            <button type="button" onClick={() => download(new Blob([headToJson(head)], { type: 'application/json' }), 'head.json')}>
              {t('ft.exportJson')}
            </button>
            <button
              type="button"
              onClick={() => {
                // The weights are in the engine's worker: it writes the files, the page zips them.
                engine()
                  .call('exportHead', [bert.id, head], { models: [bert] })
                  .then((files) => {
                    const zip = zipSync(Object.fromEntries([...files].map(([name, bytes]) => [`bert-mini-classifier/${name}`, bytes])));
                    download(new Blob([zip], { type: 'application/zip' }), 'bert-mini-classifier.zip');
                    setMessage(null);
                  })
                  .catch((e: unknown) => setMessage(e instanceof Error ? e.message : String(e)));
              }}
            >
              {t('ft.exportHf')}
            </button>
            <button type="button" onClick={() => setHead(null)}>
              {t('ft.forget')}
            </button>
          </div>
        </>
      ) : (
        <p className="hint">{t('fs.try.trainHead')}</p>
      )}
      {panel.method === 'head' && (
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
      )}
      {message !== null && (
        <p className="notice" role="status">
          {message}
        </p>
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

      <ExperimentPanel
        main={bert}
        twin={twin}
        modelLabel={modelLabel}
        examples={usable}
        labels={stored.labels}
        pattern={patternProblem === null ? pattern : DEFAULT_PATTERN}
      />
    </div>
  );
});
