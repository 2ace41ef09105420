import { describe, expect, it } from 'vitest';
import { translate, type Translate } from '../../../src/ui/i18n';
import { engineMessage } from '../../../src/ui/finetune/engineMessage';

const ko: Translate = (key, params) => translate('ko', key, params);
const en: Translate = (key, params) => translate('en', key, params);

describe('engineMessage', () => {
  it('says the zero-shot "no words are known" case in the page language, with the labels', () => {
    const raw = 'no words are known for the labels "기쁨", "슬픔": give a verbalizer (label=word,word;…) or examples to search for words';
    const said = engineMessage(ko, raw);
    expect(said).toBe(translate('ko', 'fs.err.noKnownWords', { labels: '"기쁨", "슬픔"' }));
    expect(said).toContain('레이블 단어');
    expect(engineMessage(en, raw)).toContain('Label words');
  });

  it('says "verbalizer search found no words" in the page language', () => {
    const raw = 'verbalizer search found no words for some label: give a verbalizer (label=word,word;…)';
    expect(engineMessage(ko, raw)).toBe(translate('ko', 'fs.err.searchNone'));
  });

  it('passes any other message through unchanged', () => {
    expect(engineMessage(ko, 'the pattern "x" has no {text} where the sentence goes')).toBe('the pattern "x" has no {text} where the sentence goes');
  });
});
