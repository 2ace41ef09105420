import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModelId } from '../src/engine/checkpoint/hub';
import { WordPieceTokenizer } from '../src/engine/tokenizer/tokenizer';
import { readsText } from '../src/engine/tokenizer/unknownShare';
import { EXAMPLE_SENTENCES } from '../src/ui/exampleSentences';
import { KOREAN_LABELS, KOREAN_STARTER_EXAMPLES, STARTER_EXAMPLES } from '../src/ui/examples';
import { MESSAGES } from '../src/ui/i18n';
import { examplesLanguage } from '../src/ui/StarterSetOffer';
import { modelsFor, SUGGESTED_MODELS } from '../src/ui/suggestedModels';
import { DEFAULT_ATTENTION, readViewState, writeViewState, type ViewState } from '../src/ui/urlState';

const HANGUL = /\p{Script=Hangul}/u;
const shipped = WordPieceTokenizer.fromVocabText(readFileSync('public/weights/bert-mini/vocab.txt', 'utf8'));

describe('suggested models', () => {
  it('are valid hub ids with a note in both languages', () => {
    for (const m of SUGGESTED_MODELS) {
      expect(parseModelId(m.id)).toBe(m.id);
      expect(MESSAGES.en[m.note], m.id).toBeTruthy();
      expect(MESSAGES.ko[m.note], m.id).toBeTruthy();
      expect(m.approxBytes).toBeGreaterThan(1e6);
    }
  });

  it('a Korean BERT and a multilingual one for Hangul; nothing for emoji; the loaded model is not offered again', () => {
    expect(modelsFor('hangul', null).map((m) => m.id)).toEqual(['klue/bert-base', 'google-bert/bert-base-multilingual-cased']);
    expect(modelsFor('hangul', 'klue/bert-base').map((m) => m.id)).toEqual(['google-bert/bert-base-multilingual-cased']);
    expect(modelsFor('emoji', null)).toEqual([]);
    expect(SUGGESTED_MODELS.filter((m) => m.language === 'en' && m.sizeClass === 'small')).toHaveLength(1);
  });
});

describe('Korean examples', () => {
  it('the prepared Korean sentences are Hangul, and the shipped English model cannot read them', () => {
    for (const s of EXAMPLE_SENTENCES.ko) expect(HANGUL.test(s), s).toBe(true);
    expect(readsText(shipped, EXAMPLE_SENTENCES.ko[0])).toBe(false);
    expect(readsText(shipped, EXAMPLE_SENTENCES.en[0])).toBe(true);
  });

  it('the Korean starter set: 20 긍정 and 20 부정, all Hangul, no repeats', () => {
    expect(KOREAN_LABELS).toEqual(['긍정', '부정']);
    for (const label of KOREAN_LABELS) expect(KOREAN_STARTER_EXAMPLES.filter((e) => e.label === label)).toHaveLength(20);
    expect(KOREAN_STARTER_EXAMPLES.every((e) => HANGUL.test(e.text))).toBe(true);
    expect(new Set(KOREAN_STARTER_EXAMPLES.map((e) => e.text)).size).toBe(KOREAN_STARTER_EXAMPLES.length);
  });

  it('tells a Korean set from an English one', () => {
    expect(examplesLanguage(KOREAN_STARTER_EXAMPLES)).toBe('ko');
    expect(examplesLanguage(STARTER_EXAMPLES)).toBe('en');
    expect(examplesLanguage([])).toBe('en');
  });

  it('the URL carries a Korean sentence (with a typed [MASK]) and the Korean model like English ones', () => {
    const defaults: ViewState = { sentence: 'default', masked: [], model: null, attention: DEFAULT_ATTENTION };
    const state: ViewState = { ...defaults, sentence: EXAMPLE_SENTENCES.ko[1], masked: [3], model: 'klue/bert-base' };
    const search = writeViewState(state, '?backend=cpu');
    expect(search).not.toMatch(HANGUL); // percent-encoded UTF-8, safe to paste anywhere
    expect(readViewState(search, defaults)).toEqual(state);
  });
});
