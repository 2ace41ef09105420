import { expect, test, type Page } from '@playwright/test';

// "How BERT is built": the Transformer / GPT / BERT figure, the live tensor shapes
// of BERT's blocks for the current sentence, the jump to the heatmap, and the keyboard.

async function open(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'How BERT is built' })).toBeVisible();
}

test('three architectures; BERT blocks show live shapes and jump to the heatmap', async ({ page }, testInfo) => {
  await open(page);
  const diagram = page.locator('.architecture-diagram svg');
  await expect(diagram).toHaveAttribute('role', 'group');

  // The three columns, each with its own stacks: BERT has no decoder, GPT no encoder.
  await expect(diagram.locator('g.arch-column text.arch-title')).toHaveText(['Transformer', 'GPT', 'BERT']);
  await expect(diagram.locator('rect.arch-frame[data-family="transformer"]')).toHaveCount(2);
  await expect(diagram.locator('rect.arch-frame[data-family="gpt"][data-role="decoder"]')).toHaveCount(1);
  await expect(diagram.locator('rect.arch-frame[data-family="gpt"][data-role="encoder"]')).toHaveCount(0);
  await expect(diagram.locator('rect.arch-frame[data-family="bert"][data-role="encoder"]')).toHaveCount(1);
  await expect(diagram.locator('rect.arch-frame[data-family="bert"][data-role="decoder"]')).toHaveCount(0);
  await expect(diagram.locator('path.arch-arrow-cross')).toHaveCount(1);

  // The live numbers: T tokens in the chips, as many heads as the attention panel's Head menu offers.
  const T = await page.getByTestId('token-chip').count();
  const attention = page.locator('section[aria-labelledby="attention-heading"]');
  const heads = await attention.getByRole('combobox', { name: 'Head', exact: true }).locator('option').count();
  expect(T).toBeGreaterThan(2);

  await page.getByRole('button', { name: /^BERT: Self-attention/ }).click();
  const details = page.getByTestId('architecture-details');
  await expect(details.getByRole('heading', { name: 'BERT: Self-attention' })).toBeVisible();
  const probs = details.locator('tr[data-name="attention_probs"]');
  await expect(probs).toContainText('attention_probs');
  await expect(probs).toContainText('[heads × T × T]');
  await expect(probs.getByTestId('shape-value')).toHaveText(`[${heads} × ${T} × ${T}]`);
  await page.screenshot({ path: testInfo.outputPath('architecture.png'), fullPage: true });

  // A GPT block explains itself in one line; it has no shapes table.
  await page.getByRole('button', { name: /^GPT: Masked self-attn/ }).click();
  await expect(details).toContainText('causal mask');
  await expect(details.getByTestId('shape-row')).toHaveCount(0);

  // Jump from BERT's attention block to the heatmap view.
  await page.getByRole('tab', { name: 'Head view' }).click();
  await expect(page.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'false');
  await page.getByRole('button', { name: /^BERT: Self-attention/ }).click();
  await details.getByRole('button', { name: 'Open the attention heatmap' }).click();
  await expect(page.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator('#attention-heading')).toBeFocused();

  // Typing a longer sentence updates the shapes.
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the mat and then it slept.');
  await expect.poll(() => page.getByTestId('token-chip').count()).not.toBe(T);
  const T2 = await page.getByTestId('token-chip').count();
  await expect(probs.getByTestId('shape-value')).toHaveText(`[${heads} × ${T2} × ${T2}]`);
});

test('a block is reached with Tab and selected with Enter', async ({ page }) => {
  await open(page);
  // Start the Tab order at the panel's heading, then Tab until BERT's embeddings block has focus.
  await page.getByRole('heading', { name: 'How BERT is built' }).click();
  let name = '';
  for (let i = 0; i < 40 && !name.startsWith('BERT: Embeddings'); i++) {
    await page.keyboard.press('Tab');
    name = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  }
  expect(name).toMatch(/^BERT: Embeddings/);
  await page.keyboard.press('Enter');
  const block = page.getByRole('button', { name: /^BERT: Embeddings/ });
  await expect(block).toHaveAttribute('aria-pressed', 'true');
  await expect(block).toBeFocused();
  const details = page.getByTestId('architecture-details');
  await expect(details.getByRole('heading', { name: 'BERT: Embeddings' })).toBeVisible();
  const T = await page.getByTestId('token-chip').count();
  await expect(details.locator('tr[data-name="input_ids"]').getByTestId('shape-value')).toHaveText(`[${T}]`);

  // Its button goes to the token chips.
  await details.getByRole('button', { name: 'Show the token chips' }).click();
  await expect(page.locator('#sentence-heading')).toBeFocused();
});
