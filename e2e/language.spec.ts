import { expect, test } from '@playwright/test';

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
