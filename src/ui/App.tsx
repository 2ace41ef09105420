import { type ClipboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ArchitecturePanel } from './ArchitecturePanel';
import { AttentionPanel } from './AttentionPanel';
import { BackendBadge } from './BackendBadge';
import { ExampleSentences } from './ExampleSentences';
import { CutNotice, LinkNotice, StorageNotice } from './FaultNotices';
import { FillMaskPanel } from './FillMaskPanel';
import { FineTunePanel } from './finetune/FineTunePanel';
import { PretrainPanel } from './pretrain/PretrainPanel';
import { LanguageSwitch, useT } from './i18n';
import { ModelPicker, type ModelOffer } from './ModelPicker';
import { PanelBoundary } from './PanelBoundary';
import { StarterSetOffer } from './StarterSetOffer';
import { TokenChips } from './TokenChips';
import { UnknownNotice } from './UnknownNotice';
import type { Encoded } from '../engine';
import { useBackend } from './useBackend';
import { useEncoding } from './useEncoding';
import { useModels } from './useModels';
import { DEFAULT_ATTENTION, readViewStateReport, sentenceForUrl, writeViewState, type AttentionSettings, type ViewState } from './urlState';

const URL_DELAY_MS = 300;
/** Characters the sentence box keeps; a longer paste is cut here, and the page says how much was left out. */
const SENTENCE_MAX = 2000;
const FIRST_SENTENCE = 'The man went to the [MASK] to buy a gallon of milk.';

export function App() {
  const t = useT();
  const backend = useBackend();
  const models = useModels(backend);
  const [fromUrl] = useState(() =>
    readViewStateReport(window.location.search, { sentence: FIRST_SENTENCE, masked: [], model: null, attention: DEFAULT_ATTENTION }),
  );
  const [state, setState] = useState<ViewState>(fromUrl.state);
  // Parameters of the opening link that could not be read (they kept their defaults), until dismissed.
  const [ignoredParams, setIgnoredParams] = useState(fromUrl.ignored);
  const { sentence, masked } = state;
  // The link holds the sentence's start only when the whole would make it too long to share.
  const linkText = useMemo(() => sentenceForUrl(sentence), [sentence]);
  // A hub model named in the URL is offered once (size first, as any download); until then the URL keeps it.
  const [requestedModel, setRequestedModel] = useState(state.model);
  const mainModel = models.status === 'ready' && models.main.kind === 'hub' ? models.main.id : null;
  const urlModel = requestedModel ?? mainModel;
  useEffect(() => {
    // replaceState, not pushState: typing should not fill the Back button's history. Once typing
    // pauses, not per keystroke: Chromium's replaceState costs a few ms, a tenth of a keystroke's budget.
    const timer = setTimeout(
      () => window.history.replaceState(null, '', writeViewState({ ...state, model: urlModel }, window.location.search)),
      URL_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [state, urlModel]);
  // Memoised: a new object each render would restart the encoding effect forever. Only the shipped
  // BERT-mini has a causal twin (trained alongside it on the same text); a loaded model has none.
  const ready = useMemo(
    () =>
      models.status === 'ready' ? { bert: models.bert, twin: models.main.kind === 'shipped' ? models.twin : null } : null,
    [models],
  );
  const hasTwin = ready !== null && ready.twin !== null;
  // Headings name the main model: BERT-mini, or the checkpoint the class loaded instead.
  const mainLabel = models.status === 'ready' ? models.main.label : '';
  // The twin's output is on screen only in these views (fill-mask shows its guess for every [MASK]);
  // without a twin, only the attention views show the main model under the causal mask.
  const withTwin =
    state.attention.mask === 'causal' ||
    state.attention.view === 'contrast' ||
    (hasTwin && (masked.length > 0 || sentence.includes('[MASK]')));
  const encoding = useEncoding(ready, sentence, masked, withTwin, state.attention.normWeighted, backend.status === 'ready' ? backend.generation : 0);
  const result = encoding.result;

  // Edit → every view redrawn, in ms. Measured in an effect of this, the top
  // component: React runs it after the effects of all its children, where the
  // D3 views draw. Also published as a User Timing mark (`bert:views-updated`)
  // for `npm run bench`. Written straight into the badge: a state update would
  // re-render the whole page once more.
  const runTime = useRef<HTMLSpanElement>(null);
  const lastRun = useRef<{ ms: number; modelMs: number } | null>(null);
  useEffect(() => {
    if (result === null) return;
    const ms = performance.now() - result.requestedAt;
    performance.mark('bert:views-updated', { detail: { sentence: result.sentence, ms, modelMs: result.modelMs } });
    lastRun.current = { ms, modelMs: result.modelMs };
    if (runTime.current !== null) runTime.current.textContent = `${ms.toFixed(0)} ms`;
  }, [result]);
  useEffect(() => {
    // The tooltip follows the language; the time itself belongs to the last run only.
    if (runTime.current !== null && lastRun.current !== null) {
      runTime.current.title = t('app.runTime', { model: lastRun.current.modelMs.toFixed(0) });
    }
  }, [result, t]);

  // Characters of the last paste the box left out (0: none, or the sentence was edited since).
  const [pasteDropped, setPasteDropped] = useState(0);
  const onSentence = useCallback((text: string) => {
    setState((s) => ({ ...s, sentence: text, masked: [] })); // token positions belong to the old text
    setPasteDropped(0);
  }, []);
  // A paste longer than the box would keep: cut here, once, instead of letting the browser insert it
  // all (a 1 MB paste) and then drop the rest without a word.
  const onPaste = useCallback(
    (e: ClipboardEvent<HTMLInputElement>) => {
      const pasted = e.clipboardData.getData('text/plain');
      const box = e.currentTarget;
      const start = box.selectionStart ?? box.value.length;
      const end = box.selectionEnd ?? start;
      const room = SENTENCE_MAX - (box.value.length - (end - start));
      if (pasted.length <= room) return;
      e.preventDefault();
      const kept = pasted.slice(0, Math.max(0, room));
      // One line, as the browser pastes into a text input.
      onSentence(box.value.slice(0, start) + kept.replace(/[\r\n]+/g, ' ') + box.value.slice(end));
      setPasteDropped(pasted.length - kept.length);
    },
    [onSentence],
  );
  const toggleMask = useCallback(
    (i: number) =>
      setState((s) => ({
        ...s,
        masked: s.masked.includes(i) ? s.masked.filter((x) => x !== i) : [...s.masked, i].sort((a, b) => a - b),
      })),
    [],
  );
  const onAttention = useCallback((attention: AttentionSettings) => setState((s) => ({ ...s, attention })), []);
  // A model suggested by the [UNK] notice goes to the picker, which asks about its size first.
  const [offer, setOffer] = useState<ModelOffer | null>(null);
  const onRequestDone = useCallback(() => setRequestedModel(null), []);
  const onSuggest = useCallback((id: string) => setOffer((o) => ({ id, n: (o?.n ?? 0) + 1 })), []);
  // The fine-tuning panel reads its examples when it mounts: a new starter set remounts it.
  const [examplesVersion, setExamplesVersion] = useState(0);
  const onExamplesReplaced = useCallback(() => setExamplesVersion((v) => v + 1), []);

  return (
    <div className="app">
      <header className="topbar">
        <h1>{t('app.title')}</h1>
        <div className="status">
          <span className="badge" data-testid="run-time" ref={runTime} hidden={result === null} />
          <BackendBadge state={backend} />
          <LanguageSwitch />
        </div>
      </header>
      <main>
        <StorageNotice />
        <section className="panel" aria-labelledby="sentence-heading">
          <h2 id="sentence-heading">{t('section.sentence')}</h2>
          <label className="sentence">
            <span className="sr-only">{t('app.sentence')}</span>
            <input
              type="text"
              aria-label={t('sentence.label')}
              value={sentence}
              spellCheck={false}
              maxLength={SENTENCE_MAX}
              onChange={(e) => onSentence(e.target.value)}
              onPaste={onPaste}
            />
          </label>
          <CutNotice pasteDropped={pasteDropped} box={SENTENCE_MAX} read={result === null ? null : readPart(result.bert, result.sentence)} />
          <LinkNotice ignored={ignoredParams} onDismiss={() => setIgnoredParams([])} linkChars={linkText.cut ? linkText.text.length : null} />
          {ready !== null && <ExampleSentences bert={ready.bert} onPick={onSentence} />}
          <ModelStatus state={models} />
          <ModelPicker models={models} requested={requestedModel} onRequestDone={onRequestDone} offer={offer} />
          {encoding.error !== null && (
            <p className="notice notice-error" role="alert">
              {encoding.error}
            </p>
          )}
          {result !== null && (
            <TokenChips sentence={sentence} encoded={result.bert} masked={masked} onToggleMask={toggleMask} />
          )}
          {ready !== null && models.status === 'ready' && (
            <UnknownNotice
              sentence={sentence}
              bert={ready.bert}
              modelLabel={mainLabel}
              currentId={models.main.kind === 'hub' ? models.main.id : null}
              onSuggest={onSuggest}
            />
          )}
        </section>
        {ready !== null && result !== null && (
          <>
            <section className="panel" aria-labelledby="fill-heading">
              <h2 id="fill-heading">{t('section.fill')}</h2>
              <PanelBoundary resetKey={result}>
                <FillMaskPanel
                  sentence={sentence}
                  solo={result.models.twin === null}
                  encodedBert={result.bert}
                  encodedTwin={result.twin}
                  modelLabel={mainLabel}
                />
              </PanelBoundary>
            </section>
            <section className="panel" aria-labelledby="attention-heading">
              <h2 id="attention-heading">{t('section.attention')}</h2>
              <PanelBoundary resetKey={result}>
                <AttentionPanel
                  bert={result.bert}
                  twin={result.twin}
                  settings={state.attention}
                  onSettings={onAttention}
                  modelLabel={mainLabel}
                  whatIf={result.models.twin === null}
                />
              </PanelBoundary>
            </section>
            <section className="panel" aria-labelledby="architecture-heading">
              <h2 id="architecture-heading">{t('section.architecture')}</h2>
              <PanelBoundary resetKey={result}>
                <ArchitecturePanel
                  config={result.models.bert.config}
                  encoded={result.bert}
                  onOpenAttention={() => onAttention({ ...state.attention, view: 'heatmap' })}
                />
              </PanelBoundary>
            </section>
            <section className="panel" aria-labelledby="finetune-heading">
              <h2 id="finetune-heading">{t('section.finetune')}</h2>
              <StarterSetOffer key={ready.bert.location} bert={ready.bert} modelLabel={mainLabel} onReplaced={onExamplesReplaced} />
              <PanelBoundary resetKey={ready.bert}>
                {/* A new main model starts a new panel: the old one's runs stop (its hooks abort on unmount), none finish under the new name. */}
                <FineTunePanel key={`${ready.bert.location}\n${examplesVersion}`} bert={ready.bert} twin={ready.twin} modelLabel={mainLabel} />
              </PanelBoundary>
            </section>
          </>
        )}
        <section className="panel" aria-labelledby="lab-heading"><h2 id="lab-heading">{t('lab.section')}</h2><PanelBoundary><PretrainPanel /></PanelBoundary></section>
      </main>
    </div>
  );
}

/** Tokens the model read and the characters they cover, when the sentence was cut to fit its positions; else null. */
/** The model's reading of a cut sentence: tokens read, characters they cover, characters left over. */
function readPart(encoded: Encoded, sentence: string): { tokens: number; chars: number; rest: number } | null {
  if (!encoded.truncated) return null;
  return { tokens: encoded.ids.length, chars: sentence.length - encoded.droppedChars, rest: encoded.droppedChars };
}

function ModelStatus({ state }: { state: ReturnType<typeof useModels> }) {
  const t = useT();
  if (state.status === 'ready') return null;
  if (state.status === 'error') {
    return (
      <p className="notice notice-error" role="alert">
        {t('models.error', { message: state.message })}
      </p>
    );
  }
  const parts = Object.entries(state.status === 'loading' ? state.progress : {});
  const loaded = parts.reduce((s, [, p]) => s + p.loaded, 0);
  const total = parts.reduce((s, [, p]) => s + (p.total ?? 0), 0);
  return (
    <p className="notice" role="status">
      {t('models.loading')}{' '}
      {total > 0 && <progress max={total} value={loaded} aria-label={t('models.download')} />}
    </p>
  );
}
