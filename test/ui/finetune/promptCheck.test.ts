import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PATTERN, WordPieceTokenizer } from '../../../src/engine';
import { MESSAGES } from '../../../src/ui/i18n';
import { checkPattern, checkVerbalizer, defaultPatternFor, firstSentence, KOREAN_PATTERN } from '../../../src/ui/finetune/promptCheck';

const tokenizer = WordPieceTokenizer.fromVocabText(readFileSync('public/weights/bert-mini/vocab.txt', 'utf8'));
const labels = ['positive', 'negative'];

describe('checkPattern', () => {
  it('accepts the default pattern, for both models', () => {
    expect(checkPattern(tokenizer, DEFAULT_PATTERN, false)).toBeNull();
    expect(checkPattern(tokenizer, DEFAULT_PATTERN, true)).toBeNull();
  });
  it('names what is wrong: no {text}, no [MASK], two [MASK]s', () => {
    expect(checkPattern(tokenizer, 'It was [MASK].', false)?.key).toBe('fs.err.noText');
    expect(checkPattern(tokenizer, '{text} and {text} [MASK]', false)?.key).toBe('fs.err.twoTexts');
    expect(checkPattern(tokenizer, '{text} It was great.', false)).toEqual({ key: 'fs.err.noMask', params: { mask: '[MASK]' } });
    expect(checkPattern(tokenizer, '{text} It was [MASK] and [MASK].', false)).toEqual({
      key: 'fs.err.manyMasks',
      params: { mask: '[MASK]', count: 2 },
    });
  });
  it('refuses a blank before the sentence for the left-to-right twin only', () => {
    expect(checkPattern(tokenizer, '[MASK]: {text}', false)).toBeNull();
    expect(checkPattern(tokenizer, '[MASK]: {text}', true)?.key).toBe('fs.err.maskFirst');
    expect(checkPattern(tokenizer, 'So,[MASK]! {text}', true)?.key).toBe('fs.err.maskFirst');
    expect(checkPattern(tokenizer, '{text} So,[MASK]!', true)).toBeNull();
    // Only the pattern's blank counts: "[mask]" is ordinary text ("[", "mask", "]") for the tokenizer.
    expect(checkPattern(tokenizer, '[mask] {text} It was [MASK].', true)).toBeNull();
  });
});

describe('checkVerbalizer', () => {
  it('empty means "find the words in the examples"', () => {
    expect(checkVerbalizer(tokenizer, labels, '  ')).toEqual({ verbalizer: null, problem: null });
  });
  it('reads label=word,word;…', () => {
    expect(checkVerbalizer(tokenizer, labels, 'positive=good, great; negative=bad')).toEqual({
      verbalizer: { positive: ['good', 'great'], negative: ['bad'] },
      problem: null,
    });
  });
  it('says which word is several pieces, and what the pieces are', () => {
    expect(checkVerbalizer(tokenizer, labels, 'positive=good,marvellous;negative=bad').problem).toEqual({
      key: 'fs.err.multiPiece',
      params: { word: 'marvellous', label: 'positive', count: 4, pieces: 'mar ##vel ##lo ##us' },
    });
  });
  it('names a missing label, an unknown label, an unknown word, a shared word, a bad format', () => {
    expect(checkVerbalizer(tokenizer, labels, 'positive=good').problem?.key).toBe('fs.err.noWords');
    expect(checkVerbalizer(tokenizer, labels, 'positive=good;negative=bad;neutral=okay').problem?.key).toBe('fs.err.unknownLabel');
    expect(checkVerbalizer(tokenizer, labels, 'positive=good;negative=좋다').problem?.key).toBe('fs.err.unknownWord');
    expect(checkVerbalizer(tokenizer, labels, 'positive=good;negative=bad,good').problem?.key).toBe('fs.err.sharedWord');
    expect(checkVerbalizer(tokenizer, labels, 'positive good').problem?.key).toBe('fs.err.format');
  });
  it('every problem is a message in both languages', () => {
    for (const key of ['fs.err.noText', 'fs.err.twoTexts', 'fs.err.noMask', 'fs.err.manyMasks', 'fs.err.maskFirst', 'fs.err.engine', 'fs.err.format', 'fs.err.unknownLabel', 'fs.err.noWords', 'fs.err.multiPiece', 'fs.err.unknownWord', 'fs.err.sharedWord']) {
      expect(key in MESSAGES.en, key).toBe(true);
      expect(key in MESSAGES.ko, key).toBe(true);
    }
  });
});

describe('defaultPatternFor', () => {
  it('is Korean for Korean examples, else the given pattern', () => {
    expect(defaultPatternFor(['정말 좋았다.', '별로였다.', 'OK'], DEFAULT_PATTERN)).toBe(KOREAN_PATTERN);
    expect(defaultPatternFor(['Great.', '별로였다.', 'Bad.'], DEFAULT_PATTERN)).toBe(DEFAULT_PATTERN);
    expect(defaultPatternFor([], DEFAULT_PATTERN)).toBe(DEFAULT_PATTERN);
  });
});

describe('firstSentence', () => {
  it('is the first example, else a sentence in the pattern language', () => {
    expect(firstSentence(['', ' 정말 좋았다', 'fine'], DEFAULT_PATTERN)).toBe(' 정말 좋았다');
    expect(firstSentence([], DEFAULT_PATTERN)).toBe('The film was a delight.');
    expect(firstSentence([], KOREAN_PATTERN)).toMatch(/\p{Script=Hangul}/u);
  });
});
