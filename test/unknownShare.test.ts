import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WordPieceTokenizer } from '../src/engine/tokenizer/tokenizer';
import { readsText, scriptOf, UNKNOWN_NOTICE_SHARE, unknownShare } from '../src/engine/tokenizer/unknownShare';

const shipped = WordPieceTokenizer.fromVocabText(readFileSync('public/weights/bert-mini/vocab.txt', 'utf8'));
/** A Korean vocabulary, cased like klue/bert-base (do_lower_case false). */
const korean = WordPieceTokenizer.fromVocabText(
  ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', '나', '##는', '이', '영화', '##를', '정말', '좋아', '##했다'].join('\n'),
  { doLowerCase: false },
);

function share(tokenizer: WordPieceTokenizer, text: string) {
  const { tokens, offsets } = tokenizer.tokenize(text);
  return unknownShare(text, tokens, offsets);
}

describe('the [UNK] share of a sentence', () => {
  it('a Hangul sentence on the English vocabulary: five of six pieces unknown, all Hangul', () => {
    const r = share(shipped, '나는 이 영화를 정말 좋아했다.');
    expect(r).toMatchObject({ pieces: 6, unknown: 5, notice: true });
    expect(r.share).toBeCloseTo(5 / 6);
    expect(r.scripts).toEqual([{ script: 'hangul', chars: 12 }]); // 2 + 1 + 3 + 2 + 4 syllables; the full stop is no script
  });

  it('the same sentence on a vocabulary with Hangul pieces: nothing unknown, no notice', () => {
    const r = share(korean, '나는 이 영화를 정말 좋아했다.');
    expect(r).toEqual({ pieces: 9, unknown: 0, share: 0, scripts: [], notice: false });
  });

  it('why klue/bert-base and mBERT are the cased models: lower-casing strips accents with NFD, cutting Hangul into jamo', () => {
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', '나', '##는', '이', '영화', '##를', '정말', '좋아', '##했다'];
    const uncased = WordPieceTokenizer.fromVocabText(vocab.join('\n')); // BERT's default: do_lower_case true
    expect(share(uncased, '나는 이 영화를 정말 좋아했다.')).toMatchObject({ unknown: 5, notice: true });
    expect(uncased.tokenize('나').tokens).toEqual(['[UNK]']);
  });

  it('an English sentence: no notice', () => {
    expect(share(shipped, 'The man went to the store.')).toMatchObject({ unknown: 0, notice: false });
  });

  it('the threshold: one unknown piece in four shows the notice, one in five does not', () => {
    const tokens = (n: number, unk: number) => Array.from({ length: n }, (_, i) => (i < unk ? '[UNK]' : 'w'));
    const text = 'abcdefgh';
    const offsets = (n: number) => Array.from({ length: n }, (_, i): [number, number] => [i, i + 1]);
    expect(unknownShare(text, tokens(4, 1), offsets(4)).notice).toBe(true);
    expect(unknownShare(text, tokens(5, 1), offsets(5)).notice).toBe(false);
    expect(UNKNOWN_NOTICE_SHARE).toBe(0.25);
  });

  it('an emoji in a long English sentence is read around; a sentence of emoji is not', () => {
    expect(share(shipped, 'We went to the beach and it was lovely 😀').notice).toBe(false);
    const r = share(shipped, 'so good 👍🏽👍');
    expect(r.notice).toBe(true);
    expect(r.scripts).toEqual([{ script: 'emoji', chars: 2 }]); // the skin-tone modifier is not counted
  });

  it('names the script that most of the unknown characters are in', () => {
    expect(share(shipped, 'Привет, мир').scripts[0].script).toBe('cyrillic');
    // Han ideographs are split one per piece (BERT's CJK rule); kana stay one word.
    const r = share(shipped, '日本語です');
    expect(r.unknown).toBe(4);
    expect(r.scripts).toEqual([
      { script: 'han', chars: 3 },
      { script: 'kana', chars: 2 },
    ]);
  });

  it('typed special tokens are not pieces of the sentence, and an empty sentence has none', () => {
    const r = share(shipped, '나는 [MASK] 좋아했다');
    expect(r).toMatchObject({ pieces: 2, unknown: 2, notice: true });
    expect(share(shipped, '')).toEqual({ pieces: 0, unknown: 0, share: 0, scripts: [], notice: false });
    expect(share(shipped, '[UNK]').pieces).toBe(0);
  });

  it('scriptOf: neutral characters have no script', () => {
    expect(scriptOf(' ')).toBeNull();
    expect(scriptOf('!')).toBeNull();
    expect(scriptOf('\u200d')).toBeNull(); // zero-width joiner
    expect(scriptOf('한')).toBe('hangul');
    expect(scriptOf('ㄱ')).toBe('hangul'); // a compatibility jamo
    expect(scriptOf('α')).toBe('greek');
    expect(scriptOf('☃')).toBe('emoji');
    expect(scriptOf('5')).toBe('other');
  });

  it('readsText: which vocabularies can read a Korean sentence', () => {
    expect(readsText(shipped, '나는 이 영화를 정말 좋아했다.')).toBe(false);
    expect(readsText(korean, '나는 이 영화를 정말 좋아했다.')).toBe(true);
    expect(readsText(shipped, 'The cat sat on the mat.')).toBe(true);
  });
});
