import type { Encoded } from '../engine';
import { useT } from './i18n';

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
  const t = useT();
  return (
    <div className="chips-wrap">
      <ol className="chips" aria-label={t('chips.label')}>
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
          const title = `id ${encoded.ids[i]}${continuation ? ` · ${t('chips.continues')}` : ''}${added ? ` · ${t('chips.added')}` : ''}`;
          return (
            <li key={i} className={classes}>
              <button
                type="button"
                title={title}
                disabled={added}
                aria-pressed={added ? undefined : isMasked}
                aria-label={`${t('chips.token', { token, index: i, id: encoded.ids[i] })}${added ? '' : `, ${t(isMasked ? 'chips.clickToUnmask' : 'chips.clickToMask')}`}`}
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
    </div>
  );
}
