import { describe, expect, it } from 'vitest';
import { MINI_CONFIG } from './fixtures/bertConfig';
import { MESSAGES, translate, type MessageKey } from '../src/ui/i18n';
import { BERT_BLOCKS, englishText, layoutArchitecture, shapesFor, type ArchitectureText } from '../src/viz/architecture';

const config = MINI_CONFIG;

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

describe('architecture figure text', () => {
  /** Every string the figure (and BERT's shape notes) asks for, with its English. */
  function requested(): Map<string, string> {
    const seen = new Map<string, string>();
    const text: ArchitectureText = (key, english, params) => {
      seen.set(key, english);
      return englishText(key, english, params);
    };
    for (const heads of [1, 4]) {
      layoutArchitecture({ layers: 4, heads, text });
      for (const b of BERT_BLOCKS) shapesFor(b, config, 9, undefined, text);
    }
    return seen;
  }

  it('every figure string is a message whose English is the figure’s own', () => {
    const seen = requested();
    expect(seen.size).toBeGreaterThan(60);
    for (const [key, english] of seen) {
      expect(key in MESSAGES.en, key).toBe(true);
      expect(MESSAGES.en[key as MessageKey], key).toBe(english);
    }
  });

  it('draws in Korean when given Korean text, and the Korean labels fit their blocks', () => {
    const ko: ArchitectureText = (key, _english, params) => translate('ko', key as MessageKey, params);
    const layout = layoutArchitecture({ layers: 4, heads: 4, text: ko });
    expect(layout.title).toBe(MESSAGES.ko['arch.title']);
    const attn = layout.blocks.find((b) => b.id === 'bert-attention');
    expect(attn?.label).toBe('셀프 어텐션');
    expect(attn?.sublabel).toBe('헤드 4개, 양방향');
    expect(attn?.ariaLabel).toBe('BERT: 셀프 어텐션, 헤드 4개, 양방향');
    expect(layout.blocks.find((b) => b.id === 'bert-layer')?.label).toBe('4 × 인코더 층');
    expect(layout.labels.map((l) => l.text)).toEqual(['인코더 출력']);
    // Hangul is about 1 em wide, other characters about 0.6 em.
    const width = (s: string, size: number) => [...s].reduce((w, c) => w + (/[\uac00-\ud7a3]/.test(c) ? 1 : 0.6) * size, 0);
    const small = Math.round(layout.fontSize * 0.82);
    for (const b of layout.blocks) {
      expect(width(b.label, b.width < 150 ? small : layout.fontSize), b.id).toBeLessThan(b.width);
      if (b.kind !== 'layer') expect(width(b.sublabel, small), b.id).toBeLessThan(b.width);
    }
    const notes = shapesFor('attention', config, 9, undefined, ko);
    expect(notes.find((r) => r.name === 'attention_probs')?.note).toBe('키에 대한 softmax; 층마다 하나 (4개)');
  });
});
