import { useMemo } from 'react';
import type { Script } from '../engine';
import { formatBytes, unknownShare } from '../engine/pure';
import type { ModelHandle } from './engineClient';
import { useLang, useT, type MessageKey } from './i18n';
import { LANGUAGE_NAME, modelsFor } from './suggestedModels';

interface Props {
  sentence: string;
  /** The main model: its tokenizer decides what is [UNK]. */
  bert: ModelHandle;
  modelLabel: string;
  /** The main model's hub id, when it came from the hub: not suggested again. */
  currentId: string | null;
  /** Check a suggested model's size and offer it, as the model picker does (after any download under way). */
  onSuggest: (id: string) => void;
}

const SCRIPT_NAME: Record<Script, MessageKey> = {
  hangul: 'script.hangul',
  han: 'script.han',
  kana: 'script.kana',
  cyrillic: 'script.cyrillic',
  greek: 'script.greek',
  arabic: 'script.arabic',
  hebrew: 'script.hebrew',
  thai: 'script.thai',
  devanagari: 'script.devanagari',
  latin: 'script.latin',
  emoji: 'script.emoji',
  other: 'script.other',
};


/**
 * When much of the sentence became [UNK], say why — the model's vocabulary has
 * no pieces for that script — and offer models whose vocabularies do. The rule
 * is the engine's (unknownShare); this only words it.
 */
export function UnknownNotice({ sentence, bert, modelLabel, currentId, onSuggest }: Props) {
  const t = useT();
  const { lang } = useLang();
  // The raw sentence, not the run's encoding: a clicked [MASK] chip hides what was unknown under it.
  const report = useMemo(() => {
    // Only as far as the model reads: a 1 MB paste costs what its first positions cost.
    const { tokens, offsets } = bert.tokenizer.tokenizePrefix(sentence, { maxPieces: bert.tokenizer.maxLength, maxChars: bert.tokenizer.readLimitChars() });
    return unknownShare(sentence, tokens, offsets, bert.tokenizer.idToToken(bert.tokenizer.unkId));
  }, [bert, sentence]);
  if (!report.notice) return null;
  const script = report.scripts[0]?.script ?? 'other';
  const scriptName = t(SCRIPT_NAME[script]);
  const offers = modelsFor(script, currentId);
  return (
    <div className="notice notice-vocab" role="status" aria-label={t('unk.label')} data-testid="unknown-notice">
      <p>
        <strong>{t('unk.count', { unknown: report.unknown, pieces: report.pieces })}</strong>{' '}
        {t('unk.noPieces', { model: modelLabel, script: scriptName })}
      </p>
      <p>{t('unk.why', { vocab: bert.tokenizer.vocabSize.toLocaleString(lang) })}</p>
      {offers.length > 0 ? (
        <>
          <p>{t('unk.offer', { script: scriptName })}</p>
          <ul className="suggestions">
            {offers.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  onClick={() => onSuggest(m.id)}
                  aria-label={t('sm.check', { id: m.id })}
                  data-testid="unknown-suggestion"
                >
                  {m.id}
                </button>{' '}
                <span className="model-hint">
                  {t(LANGUAGE_NAME[m.language])} · ~{formatBytes(m.approxBytes)} · {m.licence}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>{t('unk.none', { script: scriptName })}</p>
      )}
    </div>
  );
}
