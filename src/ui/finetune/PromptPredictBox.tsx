import { Fragment, useEffect, useMemo, useState } from 'react';
import type { PromptClassification, PromptClassifier } from '../../engine';
import { barsView } from '../../viz/bars';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import { engine, isCancel, type ModelHandle } from '../engineClient';
import { engineMessage } from './engineMessage';

/** Okabe–Ito: one colour per label (the label's name is written next to it too). */
export const LABEL_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#F0E442', '#D55E00', '#0072B2'];
export const labelColor = (labels: readonly string[], label: string) => LABEL_COLORS[Math.max(0, labels.indexOf(label)) % LABEL_COLORS.length];
const percent = (p: number) => `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`;

interface Props {
  bert: ModelHandle;
  classifier: PromptClassifier;
  causal: boolean;
  /** The sentence, kept by the panel so that it survives the classifier changing (e.g. a new zero-shot measurement). */
  text: string;
  onText: (text: string) => void;
}

/**
 * Type a sentence: the pattern as the model reads it, the model's top guesses
 * for the blank with the label words highlighted, and the label each side wins.
 */
export function PromptPredictBox({ bert, classifier, causal, text, onText }: Props) {
  const t = useT();
  const barOptions = useMemo(() => ({ text: t }), [t]);
  const [classified, setClassified] = useState<PromptClassification | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  // An emptied box shows nothing (not the last sentence's result).
  const empty = text.trim() === '';
  const result = empty ? null : classified;
  const error = empty ? null : failed;
  useEffect(() => {
    if (text.trim() === '') return;
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const rows = await engine().call('classifyPrompt', [bert.id, classifier, [text], { topK: 10 }], { models: [bert], channel: 'predict-prompt' });
        if (current) {
          setClassified(rows[0]);
          setFailed(null);
        }
      } catch (e) {
        // Superseded by a newer sentence, or the model was replaced (a box for the new one follows).
        if (current && !isCancel(e)) setFailed(e instanceof Error ? e.message : String(e));
      }
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bert, classifier, text]);

  const { labels } = classifier;
  const bars = result === null ? [] : labels.map((l) => ({ token: l, score: result.probs[l] }));
  return (
    <div className="predict">
      <label>
        {t('pr.try')}{' '}
        <input type="text" value={text} onChange={(e) => onText(e.target.value)} aria-label={t('fs.try.input')} />
      </label>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {engineMessage(t, error)}
        </p>
      )}
      {result !== null && (
        <>
          <p>
            {t('fs.try.reads')} <q className="filled">{result.filled}</q>
            {result.truncated && ` ${t('fs.try.truncated')}`}
          </p>
          {causal && <p className="hint">{t('fs.try.causal')}</p>}
          <p>
            {t('pr.prediction')} <strong data-testid="prompt-label">{result.label}</strong>
          </p>
          <D3View view={barsView} data={bars} options={barOptions} label={t('pr.probs')} exportable={false} />
          <h4>{t('fs.try.guesses')}</h4>
          <p className="hint">{t('fs.try.guesses.hint')}</p>
          <ol className="chips" aria-label={t('fs.try.guesses')}>
            {result.guesses.map((g, i) => (
              <li key={i} className="chip">
                <span
                  className={`chip-static${g.label === null ? '' : ' chip-verbalizer'}`}
                  data-testid="mask-guess"
                  data-label={g.label ?? ''}
                  style={g.label === null ? undefined : { background: labelColor(labels, g.label) }}
                >
                  {g.token} <small>{percent(g.probability)}</small>
                  {g.label !== null && <small className="chip-label"> · {g.label}</small>}
                </span>
              </li>
            ))}
          </ol>
          <h4>{t('fs.try.words')}</h4>
          <ul className="verbalizer-words">
            {labels.map((l) => (
              <li key={l}>
                <span className="label-swatch" style={{ background: labelColor(labels, l) }} aria-hidden="true" /> <strong>{l}</strong>:{' '}
                {(result.wordProbabilities[l] ?? []).map((w, i) => (
                  <Fragment key={w.word}>
                    {i > 0 && ', '}
                    {w.found ? (
                      <em className="found-word" title={t('fs.try.foundTitle')} data-testid="found-word">
                        {w.word} {percent(w.probability)}
                      </em>
                    ) : (
                      `${w.word} ${percent(w.probability)}`
                    )}
                  </Fragment>
                ))}
              </li>
            ))}
          </ul>
          {labels.some((l) => (result.wordProbabilities[l] ?? []).some((w) => w.found)) && <p className="hint">{t('fs.try.found')}</p>}
        </>
      )}
    </div>
  );
}
