import { useMemo } from 'react';
import { readsText } from '../engine/pure';
import type { ModelHandle } from './engineClient';
import { EXAMPLE_SENTENCES, type SentenceLanguage } from './exampleSentences';
import { useT } from './i18n';

const LANGUAGES: SentenceLanguage[] = ['ko', 'en'];

/** The prepared-sentence languages a model can read: Korean ones only for a model with Hangul pieces. */
export function languagesRead(bert: ModelHandle): SentenceLanguage[] {
  return LANGUAGES.filter((lang) => readsText(bert.tokenizer, EXAMPLE_SENTENCES[lang][0]));
}

/** One-click prepared sentences in the languages the main model reads. */
export function ExampleSentences({ bert, onPick }: { bert: ModelHandle; onPick: (sentence: string) => void }) {
  const t = useT();
  const languages = useMemo(() => languagesRead(bert), [bert]);
  if (languages.length === 0) return null;
  return (
    <div className="example-sentences" role="group" aria-label={t('exs.label')} data-testid="example-sentences">
      <span className="model-hint">{t('exs.try')}</span>
      {languages.flatMap((lang) =>
        EXAMPLE_SENTENCES[lang].map((sentence) => (
          <button key={sentence} type="button" lang={lang} onClick={() => onPick(sentence)} className="example-sentence">
            {sentence}
          </button>
        )),
      )}
    </div>
  );
}
