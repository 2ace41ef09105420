import { expect, test } from '@playwright/test';

// Fine-tuning in the browser: edit the examples, train a head on the frozen BERT-mini (method B;
// e2e/fewshot.spec.ts has the prompt, method A, and the experiment),
// watch the loss fall, classify new sentences; everything survives a reload. Runs on the
// wasm backend: on our machines' software WebGPU (SwiftShader) the ~200 forward passes of
// training, projection and occlusion take minutes; `npm run bench` times training on WebGPU.

test('add examples, train, see the loss fall and predictions follow the sentence; reload keeps both', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });

  // Add one example by hand and two by pasting; the bad pasted line is reported by its number.
  await page.getByRole('button', { name: 'Add example' }).click();
  const rows = page.getByRole('textbox', { name: /^Text of example/ });
  const count = await rows.count();
  await rows.nth(count - 1).fill('A joyful, heart-warming evening.');
  await page.getByText('Paste rows').click();
  await page.getByRole('textbox', { name: 'Pasted examples' }).fill('negative\tA grim and tiresome film.\nthis line has no tab\npositive\tWarm, witty and wise.');
  await page.getByRole('button', { name: 'Add pasted rows' }).click();
  await expect(page.getByTestId('import-report')).toContainText('added 2 examples');
  await expect(page.getByTestId('import-report')).toContainText('line 2: expected a label and a text separated by a tab');
  await expect(rows).toHaveCount(count + 2);

  // Train the head (fewer epochs keep the test short) and watch the loss fall.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('20');
  await page.getByRole('button', { name: 'Train the head' }).click();
  const summary = page.getByTestId('training-summary');
  await expect(summary).toHaveAttribute('data-done', 'true', { timeout: 150_000 });
  await expect(summary).toContainText('Epoch 20/20');
  const first = Number(await summary.getAttribute('data-first-loss'));
  const last = Number(await summary.getAttribute('data-last-loss'));
  expect(last).toBeLessThan(first * 0.8);

  // Predictions follow the sentence (the try box uses the head once it is chosen).
  await page.getByRole('radio', { name: 'B · the head' }).check();
  const input = page.getByRole('textbox', { name: 'Sentence to classify' });
  await input.fill('I loved it, a wonderful and beautiful story.');
  await expect(page.getByTestId('predicted-label')).toHaveText('positive', { timeout: 60_000 });
  await input.fill('I hated it, a boring and awful mess.');
  await expect(page.getByTestId('predicted-label')).toHaveText('negative', { timeout: 60_000 });

  // Reload: the examples and the head are still there.
  await page.reload();
  await expect(page.getByRole('textbox', { name: /^Text of example/ })).toHaveCount(count + 2, { timeout: 60_000 });
  await expect(page.getByRole('textbox', { name: `Text of example ${count}` })).toHaveValue('A joyful, heart-warming evening.');
  await expect(page.getByTestId('predicted-label')).toBeVisible({ timeout: 60_000 });
});
