import { expect, test, type Page } from '@playwright/test';
import { MESSAGES } from '../src/ui/i18n/translate';

// English and Korean: a visible switch, every panel follows it, and the choice survives a reload.
test('switch to Korean and back; the choice is remembered', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: '1 · Type a sentence' })).toBeVisible();

  await page.getByRole('combobox', { name: /Language/ }).selectOption('ko');
  await expect(page.getByRole('heading', { name: '1 · 문장을 입력하세요' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: '문장', exact: true })).toBeVisible(); // the sentence box's name too
  await expect(page.getByRole('heading', { name: '3 · 각 단어는 어디를 볼까?' })).toBeVisible();
  await expect(page.getByRole('tab', { name: '히트맵' })).toBeVisible();
  await expect(page.getByRole('button', { name: '헤드 학습', exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  // The model picker and the architecture figure follow too.
  const picker = page.getByTestId('model-picker');
  await expect(picker.getByText('다른 모델 고르기')).toBeVisible();
  await picker.getByText('다른 모델 고르기').click();
  await expect(picker.getByRole('button', { name: '불러오기', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: '4 · BERT는 어떻게 만들어졌나' })).toBeVisible();
  const diagram = page.locator('.architecture-diagram svg');
  await expect(diagram.locator('g.arch-block[data-id="bert-attention"] text.arch-block-label')).toHaveText('셀프 어텐션');
  await diagram.locator('g.arch-block[data-id="bert-attention"]').click();
  await expect(page.getByTestId('architecture-details')).toContainText('양방향');
  await expect(page.getByRole('button', { name: '어텐션 히트맵 열기' })).toBeVisible();
  // A pasted row that cannot be read is reported in Korean too.
  await page.getByText('행 붙여넣기').click();
  await page.getByRole('textbox', { name: '붙여넣은 예시' }).fill('positive\t좋아요\n탭이 없는 줄');
  await page.getByRole('button', { name: '붙여넣은 행 추가' }).click();
  await expect(page.getByTestId('import-report')).toContainText('2번째 줄: 레이블과 문장이 탭으로 구분되어 있어야 합니다');

  await page.reload();
  await expect(page.getByRole('heading', { name: '1 · 문장을 입력하세요' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('textbox', { name: '문장', exact: true })).toBeVisible();

  await page.getByRole('combobox', { name: /Language/ }).selectOption('en');
  await expect(page.getByRole('heading', { name: '1 · Type a sentence' })).toBeVisible();
  await expect(page.getByTestId('model-picker').getByText('Choose another model')).toBeVisible();
  await expect(page.locator('.architecture-diagram svg g.arch-block[data-id="bert-attention"] text.arch-block-label')).toHaveText('Self-attention');
});

/**
 * Latin-letter words a Korean reader could meet: names and code are allowed (model and library names,
 * backend names, file formats, layer names, formula symbols); anything else is English left over.
 */
const NAMES_AND_CODE = new Set([
  ...['BERT', 'BERT-mini', 'GPT', 'GPT-style', 'Transformer', 'WordPiece', 'Hugging', 'Face'],
  // The language switch names itself in both languages, so that anyone can find it; keys to press.
  ...['English', 'Language', 'Tab', 'Enter'],
  // Cited authors, data sets and their sources.
  ...['Abnar', 'Zuidema', 'Kobayashi', 'Kotzias', 'Denil', 'de', 'Freitas', 'Smyth', 'KDD', 'UCI', 'Amazon', 'IMDb', 'Yelp', 'MIT', 'npm', 'sentiment', 'Brown'],
  ...['CLS', 'SEP', 'MASK', 'UNK', 'PAD', 'id', 'ids'],
  ...['WebGPU', 'WebGL', 'WebAssembly', 'JavaScript', 'webgpu', 'webgl', 'wasm', 'cpu', 'GPU', 'CPU', 'ok'],
  ...['SVG', 'PNG', 'CSV', 'TSV', 'JSON', 'zip', 'PCA', 'ms', 'MB', 'KB', 'k'],
  // Layer names, formulas and the names of the two few-shot methods (A, B).
  ...['LayerNorm', 'GELU', 'MLP', 'FFN', 'LM', 'softmax', 'tanh', 'probs', 'W', 'W_Q', 'W_K', 'W_V', 'W_O', 'h_', 'f', 'Q', 'K', 'V', 'H', 'T', 'L', 'N', 'x', 't', 'i', 'A', 'B'],
]);

/**
 * Every string the page shows or says: rendered text, tooltips (title attributes and SVG <title>s),
 * aria-labels and placeholders. Content is left out: the sentence's tokens, example sentences, the
 * model's guesses, code, and what the examples' fields hold (values, the paste box's sample rows).
 */
async function pageStrings(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const CONTENT = [
      '[data-testid="token-chip"]',
      '[data-testid="example-sentences"] button',
      '[data-testid="main-model"]',
      'code',
      'textarea',
      'svg text.row-label',
      'svg text.col-label',
      'svg text.token',
      'svg g.bar text',
      'select.backend-select',
    ].join(', ');
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = node.textContent?.trim() ?? '';
      if (parent === null || text === '' || parent.closest(CONTENT) !== null) continue;
      if (parent.closest('title') !== null) continue; // tooltips: below
      if (!parent.checkVisibility() && parent.closest('.sr-only') === null) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
      for (const name of ['title', 'aria-label', 'placeholder']) {
        if (name === 'placeholder' && el.tagName === 'TEXTAREA') continue;
        const value = el.getAttribute(name);
        if (value !== null && value.trim() !== '') out.push(value);
      }
    }
    for (const title of document.querySelectorAll('svg title')) out.push(title.textContent ?? '');
    return out;
  });
}

test('in Korean, no English is left but names and code: text, tooltips and aria-labels of every view', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole('combobox', { name: /Language/ }).selectOption('ko');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  // The sentence's own pieces may appear inside tooltips and names ("[CLS] → man: 0.12").
  const tokens = (await page.getByTestId('token-chip').allTextContents()).map((s) => s.replace(/^##/, '').trim());
  const guesses = await page.locator('svg g.bar text').allTextContents();
  // The examples' labels are data too ("20 positive, 20 negative").
  const values = await page
    .locator('input[type="text"], input:not([type]), select')
    .evaluateAll((fields) => fields.map((f) => (f as HTMLInputElement | HTMLSelectElement).value));
  const allowed = new Set([...NAMES_AND_CODE, ...[...tokens, ...guesses, ...values].flatMap((s) => s.match(/[A-Za-z]+/g) ?? [])]);
  // Not words: quotations (a paper's title, a pattern "It was [MASK]."), hub ids and paths (klue/bert-base,
  // weights/bert-mini/vocab.txt), {placeholders}.
  const prose = (s: string) => s.replace(/“[^”]*”/g, ' ').replace(/[\w.-]+(?:\/[\w.-]+)+/g, ' ').replace(/\{\w+\}/g, ' ');
  const leftovers = new Map<string, string>();
  const seen: string[] = [];
  const collect = async (where: string) => {
    for (const s of await pageStrings(page)) {
      seen.push(s);
      for (const word of prose(s).match(/[A-Za-z][A-Za-z_-]*[A-Za-z_]|[A-Za-z]/g) ?? []) {
        if (!allowed.has(word) && !leftovers.has(word)) leftovers.set(word, `${where}: ${s}`);
      }
    }
  };

  // The heatmap with the norm-weighted map beside it, the head view, every layer and head, the two masks.
  await page.getByRole('checkbox', { name: MESSAGES.ko['att.norm'] }).check();
  await expect(page.locator('.norm-heatmap svg rect.cell').first()).toBeAttached();
  await collect('heatmap');
  await page.getByRole('tab', { name: MESSAGES.ko['att.tab.heads'] }).click();
  await expect(page.locator('svg g.head-toggle').first()).toBeAttached();
  await page.locator('svg g.head-toggle').first().click(); // a hidden head has its own name and tooltip
  await collect('head view');
  await page.getByRole('tab', { name: MESSAGES.ko['att.tab.model'] }).click();
  await expect(page.locator('svg g.thumb').first()).toBeAttached();
  await collect('model view');
  await page.getByRole('tab', { name: MESSAGES.ko['att.tab.contrast'] }).click();
  await expect(page.locator('.contrast-causal svg rect.masked').first()).toBeAttached();
  await collect('mask contrast');
  // The architecture figure, with a BERT block's details open.
  await page.locator('.architecture-diagram svg g.arch-block[data-id="bert-attention"]').click();
  await expect(page.getByTestId('shape-row').first()).toBeVisible();
  await collect('architecture');

  expect([...leftovers.entries()].map(([word, where]) => `${word} — ${where}`)).toEqual([]);
  // Samples, so the check is known to look where it should: the views' tooltips and aria-labels.
  expect(seen).toContain(MESSAGES.ko['view.heads.hidden'].replace('{head}', '1')); // a head toggle's aria-label
  expect(seen.some((s) => s.endsWith('볼 수 없음'))).toBe(true); // a masked cell's tooltip
  expect(seen).toContain('1층, 1번 헤드: 눌러서 열기'); // a thumbnail's tooltip
  expect(seen).toContain('쿼리 (보는 쪽)'); // an axis name, norm-weighted map included
});
