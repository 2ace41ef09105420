import { expect, test } from '@playwright/test';

// English and Korean: a visible switch, every panel follows it, and the choice survives a reload.
test('switch to Korean and back; the choice is remembered', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: '1 · Type a sentence' })).toBeVisible();

  await page.getByRole('combobox', { name: /Language/ }).selectOption('ko');
  await expect(page.getByRole('heading', { name: '1 · 문장을 입력하세요' })).toBeVisible();
  await expect(page.getByRole('heading', { name: '3 · 각 단어는 어디를 볼까?' })).toBeVisible();
  await expect(page.getByRole('tab', { name: '히트맵' })).toBeVisible();
  await expect(page.getByRole('button', { name: '학습', exact: true })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');

  await page.reload();
  await expect(page.getByRole('heading', { name: '1 · 문장을 입력하세요' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('textbox', { name: '문장', exact: true })).toBeVisible();

  await page.getByRole('combobox', { name: /Language/ }).selectOption('en');
  await expect(page.getByRole('heading', { name: '1 · Type a sentence' })).toBeVisible();
});
