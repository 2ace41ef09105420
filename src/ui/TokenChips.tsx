import type { Encoded } from '../engine/bert';

interface Props {
  sentence: string;
  encoded: Encoded;
  masked: readonly number[];
  onToggleMask: (position: number) => void;
}

const SPECIAL = new Set(['[CLS]', '[SEP]', '[PAD]', '[UNK]', '[MASK]']);

/**
 * The WordPiece tokens as chips. A `##` piece is drawn glued to the piece before
 * it, so students see one word split into pieces. Clicking a chip masks it.
 */
export function TokenChips({ sentence, encoded, masked, onToggleMask }: Props) {
  return (
    <div className="chips-wrap">
      <ol className="chips" aria-label="WordPiece tokens">
        {encoded.tokens.map((token, i) => {
          const added = encoded.specialTokensMask[i] === 1; // [CLS]/[SEP] added by the tokenizer
          const continuation = token.startsWith('##');
          const isMasked = masked.includes(i);
          const classes = [
            'chip',
            continuation ? 'chip-cont' : '',
            SPECIAL.has(token) ? `chip-special chip-${token.slice(1, -1).toLowerCase()}` : '',
            isMasked ? 'chip-masked' : '',
          ].join(' ');
          const title = `id ${encoded.ids[i]}${continuation ? ' · continues the word before' : ''}${added ? ' · added by the tokenizer' : ''}`;
          return (
            <li key={i} className={classes}>
              <button
                type="button"
                title={title}
                disabled={added}
                aria-pressed={added ? undefined : isMasked}
                aria-label={`${token}, token ${i}, id ${encoded.ids[i]}${added ? '' : isMasked ? ', masked: click to unmask' : ', click to mask'}`}
                onClick={() => onToggleMask(i)}
                data-testid="token-chip"
              >
                {token}
                {isMasked && <s className="chip-original">{sentence.slice(...encoded.offsets[i])}</s>}
              </button>
            </li>
          );
        })}
      </ol>
      {encoded.truncated && (
        <p className="notice" role="status">
          The sentence is longer than the model can read ({encoded.ids.length} tokens); the rest was cut off.
        </p>
      )}
    </div>
  );
}
