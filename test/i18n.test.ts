import { describe, expect, it } from 'vitest';
import { MESSAGES, translate, type MessageKey } from '../src/ui/i18n';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  it('Korean has every English message, with the same placeholders, and none left empty', () => {
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    expect(Object.keys(MESSAGES.ko).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(placeholders(MESSAGES.ko[key]), key).toEqual(placeholders(MESSAGES.en[key]));
      expect(MESSAGES.ko[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'fill.token', { index: 3 })).toBe('Token 3');
    expect(translate('ko', 'fill.token', { index: 3 })).toBe('3번 토큰');
    expect(translate('en', 'fill.token')).toBe('Token {index}');
  });
});
