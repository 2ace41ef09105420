/**
 * The two languages and the one function that turns a key into text. Pure (no
 * React), so src/viz and the tests can use the same lookup the panels use.
 */
import { en, type MessageKey } from './en';
import { ko } from './ko';

export type { MessageKey };

export type Lang = 'en' | 'ko';
export const LANGS: { id: Lang; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'ko', name: '한국어' },
];

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, ko };

export type Params = Record<string, string | number>;

/** What a panel or a drawing asks for text with: a key and its placeholders' values. */
export type Translate = (key: MessageKey, params?: Params) => string;

/** The message in `lang`, with {placeholders} filled in; unknown ones stay visible. */
export function translate(lang: Lang, key: MessageKey, params: Params = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** `translate` with the language fixed: what views get outside React (tests, exports). */
export function translatorFor(lang: Lang): Translate {
  return (key, params) => translate(lang, key, params);
}
