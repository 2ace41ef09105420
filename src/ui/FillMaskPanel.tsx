import { useMemo } from 'react';
import { topK, type Bert, type Encoded } from '../engine/bert';
import { barsView } from '../viz/bars';
import { D3View } from './D3View';

interface Props {
  sentence: string;
  bert: Bert;
  twin: Bert;
  encodedBert: Encoded;
  encodedTwin: Encoded;
}

const K = 5;

/**
 * For every [MASK]: BERT-mini's guesses (it reads the words on both sides)
 * next to the causal twin's (it has read only the words to the left).
 */
export function FillMaskPanel({ sentence, bert, twin, encodedBert, encodedTwin }: Props) {
  const rows = useMemo(
    () =>
      encodedBert.lm.map((scores) => {
        const twinScores = encodedTwin.lm.find((s) => s.position === scores.position);
        const offsets = encodedBert.offsets[scores.position];
        const typed = offsets[1] > offsets[0] ? sentence.slice(...offsets) : null;
        const original = typed === null || typed === '[MASK]' ? null : typed; // a clicked chip, not a typed [MASK]
        return {
          position: scores.position,
          original,
          bert: topK(bert, scores.logits, K),
          twin: twinScores ? topK(twin, twinScores.logits, K) : [],
        };
      }),
    [encodedBert, encodedTwin, bert, twin, sentence],
  );
  if (rows.length === 0) {
    return (
      <p className="hint">
        Click a token above, or type <code>[MASK]</code> in the sentence, to hide a word and see what each model guesses.
      </p>
    );
  }
  return (
    <div className="fillmask">
      <p className="explain">
        BERT reads the whole sentence at once, so it can use the words <em>after</em> the blank too; the causal twin
        (same size, same data, GPT-style) has only seen the words before it. That is why BERT is usually surer.
      </p>
      {rows.map((row) => (
        <div key={row.position} className="fillmask-row" data-testid="fill-mask-row">
          <h3>
            Token {row.position}
            {row.original !== null && (
              <>
                {' '}
                (was “<span className="original">{row.original}</span>”)
              </>
            )}
          </h3>
          <div className="fillmask-pair">
            <section aria-label={`BERT-mini predictions for token ${row.position}`} data-testid="predictions-bidirectional">
              <h4>BERT-mini · bidirectional</h4>
              <D3View view={barsView} data={row.bert} options={{}} label={`BERT-mini guesses for token ${row.position}`} exportable={false} />
            </section>
            <section aria-label={`Causal twin predictions for token ${row.position}`} data-testid="predictions-causal">
              <h4>Causal twin · left context only</h4>
              <D3View view={barsView} data={row.twin} options={{}} label={`Causal twin guesses for token ${row.position}`} exportable={false} />
            </section>
          </div>
        </div>
      ))}
    </div>
  );
}
