import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { serveFixtures } from './fixtures';

// Few-shot learning in the browser (issue 15): the zero-shot accuracy shows before any training,
// both methods train on the starter set and report held-out accuracy, the prompt's [MASK]
// guesses highlight the label words, bad patterns and words get a clear message, the
// "does pre-training help?" experiment draws a reduced learning curve (k ∈ {0, 8}, 2 draws,
// 40 test sentences) — and all of it survives a reload, with corrupted settings falling back
// to the defaults. On the wasm backend: software WebGPU (SwiftShader) is far slower here.

async function openFresh(page: Page) {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await openPanel(page);
}

/** The zero-shot measurement waits until the panel is on screen. */
async function openPanel(page: Page) {
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole('heading', { name: /fine-tuning/ }).scrollIntoViewIfNeeded();
  await page.getByTestId('zero-shot').scrollIntoViewIfNeeded();
}

test('zero-shot first, then both methods train on the starter set; guesses, messages and reload', async ({ page }) => {
  test.setTimeout(300_000);
  await openFresh(page);

  // Before any training: the zero-shot accuracy, on the held-out examples.
  const zeroShot = page.getByTestId('zero-shot');
  await expect(zeroShot).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(zeroShot).toContainText(/\d+% of the \d+ held-out examples/);
  const zs = Number(await zeroShot.getAttribute('data-accuracy'));
  expect(zs).toBeGreaterThanOrEqual(0);
  expect(zs).toBeLessThanOrEqual(1);

  // The prompt is the first method; before training, the try box already shows the zero-shot guesses.
  const cards = page.locator('.method-card h3');
  await expect(cards.first()).toContainText('fill the blank');
  const tryInput = page.getByRole('textbox', { name: 'Sentence to classify with the prompt' });
  await tryInput.fill('A wonderful, beautiful film.');
  await expect(page.getByText('The model reads:')).toContainText('A wonderful, beautiful film. It was [MASK].');
  await expect(page.getByTestId('mask-guess').first()).toBeVisible();
  await expect(page.getByTestId('prompt-label')).toHaveText(/positive|negative/);

  // Bad patterns and words: a clear message, the Train button off, and the typed text kept.
  const pattern = page.getByRole('textbox', { name: 'Pattern' });
  const train = page.getByRole('button', { name: 'Train the prompt' });
  await pattern.fill('{text} It was great.');
  await expect(page.getByTestId('pattern-problem')).toContainText('has no [MASK]');
  await expect(train).toBeDisabled();
  await pattern.fill('{text} It was [MASK] and [MASK].');
  await expect(page.getByTestId('pattern-problem')).toContainText('2 × [MASK]');
  await expect(pattern).toHaveValue('{text} It was [MASK] and [MASK].');
  // On the causal twin the guess comes from the left context: the page says so, and refuses a blank before the sentence.
  // The shipped pair starts the prompt on the twin (a blank at the end is its own pre-training task).
  const model = page.locator('.method-card').first().getByRole('combobox', { name: 'Model that fills the blank', exact: true });
  await expect(model).toHaveValue('twin');
  await expect(page.getByText('The causal twin guesses the blank from the left context only')).toBeVisible();
  await pattern.fill('[MASK]: {text}');
  await expect(page.getByTestId('pattern-problem')).toContainText('reads left to right');
  await model.selectOption('main');
  await expect(page.getByTestId('pattern-problem')).toHaveCount(0);
  await page.getByRole('button', { name: 'Default pattern' }).click();
  await expect(pattern).toHaveValue('{text} It was [MASK].');
  await model.selectOption('twin');
  const words = page.getByRole('textbox', { name: 'Label words' });
  await words.fill('positive=good,marvellous;negative=bad');
  await expect(page.getByTestId('words-problem')).toContainText('“marvellous” (label “positive”) is 4 pieces');
  await expect(train).toBeDisabled();
  await words.fill('positive=good,great;negative=bad,terrible');
  await expect(page.getByTestId('words-problem')).toHaveCount(0);

  // A: train the prompt on the starter set; it reports accuracy on examples it did not train on.
  await train.click();
  const promptResult = page.getByTestId('prompt-result');
  await expect(promptResult).toHaveAttribute('data-done', 'true', { timeout: 90_000 });
  await expect(promptResult).toContainText(/Held-out accuracy: \d+% of 10 examples it did not train on/);
  const promptAccuracy = Number(await promptResult.getAttribute('data-accuracy'));
  expect(promptAccuracy).toBeGreaterThan(0.5);
  // The guesses for the tried sentence, with the label words highlighted.
  await tryInput.fill('It was a great and good day.');
  await expect(page.locator('[data-testid="mask-guess"]:not([data-label=""])').first()).toBeVisible({ timeout: 30_000 });

  // B: train the head (fewer epochs keep the test short) on the same examples.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('10');
  await page.getByRole('button', { name: 'Train the head' }).click();
  const headResult = page.getByTestId('head-result');
  await expect(headResult).toBeVisible({ timeout: 120_000 });
  await expect(headResult).toContainText(/Held-out accuracy: \d+% of 10 examples/);

  // Try with the head: the choice is remembered.
  await page.getByRole('radio', { name: 'B · the head' }).check();
  await expect(page.getByTestId('predicted-label')).toHaveText(/positive|negative/, { timeout: 60_000 });

  // Reload: pattern, words, chosen method, both results are still there.
  await page.reload();
  await openPanel(page);
  await expect(page.getByRole('textbox', { name: 'Label words' })).toHaveValue('positive=good,great;negative=bad,terrible');
  await expect(page.getByRole('textbox', { name: 'Pattern' })).toHaveValue('{text} It was [MASK].');
  await expect(page.getByRole('radio', { name: 'B · the head' })).toBeChecked();
  await expect(page.getByTestId('prompt-result')).toHaveAttribute('data-accuracy', String(promptAccuracy));
  await expect(page.getByTestId('head-result')).toBeVisible();
});

test('the experiment draws a reduced learning curve, can be cancelled, and survives a reload; corrupted settings fall back', async ({ page }) => {
  test.setTimeout(420_000);
  await openFresh(page);
  await page.getByRole('heading', { name: 'Does pre-training help? The experiment' }).scrollIntoViewIfNeeded();
  await expect(page.getByText('Kotzias, Denil, de Freitas & Smyth')).toBeVisible();
  await expect(page.getByText(/MIT-licensed npm package sentiment/)).toBeVisible();

  // Reduced: one shipped set, 40 test sentences, k ∈ {0, 8}, 2 draws, every method.
  await page.getByRole('combobox', { name: 'Data' }).selectOption('yelp');
  await page.getByRole('combobox', { name: 'Test sentences' }).selectOption('40');
  await page.getByRole('spinbutton', { name: 'Draws per k' }).fill('2');
  for (const k of ['4', '16', '32', '64']) await page.getByRole('checkbox', { name: k, exact: true }).uncheck();

  // Cancel works: the run stops, and nothing it did not finish is claimed.
  await page.getByRole('button', { name: 'Run the experiment' }).click();
  await expect(page.getByRole('progressbar', { name: 'Experiment progress' })).toBeVisible();
  await page.locator('section.experiment').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('button', { name: 'Run the experiment' })).toBeEnabled({ timeout: 60_000 });
  // What it did finish is marked as cut short — never as a finished ('done') run.
  const results = page.getByTestId('experiment-results');
  await expect(results).toHaveAttribute('data-status', 'cancelled');
  await expect(results).toContainText('Cancelled: only the points finished before are shown.');

  await page.getByRole('button', { name: 'Run the experiment' }).click();
  await expect(page.getByRole('progressbar', { name: 'Experiment progress' })).toBeVisible();
  await expect(results).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  // The two prompts at k = 0 and 8; the four others at k = 8 (they need examples).
  await expect(results).toHaveAttribute('data-cells', '8');
  const plot = page.getByRole('img', { name: /Learning curve/ });
  await expect(plot.locator('g.series')).toHaveCount(6);
  await expect(plot.locator('g.series[data-series="prompt"] g.point')).toHaveCount(2);
  await expect(plot.locator('g.series[data-series="prompt"] path.line')).toHaveAttribute('d', /^M/);
  await expect(page.getByTestId('cell-bow-8')).toHaveText(/^\d+% ± \d+%$/);
  const promptZero = await page.getByTestId('cell-prompt-0').textContent();
  // The panel with its results drawn: no serious or critical accessibility violations.
  const axe = await new AxeBuilder({ page }).include('.finetune').analyze();
  expect(axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([]);

  // Reload: the settings and the curve are back without running anything.
  await page.reload();
  await openPanel(page);
  await page.getByRole('heading', { name: 'Does pre-training help? The experiment' }).scrollIntoViewIfNeeded();
  await expect(page.getByRole('combobox', { name: 'Test sentences' })).toHaveValue('40');
  await expect(page.getByRole('spinbutton', { name: 'Draws per k' })).toHaveValue('2');
  await expect(page.getByRole('checkbox', { name: '8', exact: true })).toBeChecked();
  await expect(page.getByRole('checkbox', { name: '4', exact: true })).not.toBeChecked();
  await expect(page.getByTestId('experiment-results')).toHaveAttribute('data-cells', '8');
  await expect(page.getByTestId('cell-prompt-0')).toHaveText(promptZero ?? '');
  await expect(page.getByRole('img', { name: /Learning curve/ }).locator('g.series')).toHaveCount(6);

  // Corrupted storage: every value falls back to its default; the panel still works.
  await page.evaluate(() => {
    localStorage.setItem('bert-playground.fewshot-panel.v1', '{"method":"magic","pattern":7,"heldOut":"lots"');
    localStorage.setItem('bert-playground.fewshot-experiment.v1', JSON.stringify({ source: 'twitter', draws: -3, ks: ['x'] }));
    localStorage.setItem('bert-playground.fewshot-results.v1', JSON.stringify({ cells: [{ mean: 9 }] }));
    localStorage.setItem('bert-playground.prompt.v1', 'not json');
  });
  await page.reload();
  await openPanel(page);
  await expect(page.getByRole('textbox', { name: 'Pattern' })).toHaveValue('{text} It was [MASK].');
  await expect(page.getByRole('radio', { name: 'A · the prompt' })).toBeChecked();
  await expect(page.getByRole('combobox', { name: 'Data' })).toHaveValue('yelp');
  await expect(page.getByRole('spinbutton', { name: 'Draws per k' })).toHaveValue('3');
  await expect(page.getByRole('checkbox', { name: '64', exact: true })).toBeChecked();
  await expect(page.getByTestId('experiment-results')).toHaveCount(0);
  await expect(page.getByTestId('zero-shot')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
});

test('the console API reaches the prompt engine: zero-shot, training and classifying in the page', async ({ page }) => {
  await serveFixtures(page);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  const result = await page.evaluate(async () => {
    const api = window.bertPlayground;
    const bert = await api.loadModel(api.urlSource('/fixtures/tiny-mlm-f32/'));
    try {
      const examples = [
        { text: 'good movie', label: 'positive' },
        { text: 'a happy film', label: 'positive' },
        { text: 'bad movie', label: 'negative' },
        { text: 'a sad film', label: 'negative' },
      ];
      const labels = ['positive', 'negative'];
      const zs = await api.zeroShotPrompt(bert, labels);
      const trained = await api.trainPrompt(bert, examples, { labels, seed: 1 });
      const [c] = await api.classifyPrompt(bert, trained.classifier, ['good film'], { topK: 3 });
      return { words: zs.verbalizer, trainedOn: trained.classifier.trainedOn?.examples, filled: c.filled, guesses: c.guesses.length, sum: c.probs.positive + c.probs.negative };
    } finally {
      bert.dispose();
    }
  });
  expect(result.words).toEqual({ positive: ['good'], negative: ['bad'] });
  expect(result.trainedOn).toBe(4);
  expect(result.filled).toBe('good film It was [MASK].');
  expect(result.guesses).toBe(3);
  expect(result.sum).toBeCloseTo(1, 6);
});
