import { expect, test, type Page } from '@playwright/test';

// The pre-training lab on wasm: a nano-BERT and its causal twin learn for 20 steps in the lab's own
// worker; then the trained model is saved, found in the picker's cache and used as the main model.

const STEPS = 20;

/** Training losses of the first and last three steps, [masked, causal] each. */
async function losses(page: Page): Promise<{ first: number[][]; last: number[][] }> {
  return JSON.parse((await page.getByTestId('lab-status').getAttribute('data-losses')) ?? '{}');
}

/** Weights of every cell of the lab's attention heatmap. */
async function cells(page: Page): Promise<number[]> {
  return page.locator('.lab-heatmap rect.cell').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('data-value'))));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('pre-train 20 steps: both losses fall, attention changes, head roles, save → main model → chips and fill-mask', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  const lab = page.getByTestId('lab');
  await expect(lab.getByTestId('lab-vocab')).toContainText('8,192');

  // 20 steps; held-out test, probe and snapshot at steps 0, 10 and 20.
  await lab.getByRole('spinbutton', { name: 'Stop after' }).fill(String(STEPS));
  await lab.getByRole('combobox', { name: 'Unit of the budget' }).selectOption('steps');
  await lab.getByRole('spinbutton', { name: 'Test, probe and snapshot every' }).fill('10');
  await lab.getByRole('button', { name: 'Start pre-training' }).click();
  const status = lab.getByTestId('lab-status');
  await expect(status).toHaveAttribute('data-state', 'running', { timeout: 120_000 });
  await expect(status).toContainText('(on wasm)');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-step', String(STEPS));

  // Both training losses fall: the mean of the last three steps below the first three's.
  const { first, last } = await losses(page);
  for (const model of [0, 1]) {
    expect(mean(last.map((p) => p[model])), `model ${model}`).toBeLessThan(mean(first.map((p) => p[model])) - 0.1);
  }
  // Held-out: tests at steps 0, 10 and 20, and the masked model's held-out loss fell too.
  const records = await lab
    .getByTestId('lab-evaluation')
    .evaluateAll((rows) => rows.map((r) => JSON.parse(r.getAttribute('data-record') ?? '{}') as { step: number; masked: { loss: number } }));
  expect(records.map((r) => r.step)).toEqual([0, 10, 20]);
  expect(records[2].masked.loss).toBeLessThan(records[0].masked.loss);
  // The curves are drawn: three panels, each with a line per model.
  await expect(lab.locator('[data-panel="trainLoss"] path.series')).toHaveCount(2);
  await expect(lab.locator('[data-panel="heldOutTop1"] path.series')).toHaveCount(3);

  // The probe's guesses, from both models, at the newest snapshot.
  const guesses = lab.getByTestId('lab-guesses');
  await expect(guesses).toHaveAttribute('data-step', String(STEPS));
  await expect(guesses.locator('.lab-guess')).toHaveCount(2);

  // The step slider: the attention at step 0 differs from the attention now.
  const now = await cells(page);
  expect(now.length).toBeGreaterThan(50);
  const slider = lab.getByTestId('lab-step-slider');
  await slider.fill('0');
  await expect(lab.getByTestId('lab-snapshot-step')).toHaveText('step 0');
  const start = await cells(page);
  expect(start.length).toBe(now.length);
  expect(Math.max(...start.map((v, i) => Math.abs(v - now[i])))).toBeGreaterThan(1e-3);
  await lab.screenshot({ path: testInfo.outputPath('lab.png') });

  // What each head does: the lab model's 2 layers × 2 heads, then the shipped BERT-mini's 4 × 4.
  const roles = lab.getByTestId('lab-roles');
  await expect(roles).toHaveAttribute('data-source', 'masked');
  await expect(roles.locator('g.role-cell')).toHaveCount(2 * 2 * 6);
  await lab.getByRole('combobox', { name: 'Heads of' }).selectOption('shipped');
  await expect(roles).toHaveAttribute('data-source', 'shipped', { timeout: 120_000 });
  await expect(roles.locator('g.role-cell')).toHaveCount(4 * 4 * 6);
  // BERT-mini has heads that look mostly one token back (its layer 2, head 3 among them).
  const previous = await roles.locator('g.role-cell[data-role="previous"]').evaluateAll((g) => g.map((e) => Number(e.getAttribute('data-value'))));
  expect(Math.max(...previous)).toBeGreaterThan(0.5);

  // Past the budget, then paused between two steps.
  await lab.getByRole('button', { name: 'Continue past the budget' }).click();
  await expect.poll(async () => Number(await status.getAttribute('data-step')), { timeout: 120_000 }).toBeGreaterThan(STEPS);
  await lab.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveAttribute('data-state', 'paused');
  await page.waitForTimeout(2000); // the step in flight when Pause came may still report
  const reached = Number(await status.getAttribute('data-step'));
  await page.waitForTimeout(2000);
  await expect(status).toHaveAttribute('data-step', String(reached));

  // Keep it: saved into the model cache under the step it reached…
  await lab.getByRole('button', { name: 'Save nano-BERT' }).click();
  const id = `lab/nano-bert-${reached}`;
  await expect(lab.getByTestId('lab-saved')).toHaveAttribute('data-id', id);
  await expect(lab.getByTestId('lab-saved')).toContainText('Saved as');
  await expect(lab.getByRole('button', { name: `Download model.safetensors of ${id}` })).toBeVisible();

  // …listed by the model picker at once (no reload), and loaded as the main model.
  await page.getByTestId('model-picker').getByText('Choose another model').click();
  const cached = page.getByTestId('cached-model').filter({ hasText: id });
  await expect(cached).toHaveCount(1);
  await page.getByRole('button', { name: `Load ${id} from the cache` }).click();
  await expect(page.getByTestId('main-model')).toHaveText(id);

  // Token chips and fill-mask run on it: the page's sentence has a [MASK].
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The people of the [MASK] will not forget.');
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'people', 'of', 'the', '[MASK]', 'will', 'not', 'forget', '.', '[SEP]']);
  await expect(page.getByTestId('fill-mask-row')).toHaveCount(1);
  await expect(page.getByTestId('predictions-bidirectional').locator('g.bar')).toHaveCount(5);
  await page.screenshot({ path: testInfo.outputPath('lab-model-main.png'), fullPage: true });
});
