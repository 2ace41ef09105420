/**
 * Prepared sentences for the explorer, per language, written for this project.
 * The first of each language is its probe: a model "reads" the language when
 * that sentence keeps most of its pieces (readsText in engine/tokenizer/unknownShare.ts).
 * A chosen sentence goes into the URL like a typed one (`?text=`), Hangul included.
 */

export type SentenceLanguage = 'en' | 'ko';

export const EXAMPLE_SENTENCES: Record<SentenceLanguage, readonly string[]> = {
  en: [
    'The cat sat on the mat.',
    'The man went to the [MASK] to buy a gallon of milk.',
    'She opened the window because the room was too [MASK].',
    'The bank of the river was covered in flowers.',
  ],
  ko: [
    '나는 이 영화를 정말 좋아했다.',
    // Fill-in-the-blank: a Korean model should guess 수도 (capital).
    '서울은 대한민국의 [MASK]이다.',
    '아침에 따뜻한 [MASK]를 한 잔 마셨다.',
    // 배 is a belly, a boat or a pear: which words does it attend to in each sentence?
    '배가 아파서 병원에 갔다.',
    '배를 타고 작은 섬에 갔다.',
  ],
};
