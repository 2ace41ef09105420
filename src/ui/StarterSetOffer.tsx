import { useMemo, useState } from 'react';
import { readsText } from '../engine/pure';
import type { ModelHandle } from './engineClient';
import {
  DEFAULT_LABELS,
  KOREAN_LABELS,
  KOREAN_STARTER_EXAMPLES,
  loadStoredExamples,
  saveExamples,
  STARTER_EXAMPLES,
  type Example,
  type StoredExamples,
} from './examples';
import { EXAMPLE_SENTENCES } from './exampleSentences';
import { mostlyHangul } from './finetune/promptCheck';
import { useT } from './i18n';

type StarterLanguage = 'ko' | 'en';

/** The language of a set of examples: Korean when most of them contain Hangul. */
export function examplesLanguage(examples: readonly Example[]): StarterLanguage {
  return mostlyHangul(examples.map((e) => e.text)) ? 'ko' : 'en';
}

function starterSet(lang: StarterLanguage): StoredExamples {
  return lang === 'ko'
    ? { labels: [...KOREAN_LABELS], examples: KOREAN_STARTER_EXAMPLES.map((e) => ({ ...e })) }
    : { labels: [...DEFAULT_LABELS], examples: STARTER_EXAMPLES.map((e) => ({ ...e })) };
}

/**
 * Offers the starter set in the language the main model reads, when the
 * fine-tuning table holds the other one: Korean examples for a model with
 * Hangul pieces, English ones again for a model without. The table belongs to
 * the fine-tuning panel, which reads the examples when it mounts — `onReplaced`
 * remounts it. The class's own examples can be brought back with Undo.
 */
export function StarterSetOffer({ bert, modelLabel, onReplaced }: { bert: ModelHandle; modelLabel: string; onReplaced: () => void }) {
  const t = useT();
  const [undo, setUndo] = useState<{ previous: StoredExamples; lang: StarterLanguage } | null>(null);
  const [version, setVersion] = useState(0);
  const reads = useMemo(
    () => ({ ko: readsText(bert.tokenizer, EXAMPLE_SENTENCES.ko[0]), en: readsText(bert.tokenizer, EXAMPLE_SENTENCES.en[0]) }),
    [bert],
  );
  // Read when the model (or our own replacement) changes, not per render: the panel owns the table.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stored = useMemo(() => examplesLanguage(loadStoredExamples().examples), [bert, version]);
  const want: StarterLanguage | null = reads.ko && stored !== 'ko' ? 'ko' : !reads.ko && reads.en && stored === 'ko' ? 'en' : null;

  const replace = (lang: StarterLanguage) => {
    setUndo({ previous: loadStoredExamples(), lang });
    saveExamples(starterSet(lang));
    setVersion((v) => v + 1);
    onReplaced();
  };
  const restore = () => {
    if (undo === null) return;
    saveExamples(undo.previous);
    setUndo(null);
    setVersion((v) => v + 1);
    onReplaced();
  };

  if (undo !== null) {
    return (
      <p className="notice" role="status" data-testid="starter-offer">
        {t(undo.lang === 'ko' ? 'starter.replaced.ko' : 'starter.replaced.en')}{' '}
        <button type="button" onClick={restore}>
          {t('starter.undo')}
        </button>
      </p>
    );
  }
  if (want === null) return null;
  return (
    <p className="notice" data-testid="starter-offer">
      {t(want === 'ko' ? 'starter.offer.ko' : 'starter.offer.en', { model: modelLabel })}{' '}
      <button type="button" onClick={() => replace(want)}>
        {t(want === 'ko' ? 'starter.use.ko' : 'starter.use.en', { count: want === 'ko' ? KOREAN_STARTER_EXAMPLES.length : STARTER_EXAMPLES.length })}
      </button>
    </p>
  );
}
