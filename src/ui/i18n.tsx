/**
 * Every string the playground shows, in English and Korean (the guide this
 * project grew from is Korean). Components ask for text with `useT()`; the
 * choice of language is remembered in localStorage and starts from the browser's.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'en' | 'ko';
export const LANGS: { id: Lang; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'ko', name: '한국어' },
];

const en = {
  'app.title': 'BERT Playground',
  'app.runTime': 'From the last keystroke to every view updated',
  'app.language': 'Language',
  'section.sentence': '1 · Type a sentence',
  'section.fill': '2 · Fill in the blank',
  'section.attention': '3 · Where does each word look?',
  'section.finetune': '5 · Teach it a new task: fine-tuning',
  'section.architecture': '4 · How BERT is built',
  'sentence.label': 'Sentence',
  'models.loading': 'Loading BERT-mini and its causal twin…',
  'models.download': 'Model download',
  'models.error': 'Could not load the models: {message}',
  'backend.starting': 'starting…',
  'backend.none': 'no backend: {message}',
  'backend.label': 'backend:',
  'chips.label': 'WordPiece tokens',
  'chips.continues': 'continues the word before',
  'chips.added': 'added by the tokenizer',
  'chips.clickToMask': 'click to mask',
  'chips.clickToUnmask': 'masked: click to unmask',
  'chips.token': '{token}, token {index}, id {id}',
  'chips.truncated': 'The sentence is longer than the model can read ({count} tokens); the rest was cut off.',
  'fill.hint': 'Click a token above, or type [MASK] in the sentence, to hide a word and see what each model guesses.',
  'fill.explain':
    'BERT reads the whole sentence at once, so it can use the words after the blank too; the causal twin (same size, same data, GPT-style) has only seen the words before it. That is why BERT is usually surer.',
  'fill.token': 'Token {index}',
  'fill.was': '(was “{word}”)',
  'fill.bert': 'BERT-mini · bidirectional',
  'fill.twin': 'Causal twin · left context only',
  'fill.bertLabel': 'BERT-mini guesses for token {index}',
  'fill.twinLabel': 'Causal twin guesses for token {index}',
  'view.save.svg': 'Save SVG',
  'view.save.png': 'Save PNG',
  'view.of': 'of {label}',
  'att.views': 'Attention views',
  'att.tab.heatmap': 'Heatmap',
  'att.tab.heads': 'Head view',
  'att.tab.model': 'All layers & heads',
  'att.tab.contrast': 'BERT vs GPT mask',
  'att.options': 'Attention options',
  'att.model': 'Model',
  'att.model.bidirectional': 'BERT-mini (bidirectional)',
  'att.model.causal': 'causal twin (GPT-style)',
  'att.layer': 'Layer',
  'att.head': 'Head',
  'att.mean': 'Mean over heads',
  'att.mean.title': 'Average the heads of this layer',
  'att.hide': 'Hide [CLS]/[SEP]',
  'att.hide.title': 'Drop [CLS] and [SEP]; each row is renormalised: among the words, where does this word look?',
  'att.rollout': 'Attention rollout',
  'att.rollout.title': 'Abnar & Zuidema 2020: follow attention (plus the residual path) through all layers',
  'att.norm': 'Norm-weighted (beside raw)',
  'att.norm.title':
    'Kobayashi et al. 2020: weight × size of what the token sends — a head staring at [SEP] may move almost nothing',
  'att.describe.rollout': 'attention rollout, all layers',
  'att.describe': 'layer {layer}, {head}',
  'att.meanOfHeads': 'mean of all heads',
  'att.headN': 'head {head}',
  'att.raw': 'raw attention · {describe}',
  'att.normCaption': 'norm-weighted ‖α·f(x)‖ · {describe}',
  'att.heatmapLabel': 'Attention heatmap, {describe}',
  'att.normLabel': 'Norm-weighted attention, {describe}',
  'att.query': 'query (looks)',
  'att.key': 'key (looked at)',
  'att.headsTitle': 'Layer {layer}: every head',
  'att.headsLabel': 'Head view, layer {layer}',
  'att.modelTitle': 'Every layer (rows) × head (columns) — click one to open it',
  'att.modelLabel': 'Model view, all layers and heads',
  'att.contrast.explain':
    'Left, BERT’s bidirectional mask: every token may look at every other. Right, GPT’s causal mask: token i sees only tokens 1…i — the numbers count what each position can see. Below, the same sentence through BERT-mini and through its causal twin.',
  'att.mask.bidirectional': 'bidirectional (BERT)',
  'att.mask.causal': 'causal (GPT)',
  'att.mask.bidirectionalLabel': 'Bidirectional mask',
  'att.mask.causalLabel': 'Causal mask',
  'att.contrast.bert': 'bidirectional · BERT-mini',
  'att.contrast.twin': 'causal · twin',
  'att.contrast.bertLabel': 'Bidirectional attention, {where}',
  'att.contrast.twinLabel': 'Causal attention, {where}',
  'ft.explain': "Pre-training taught BERT-mini English; now it learns a new task from a handful of examples. The encoder stays frozen and only a small head on top is trained — like teaching someone who already speaks English to sort reviews, with just a few examples.",
  'ft.settings': "Training settings",
  'ft.pooling': "Sentence vector",
  'ft.pooling.mean': "mean of all tokens",
  'ft.pooling.cls': "[CLS] token (exportable to Hugging Face)",
  'ft.head': 'Classifier head',
  'ft.head.linear': "linear",
  'ft.head.hidden': "one hidden layer (64)",
  'ft.epochs': "Epochs",
  'ft.seed': "Seed",
  'ft.unfreeze': "Unfreeze top layers",
  'ft.unfreeze.title': "Unfrozen layers learn too: better fit to your task, but slower, and with few examples they can forget what pre-training taught",
  'ft.frozen': "0 (frozen)",
  'ft.stop': "Stop",
  'ft.train': "Train",
  'ft.unfreeze.note': "Unfreezing lets the top {n} encoder layer(s) change too: the sentence vectors themselves move (watch the picture below), the fit gets better, training is slower, and with few examples the model can over-fit or forget what pre-training gave it.",
  'ft.reading': "Reading the examples",
  'ft.training': "Training",
  'ft.progress': "Training progress",
  'ft.curves': "Training curves",
  'ft.summary': "Epoch {epoch}/{epochs}: training loss {loss}, accuracy {accuracy}%",
  'ft.summary.val': "; validation accuracy {accuracy}%",
  'ft.stopped': " — stopped early",
  'ft.before': "Sentence vectors before fine-tuning",
  'ft.after': "Sentence vectors after fine-tuning",
  'ft.before.title': "Before fine-tuning",
  'ft.after.title': "After: with the retrained layers",
  'ft.pca': "{title} (PCA, {percent}% of variance)",
  'ft.try': "Try the trained head",
  'ft.exportJson': "Export head (JSON)",
  'ft.exportHf': "Export Hugging Face folder (.zip)",
  'ft.forget': "Forget head",
  'ft.import': "Import head (JSON)…",
  'ft.loaded': "Loaded {name}.",
  'ex.count': "{count} examples ({perLabel}). Edit any row; labels are yours to choose.",
  'ex.text': "Text",
  'ex.label': "Label",
  'ex.remove': "Remove",
  'ex.textOf': "Text of example {n}",
  'ex.labelOf': "Label of example {n}",
  'ex.removeN': "Remove example {n}",
  'ex.add': "Add example",
  'ex.newLabel': "New label",
  'ex.addLabel': "Add label",
  'ex.import': "Import CSV/TSV…",
  'ex.paste': "Paste rows (label, text — comma- or tab-separated)",
  'ex.pasted': "Pasted examples",
  'ex.addPasted': "Add pasted rows",
  'ex.pastedSource': "pasted text",
  'ex.added': '{source}: added {count} examples',
  'ex.added.one': '{source}: added 1 example',
  'ex.newLabels': ", new labels {labels}",
  'ex.skipped': '; {count} lines skipped:',
  'ex.skipped.one': '; 1 line skipped:',
  'ex.line': "line {line}: {message}",
  'pr.try': "Try a sentence",
  'pr.input': "Sentence to classify",
  'pr.prediction': "Prediction:",
  'pr.probs': "Label probabilities",
  'pr.influence.hint': "Which tokens moved it: each token is hidden in turn (replaced by [MASK]); the colour shows how much the “{label}” probability then drops (orange: pushed towards it, blue: against it).",
  'pr.influence': "Token influence",
  'pr.points': "{points} points",
};

export type MessageKey = keyof typeof en;

const ko: Record<MessageKey, string> = {
  'app.title': 'BERT 놀이터',
  'app.runTime': '마지막 입력부터 모든 그림이 바뀔 때까지 걸린 시간',
  'app.language': '언어',
  'section.sentence': '1 · 문장을 입력하세요',
  'section.fill': '2 · 빈칸 채우기',
  'section.attention': '3 · 각 단어는 어디를 볼까?',
  'section.finetune': '5 · 새 과제 가르치기: 미세 조정',
  'section.architecture': '4 · BERT는 어떻게 만들어졌나',
  'sentence.label': '문장',
  'models.loading': 'BERT-mini와 인과(causal) 쌍둥이 모델을 불러오는 중…',
  'models.download': '모델 내려받기',
  'models.error': '모델을 불러오지 못했습니다: {message}',
  'backend.starting': '시작하는 중…',
  'backend.none': '실행 환경 없음: {message}',
  'backend.label': '실행 환경:',
  'chips.label': 'WordPiece 토큰',
  'chips.continues': '앞 단어에 이어지는 조각',
  'chips.added': '토크나이저가 덧붙임',
  'chips.clickToMask': '눌러서 가리기',
  'chips.clickToUnmask': '가려짐: 눌러서 되돌리기',
  'chips.token': '{token}, {index}번 토큰, id {id}',
  'chips.truncated': '문장이 모델이 읽을 수 있는 길이({count}개 토큰)보다 길어서 뒷부분을 잘랐습니다.',
  'fill.hint': '위의 토큰을 누르거나 문장에 [MASK]를 입력해 단어를 가리면, 두 모델이 무엇을 추측하는지 볼 수 있습니다.',
  'fill.explain':
    'BERT는 문장 전체를 한꺼번에 읽으므로 빈칸 뒤의 단어도 씁니다. 인과 쌍둥이(같은 크기, 같은 데이터, GPT 방식)는 빈칸 앞의 단어만 봤습니다. 그래서 보통 BERT가 더 확신합니다.',
  'fill.token': '{index}번 토큰',
  'fill.was': '(원래 “{word}”)',
  'fill.bert': 'BERT-mini · 양방향',
  'fill.twin': '인과 쌍둥이 · 왼쪽 문맥만',
  'fill.bertLabel': '{index}번 토큰에 대한 BERT-mini의 추측',
  'fill.twinLabel': '{index}번 토큰에 대한 인과 쌍둥이의 추측',
  'view.save.svg': 'SVG 저장',
  'view.save.png': 'PNG 저장',
  'view.of': '— {label}',
  'att.views': '어텐션 보기',
  'att.tab.heatmap': '히트맵',
  'att.tab.heads': '헤드 보기',
  'att.tab.model': '모든 층과 헤드',
  'att.tab.contrast': 'BERT 대 GPT 마스크',
  'att.options': '어텐션 설정',
  'att.model': '모델',
  'att.model.bidirectional': 'BERT-mini (양방향)',
  'att.model.causal': '인과 쌍둥이 (GPT 방식)',
  'att.layer': '층',
  'att.head': '헤드',
  'att.mean': '헤드 평균',
  'att.mean.title': '이 층의 헤드들을 평균합니다',
  'att.hide': '[CLS]/[SEP] 숨기기',
  'att.hide.title': '[CLS]와 [SEP]를 빼고 각 행을 다시 정규화합니다: 단어들 사이에서 이 단어는 어디를 볼까?',
  'att.rollout': '어텐션 롤아웃',
  'att.rollout.title': 'Abnar & Zuidema 2020: 잔차 연결을 포함해 모든 층을 거친 어텐션을 따라갑니다',
  'att.norm': '노름 가중 (원래 값 옆에)',
  'att.norm.title': 'Kobayashi 외 2020: 가중치 × 토큰이 보내는 값의 크기 — [SEP]만 바라보는 헤드는 거의 아무것도 옮기지 않을 수 있습니다',
  'att.describe.rollout': '어텐션 롤아웃, 모든 층',
  'att.describe': '{layer}층, {head}',
  'att.meanOfHeads': '모든 헤드 평균',
  'att.headN': '{head}번 헤드',
  'att.raw': '원래 어텐션 · {describe}',
  'att.normCaption': '노름 가중 ‖α·f(x)‖ · {describe}',
  'att.heatmapLabel': '어텐션 히트맵, {describe}',
  'att.normLabel': '노름 가중 어텐션, {describe}',
  'att.query': '쿼리 (보는 쪽)',
  'att.key': '키 (보이는 쪽)',
  'att.headsTitle': '{layer}층: 모든 헤드',
  'att.headsLabel': '헤드 보기, {layer}층',
  'att.modelTitle': '모든 층(행) × 헤드(열) — 하나를 누르면 크게 봅니다',
  'att.modelLabel': '모델 보기, 모든 층과 헤드',
  'att.contrast.explain':
    '왼쪽은 BERT의 양방향 마스크: 모든 토큰이 다른 모든 토큰을 볼 수 있습니다. 오른쪽은 GPT의 인과 마스크: i번 토큰은 1…i번 토큰만 봅니다 — 숫자는 각 위치가 볼 수 있는 토큰 수입니다. 아래는 같은 문장을 BERT-mini와 인과 쌍둥이로 읽은 결과입니다.',
  'att.mask.bidirectional': '양방향 (BERT)',
  'att.mask.causal': '인과 (GPT)',
  'att.mask.bidirectionalLabel': '양방향 마스크',
  'att.mask.causalLabel': '인과 마스크',
  'att.contrast.bert': '양방향 · BERT-mini',
  'att.contrast.twin': '인과 · 쌍둥이',
  'att.contrast.bertLabel': '양방향 어텐션, {where}',
  'att.contrast.twinLabel': '인과 어텐션, {where}',
  'ft.explain': "사전 학습으로 BERT-mini는 영어를 익혔습니다. 이제 몇 개의 예시만으로 새 과제를 배웁니다. 인코더는 얼려 두고 그 위의 작은 헤드만 학습합니다 — 이미 영어를 하는 사람에게 예시 몇 개로 리뷰 분류를 가르치는 것과 같습니다.",
  'ft.settings': "학습 설정",
  'ft.pooling': "문장 벡터",
  'ft.pooling.mean': "모든 토큰의 평균",
  'ft.pooling.cls': "[CLS] 토큰 (Hugging Face로 내보내기 가능)",
  'ft.head': '분류 헤드',
  'ft.head.linear': "선형",
  'ft.head.hidden': "은닉층 하나 (64)",
  'ft.epochs': "에폭",
  'ft.seed': "시드",
  'ft.unfreeze': "위쪽 층 풀기",
  'ft.unfreeze.title': "풀린 층도 학습합니다: 과제에 더 잘 맞지만 느리고, 예시가 적으면 사전 학습에서 배운 것을 잊을 수 있습니다",
  'ft.frozen': "0 (얼림)",
  'ft.stop': "멈추기",
  'ft.train': "학습",
  'ft.unfreeze.note': "위쪽 {n}개 층도 바뀝니다: 문장 벡터 자체가 움직이고(아래 그림을 보세요), 더 잘 맞지만 학습이 느려지며, 예시가 적으면 과적합하거나 사전 학습에서 얻은 것을 잊을 수 있습니다.",
  'ft.reading': "예시를 읽는 중",
  'ft.training': "학습 중",
  'ft.progress': "학습 진행",
  'ft.curves': "학습 곡선",
  'ft.summary': "에폭 {epoch}/{epochs}: 학습 손실 {loss}, 정확도 {accuracy}%",
  'ft.summary.val': "; 검증 정확도 {accuracy}%",
  'ft.stopped': " — 일찍 멈춤",
  'ft.before': "미세 조정 전의 문장 벡터",
  'ft.after': "미세 조정 후의 문장 벡터",
  'ft.before.title': "미세 조정 전",
  'ft.after.title': "후: 다시 학습한 층으로",
  'ft.pca': "{title} (PCA, 분산의 {percent}%)",
  'ft.try': "학습한 헤드 써 보기",
  'ft.exportJson': "헤드 내보내기 (JSON)",
  'ft.exportHf': "Hugging Face 폴더 내보내기 (.zip)",
  'ft.forget': "헤드 지우기",
  'ft.import': "헤드 가져오기 (JSON)…",
  'ft.loaded': "{name}을(를) 불러왔습니다.",
  'ex.count': "예시 {count}개 ({perLabel}). 어느 행이든 고칠 수 있고, 레이블도 직접 정합니다.",
  'ex.text': "문장",
  'ex.label': "레이블",
  'ex.remove': "지우기",
  'ex.textOf': "{n}번 예시의 문장",
  'ex.labelOf': "{n}번 예시의 레이블",
  'ex.removeN': "{n}번 예시 지우기",
  'ex.add': "예시 추가",
  'ex.newLabel': "새 레이블",
  'ex.addLabel': "레이블 추가",
  'ex.import': "CSV/TSV 가져오기…",
  'ex.paste': "행 붙여넣기 (레이블, 문장 — 쉼표 또는 탭으로 구분)",
  'ex.pasted': "붙여넣은 예시",
  'ex.addPasted': "붙여넣은 행 추가",
  'ex.pastedSource': "붙여넣은 글",
  'ex.added': '{source}: 예시 {count}개 추가',
  'ex.added.one': '{source}: 예시 1개 추가',
  'ex.newLabels': ", 새 레이블 {labels}",
  'ex.skipped': '; {count}줄 건너뜀:',
  'ex.skipped.one': '; 1줄 건너뜀:',
  'ex.line': "{line}번째 줄: {message}",
  'pr.try': "문장 써 보기",
  'pr.input': "분류할 문장",
  'pr.prediction': "예측:",
  'pr.probs': "레이블 확률",
  'pr.influence.hint': "어떤 토큰이 예측을 움직였나: 토큰을 하나씩 [MASK]로 가리고 “{label}” 확률이 얼마나 떨어지는지 색으로 보여 줍니다 (주황: 그쪽으로 밀어 줌, 파랑: 반대로 밀어 줌).",
  'pr.influence': "토큰의 영향",
  'pr.points': "{points}점",
};

export const MESSAGES: Record<Lang, Record<MessageKey, string>> = { en, ko };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The message in `lang`, with {placeholders} filled in. */
export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  return MESSAGES[lang][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

const STORAGE_KEY = 'bert-playground.lang';

function initialLang(): Lang {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'ko') return saved;
  } catch {
    // storage blocked: fall through to the browser's language
  }
  return globalThis.navigator?.language?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({ lang: 'en', setLang: () => {} });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // not remembered this time; the switch still works
    }
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
