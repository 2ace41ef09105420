import { useEffect, useMemo, useState } from 'react';
import type { Attributions, Classification, ClassifierHead } from '../../engine';
import { barsView } from '../../viz/bars';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import { engine, isCancel, type ModelHandle } from '../engineClient';


/** Type any sentence: label probabilities as bars, and which tokens moved the prediction (occlusion). */
export function PredictBox({ bert, head, initial }: { bert: ModelHandle; head: ClassifierHead; initial: string }) {
  const t = useT();
  const barOptions = useMemo(() => ({ text: t }), [t]);
  // The class's own first example (or a sentence in their language): never an English default on a Korean page.
  const [text, setText] = useState(initial);
  const [result, setResult] = useState<{ c: Classification; a: Attributions } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (text.trim() === '') return;
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const both = await engine().call('classifyWithAttributions', [bert.id, head, text], { models: [bert], channel: 'predict-head' });
        if (current) {
          setResult({ c: both.classification, a: both.attributions });
          setError(null);
        }
      } catch (e) {
        // Superseded by a newer sentence, or the model was replaced (a box for the new one follows).
        if (current && !isCancel(e)) setError(e instanceof Error ? e.message : String(e));
      }
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [bert, head, text]);

  const bars = result === null ? [] : head.labels.map((l) => ({ token: l, score: result.c.probs[l] }));
  const maxAbs = result === null ? 1 : Math.max(1e-6, ...result.a.scores.map(Math.abs));
  return (
    <div className="predict">
      <label>
        {t('pr.try')}{' '}
        <input type="text" value={text} onChange={(e) => setText(e.target.value)} aria-label={t('pr.input')} />
      </label>
      {error !== null && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {result !== null && (
        <>
          <p>
            {t('pr.prediction')} <strong data-testid="predicted-label">{result.c.label}</strong>
          </p>
          <D3View view={barsView} data={bars} options={barOptions} label={t('pr.probs')} exportable={false} />
          <p className="hint">{t('pr.influence.hint', { label: result.a.label })}</p>
          <ol className="chips" aria-label={t('pr.influence')}>
            {result.a.tokens.map((token, i) => {
              const s = result.a.scores[i] / maxAbs;
              const colour = s >= 0 ? `rgba(230, 159, 0, ${Math.abs(s)})` : `rgba(0, 114, 178, ${Math.abs(s)})`;
              return (
                <li key={i} className="chip">
                  <span className="chip-static" style={{ background: colour }} title={t('pr.points', { points: (result.a.scores[i] * 100).toFixed(1) })}>
                    {token}
                  </span>
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}
