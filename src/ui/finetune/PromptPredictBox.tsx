import { useEffect, useState } from 'react';
import type { Bert } from '../../engine/bert';
import { classifyPrompt, type PromptClassification, type PromptClassifier } from '../../engine/prompt';
import { barsView } from '../../viz/bars';
import { D3View } from '../D3View';
import { useT } from '../i18n';

const NO_OPTIONS = {};
/** Okabe–Ito: one colour per label (the label's name is written next to it too). */
export const LABEL_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#CC79A7', '#F0E442', '#D55E00', '#0072B2'];
export const labelColor = (labels: readonly string[], label: string) => LABEL_COLORS[Math.max(0, labels.indexOf(label)) % LABEL_COLORS.length];
const percent = (p: number) => `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`;

/**
 * Type a sentence: the pattern as the model reads it, the model's top guesses
 * for the blank with the label words highlighted, and the label each side wins.
 */
export function PromptPredictBox({ bert, classifier, causal }: { bert: Bert; classifier: PromptClassifier; causal: boolean }) {
  const t = useT();
  const [text, setText] = useState('The film was a delight.');
  const [result, setResult] = useState<PromptClassification | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (text.trim() === '') return;
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const [r] = await classifyPrompt(bert, classifier, [text], { topK: 10 });
        if (current) {
          setResult(r);
          setError(null);
        }
      } catch (e) {
        if (current) setError(e instanceof Error ? e.message : String(e));
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
        <input type="text" value={text} onChange={(e) => setText(e.target.value)} aria-label={t('fs.try.input')} />
      </label>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {error}
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
          <D3View view={barsView} data={bars} options={NO_OPTIONS} label={t('pr.probs')} exportable={false} />
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
                {result.wordProbabilities[l].map((w) => `${w.word} ${percent(w.probability)}`).join(', ')}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
