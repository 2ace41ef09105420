/**
 * The language the page speaks: a provider that remembers the choice
 * (localStorage, starting from the browser's language), `useT()` for the
 * current language's lookup, and the visible switch. The strings themselves
 * are in en.ts and ko.ts; the lookup in translate.ts.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { readStored, StoredValueError, writeStored } from '../storedValue';
import { LANGS, translate, type Lang, type MessageKey, type Translate } from './translate';

export * from './translate';

const STORAGE_KEY = 'bert-playground.lang';

function initialLang(): Lang {
  const lang = (raw: string): Lang => {
    const found = LANGS.find((l) => l.id === raw);
    if (found === undefined) throw new StoredValueError(`"${raw.slice(0, 40)}" is not a language of this page`);
    return found.id;
  };
  const saved = readStored(STORAGE_KEY, lang);
  if (saved !== null) return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({ lang: 'en', setLang: () => {} });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    writeStored(STORAGE_KEY, next); // when refused, not remembered this time; the switch still works
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): { lang: Lang; setLang: (lang: Lang) => void } {
  return useContext(LangContext);
}

export function useT(): Translate {
  const { lang } = useContext(LangContext);
  return useCallback((key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params), [lang]);
}

/** The visible language switch (a labelled select, reachable by keyboard). */
export function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const t = useT();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t('app.language')}</span>
      <select aria-label={`${t('app.language')} / Language`} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
