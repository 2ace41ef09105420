/**
 * The fine-tuning examples: a starter set written for this project, and local
 * persistence. Pasted or imported CSV/TSV is read by the engine's
 * parseExamples — the same reader as the CLI's, so a file reads alike in both.
 */
import type { LabelledExample } from '../engine';
import { defaultStore, parseJsonObject, readStored, type Store, StoredValueError, writeStored } from './storedValue';

export type { ParseProblem, ParseResult } from '../engine';
export { parseExamples } from '../engine/pure';

export type Example = LabelledExample;

/** Short, plain sentences a class can read aloud; none is taken from a dataset. */
export const STARTER_EXAMPLES: Example[] = [
  ['positive', 'I loved this film from start to finish.'],
  ['positive', 'What a wonderful, funny story.'],
  ['positive', 'The acting was brilliant and the music was beautiful.'],
  ['positive', 'Best meal I have had in years.'],
  ['positive', 'The staff were kind and very helpful.'],
  ['positive', 'This book made me smile all week.'],
  ['positive', 'A great phone for the price.'],
  ['positive', 'Fast delivery and it works perfectly.'],
  ['positive', 'I would happily watch it again.'],
  ['positive', 'The ending was moving and clever.'],
  ['positive', 'Our teacher explained it so clearly.'],
  ['positive', 'Lovely little hotel with a warm welcome.'],
  ['positive', 'The game is fun and easy to learn.'],
  ['positive', 'Everything about the trip was perfect.'],
  ['positive', 'Such a charming and gentle movie.'],
  ['positive', 'The soup was fresh and delicious.'],
  ['positive', 'I am really happy with this purchase.'],
  ['positive', 'An exciting adventure for the whole family.'],
  ['positive', 'The new update made the app much better.'],
  ['positive', 'She sings with a glorious voice.'],
  ['negative', 'I hated every minute of this film.'],
  ['negative', 'What a boring, slow story.'],
  ['negative', 'The acting was wooden and the music was awful.'],
  ['negative', 'Worst meal I have had in years.'],
  ['negative', 'The staff were rude and not helpful at all.'],
  ['negative', 'This book was a waste of time.'],
  ['negative', 'A terrible phone, even for the price.'],
  ['negative', 'It arrived broken and never worked.'],
  ['negative', 'I would never watch it again.'],
  ['negative', 'The ending was silly and predictable.'],
  ['negative', 'The lesson was confusing and dull.'],
  ['negative', 'Dirty hotel with a cold welcome.'],
  ['negative', 'The game is frustrating and hard to follow.'],
  ['negative', 'Everything about the trip went wrong.'],
  ['negative', 'Such a dreary and pointless movie.'],
  ['negative', 'The soup was cold and tasteless.'],
  ['negative', 'I am really disappointed with this purchase.'],
  ['negative', 'A tedious mess that nobody should see.'],
  ['negative', 'The new update made the app much worse.'],
  ['negative', 'He sings badly and out of tune.'],
].map(([label, text]) => ({ label, text }));

export const DEFAULT_LABELS = ['positive', 'negative'];

/**
 * The English starter set in Korean, sentence by sentence (written for this project),
 * offered when the main model reads Hangul. Labels: 긍정 (positive), 부정 (negative).
 */
export const KOREAN_STARTER_EXAMPLES: Example[] = [
  ['긍정', '처음부터 끝까지 정말 재미있는 영화였다.'],
  ['긍정', '이야기가 따뜻하고 유쾌했다.'],
  ['긍정', '배우들의 연기가 훌륭하고 음악도 아름다웠다.'],
  ['긍정', '몇 년 만에 먹어 본 최고의 음식이었다.'],
  ['긍정', '직원들이 친절하고 많이 도와주었다.'],
  ['긍정', '이 책 덕분에 일주일 내내 웃었다.'],
  ['긍정', '가격에 비해 아주 좋은 휴대폰이다.'],
  ['긍정', '배송이 빠르고 제품도 완벽하게 작동한다.'],
  ['긍정', '몇 번이고 다시 보고 싶다.'],
  ['긍정', '결말이 감동적이고 기발했다.'],
  ['긍정', '선생님이 정말 알기 쉽게 설명해 주셨다.'],
  ['긍정', '따뜻하게 맞아 주는 아담하고 예쁜 호텔이다.'],
  ['긍정', '게임이 재미있고 배우기도 쉽다.'],
  ['긍정', '여행의 모든 것이 완벽했다.'],
  ['긍정', '정말 사랑스럽고 잔잔한 영화다.'],
  ['긍정', '국이 신선하고 맛있었다.'],
  ['긍정', '이번 구매에 정말 만족한다.'],
  ['긍정', '온 가족이 즐길 수 있는 신나는 모험이다.'],
  ['긍정', '업데이트 후에 앱이 훨씬 좋아졌다.'],
  ['긍정', '그녀의 노래는 정말 아름답다.'],
  ['부정', '이 영화는 보는 내내 싫었다.'],
  ['부정', '이야기가 지루하고 느렸다.'],
  ['부정', '배우들의 연기가 어색하고 음악도 형편없었다.'],
  ['부정', '몇 년 만에 먹어 본 최악의 음식이었다.'],
  ['부정', '직원들이 무례하고 전혀 도움이 되지 않았다.'],
  ['부정', '이 책은 시간 낭비였다.'],
  ['부정', '가격을 생각해도 형편없는 휴대폰이다.'],
  ['부정', '부서진 채로 도착했고 한 번도 작동하지 않았다.'],
  ['부정', '다시는 보고 싶지 않다.'],
  ['부정', '결말이 유치하고 뻔했다.'],
  ['부정', '수업이 헷갈리고 지루했다.'],
  ['부정', '불친절하게 맞이하는 더러운 호텔이다.'],
  ['부정', '게임이 짜증 나고 이해하기 어렵다.'],
  ['부정', '여행의 모든 것이 엉망이었다.'],
  ['부정', '정말 음울하고 의미 없는 영화다.'],
  ['부정', '국이 식었고 아무 맛도 없었다.'],
  ['부정', '이번 구매에 정말 실망했다.'],
  ['부정', '아무에게도 권하고 싶지 않은 지루한 작품이다.'],
  ['부정', '업데이트 후에 앱이 훨씬 나빠졌다.'],
  ['부정', '그는 음정이 맞지 않게 노래를 못한다.'],
].map(([label, text]) => ({ label, text }));

export const KOREAN_LABELS = ['긍정', '부정'];

const STORAGE_KEY = 'bert-playground.examples.v1';

export interface StoredExamples {
  labels: string[];
  examples: Example[];
}

export function loadStoredExamples(storage: Store = defaultStore()): StoredExamples {
  const examples = (raw: string): StoredExamples => {
    const o = parseJsonObject(raw);
    const isText = (v: unknown): v is string => typeof v === 'string';
    const isExample = (e: unknown): e is Example =>
      typeof e === 'object' && e !== null && isText((e as Example).label) && isText((e as Example).text);
    if (!Array.isArray(o.labels) || !o.labels.every(isText)) throw new StoredValueError('its labels are not a list of words');
    if (!Array.isArray(o.examples) || !o.examples.every(isExample)) throw new StoredValueError('its examples are not label/text pairs');
    return { labels: o.labels, examples: o.examples };
  };
  // Nothing stored, or something unreadable (kept aside, see storedValue.ts): the starter set.
  return readStored(STORAGE_KEY, examples, storage) ?? { labels: [...DEFAULT_LABELS], examples: STARTER_EXAMPLES.map((e) => ({ ...e })) };
}

export function saveExamples(value: StoredExamples, storage: Store = defaultStore()): void {
  // Full or blocked storage: the examples stay in memory for this visit.
  writeStored(STORAGE_KEY, JSON.stringify(value), storage);
}
