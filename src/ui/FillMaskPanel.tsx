import { useMemo } from 'react';
import type { Encoded } from '../engine';
import { cutMask } from '../engine/pure';
import { barsView } from '../viz/bars';
import { D3View } from './D3View';
import { useT } from './i18n';

interface Props {
  sentence: string;
  /** True when the main model has no causal twin: then there is one column. */
  solo: boolean;
  /** Its guesses arrive decoded (Encoded.lm[].predictions): the panel only lays them out. */
  encodedBert: Encoded;
  /** null while the twin has not run yet for this sentence. */
  encodedTwin: Encoded | null;
  /** The main model's name for headings: 'BERT-mini', or the checkpoint the class loaded. */
  modelLabel: string;
}


/**
 * For every [MASK]: BERT-mini's guesses (it reads the words on both sides)
 * next to the causal twin's (it has read only the words to the left). A loaded
 * model has no twin, so it stands alone, with a line saying why.
 */
export function FillMaskPanel({ sentence, solo, encodedBert, encodedTwin, modelLabel }: Props) {
  const t = useT();
  const barOptions = useMemo(() => ({ text: t }), [t]);
  const rows = useMemo(
    () =>
      encodedBert.lm.map((scores) => {
        const twinScores = encodedTwin?.lm.find((s) => s.position === scores.position);
        const offsets = encodedBert.offsets[scores.position];
        const typed = offsets[1] > offsets[0] ? sentence.slice(...offsets) : null;
        const original = typed === null || typed === '[MASK]' ? null : typed; // a clicked chip, not a typed [MASK]
        return {
          position: scores.position,
          original,
          bert: scores.predictions,
          twin: !solo && twinScores ? twinScores.predictions : [],
        };
      }),
    [encodedBert, encodedTwin, solo, sentence],
  );
  if (rows.length === 0) {
    // A typed [MASK] past the model's positions was cut off with the rest: say so, not "type a [MASK]".
    const cut = cutMask(sentence, encodedBert);
    if (cut !== null) {
      return (
        <p className="notice" role="status" data-testid="mask-cut">
          {t('fill.maskCut', { at: (cut + 1).toLocaleString('en-US'), positions: encodedBert.ids.length })}
        </p>
      );
    }
    return <p className="hint">{solo ? t('fill.hintSolo', { model: modelLabel }) : t('fill.hint')}</p>;
  }
  return (
    <div className="fillmask">
      <p className="explain">{solo ? t('fill.explainSolo', { model: modelLabel }) : t('fill.explain')}</p>
      {solo && (
        <p className="hint" data-testid="no-twin-note">
          {t('fill.noTwin', { model: modelLabel })}
        </p>
      )}
      {rows.map((row) => (
        <div key={row.position} className="fillmask-row" data-testid="fill-mask-row">
          <h3>
            {t('fill.token', { index: row.position })}
            {row.original !== null && ` ${t('fill.was', { word: row.original })}`}
          </h3>
          <div className={solo ? 'fillmask-pair fillmask-solo' : 'fillmask-pair'}>
            <section aria-label={t('fill.bertLabel', { index: row.position, model: modelLabel })} data-testid="predictions-bidirectional">
              <h4>{t('fill.bert', { model: modelLabel })}</h4>
              <D3View view={barsView} data={row.bert} options={barOptions} label={t('fill.bertLabel', { index: row.position, model: modelLabel })} exportable={false} />
            </section>
            {!solo && (
              <section aria-label={t('fill.twinLabel', { index: row.position })} data-testid="predictions-causal">
                <h4>{t('fill.twin')}</h4>
                <D3View view={barsView} data={row.twin} options={barOptions} label={t('fill.twinLabel', { index: row.position })} exportable={false} />
              </section>
            )}
          </div>
        </div>
      ))}
    </div>
  );
}
