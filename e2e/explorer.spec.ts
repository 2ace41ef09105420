import { expect, test, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

// The attention explorer on the shipped BERT-mini and its causal twin, on WebGPU.

async function open(page: Page): Promise<void> {
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
}

/** Query/key/value of every coloured cell of the heatmaps inside `scope`. */
async function cells(page: Page, scope: string) {
  return page.locator(`${scope} rect.cell`).evaluateAll((rects) =>
    rects.map((r) => ({
      query: Number(r.getAttribute('data-query')),
      key: Number(r.getAttribute('data-key')),
      value: Number(r.getAttribute('data-value')),
    })),
  );
}

test('type a sentence, mask a word, compare both models, explore attention, export', async ({ page }, testInfo) => {
  await open(page);

  // 1. Token chips for a typed sentence.
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the mat.');
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);

  // 2. Click "mat" to mask it: both models predict, BERT-mini from both sides, the twin from the left.
  await page.getByRole('button', { name: /^mat, token 6/ }).click();
  await expect(page.getByTestId('token-chip').nth(6)).toContainText('[MASK]');
  const row = page.getByTestId('fill-mask-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('was “mat”');
  for (const side of ['predictions-bidirectional', 'predictions-causal']) {
    const bars = page.getByTestId(side).locator('g.bar');
    await expect(bars).toHaveCount(5);
  }
  await page.screenshot({ path: testInfo.outputPath('fill-mask.png'), fullPage: true });

  // 3. Switch layer / head: the heatmap's numbers change.
  const before = await cells(page, '.main-heatmap');
  expect(before.length).toBe(81);
  await page.getByRole('combobox', { name: 'Layer', exact: true }).selectOption('2');
  await page.getByRole('combobox', { name: 'Head', exact: true }).selectOption('3');
  await expect.poll(async () => JSON.stringify(await cells(page, '.main-heatmap'))).not.toBe(JSON.stringify(before));
  await page.screenshot({ path: testInfo.outputPath('heatmap.png'), fullPage: true });

  // 4. The mask contrast: nothing above the diagonal under the causal mask; plenty under the bidirectional one.
  await page.getByRole('tab', { name: 'BERT vs GPT mask' }).click();
  const causal = await cells(page, '.contrast-causal');
  const bidirectional = await cells(page, '.contrast-bidirectional');
  expect(causal.length).toBeGreaterThan(0);
  expect(causal.filter((c) => c.key > c.query && c.value > 0)).toEqual([]);
  // (Layer 2, head 3 of the trained BERT-mini mostly looks one token back, yet still sends
  // some attention to later tokens; a causal mask would leave none.)
  expect(bidirectional.filter((c) => c.key > c.query && c.value > 0.01).length).toBeGreaterThan(2);
  await expect(page.getByRole('heading', { name: 'bidirectional · BERT-mini' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'causal · twin' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('mask-contrast.png'), fullPage: true });

  // 5. Model view: one thumbnail per layer × head; clicking one opens it in the heatmap.
  const layers = await page.getByRole('combobox', { name: 'Layer', exact: true }).locator('option').count();
  const heads = await page.getByRole('combobox', { name: 'Head', exact: true }).locator('option').count();
  await page.getByRole('tab', { name: 'All layers & heads' }).click();
  await expect(page.locator('g.thumb')).toHaveCount(layers * heads);
  await page.screenshot({ path: testInfo.outputPath('model-view.png'), fullPage: true });
  await page.locator('g.thumb').nth(heads + 1).click(); // layer 2, head 2
  await expect(page.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('combobox', { name: 'Layer', exact: true })).toHaveValue('1');
  await expect(page.getByRole('combobox', { name: 'Head', exact: true })).toHaveValue('1');

  // Head view: lines for every head; switching a head off removes its lines.
  await page.getByRole('tab', { name: 'Head view' }).click();
  const links = page.locator('line.link, path.link');
  await expect.poll(() => links.count()).toBeGreaterThan(0);
  const allLinks = await links.count();
  await page.locator('g.head-toggle').first().click();
  await expect.poll(() => links.count()).toBeLessThan(allLinks);

  // 6. Export the heatmap as SVG and check the file.
  await page.getByRole('tab', { name: 'Heatmap' }).click();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Save SVG of Attention heatmap/ }).click(),
  ]);
  const file = testInfo.outputPath(download.suggestedFilename());
  await download.saveAs(file);
  expect(download.suggestedFilename()).toMatch(/\.svg$/);
  const svg = await readFile(file, 'utf8');
  expect(svg).toMatch(/^<\?xml/);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect((svg.match(/class="cell"/g) ?? []).length).toBe(81);
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /Save PNG of Attention heatmap/ }).click(),
  ]);
  const pngFile = testInfo.outputPath(png.suggestedFilename());
  await png.saveAs(pngFile);
  const bytes = await readFile(pngFile);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(bytes.byteLength).toBeGreaterThan(2000);
});

test('typing [MASK] works too, and stale results never overwrite newer ones', async ({ page }) => {
  await open(page);
  const input = page.getByRole('textbox', { name: 'Sentence', exact: true });
  // Type quickly, character by character: only the final sentence may be shown.
  await input.fill('');
  await input.pressSequentially('she went to the [MASK] .', { delay: 5 });
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'she', 'went', 'to', 'the', '[MASK]', '.', '[SEP]'], {
    timeout: 60_000,
  });
  await expect(page.getByTestId('fill-mask-row')).toHaveCount(1);
  await expect(page.getByTestId('run-time')).toHaveText(/\d+ ms/);
});

test('the URL holds the view: opening it restores sentence, mask, model, layer, head and view', async ({ page }) => {
  await page.goto('/?backend=webgpu&text=The%20dog%20ran%20home.&masked=2&view=contrast&mask=causal&layer=2&head=3&mean=1');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', /\[MASK\]/, 'ran', 'home', '.', '[SEP]'], {
    timeout: 60_000,
  });
  await expect(page.getByRole('tab', { name: 'BERT vs GPT mask' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('combobox', { name: 'Model', exact: true })).toHaveValue('causal');
  await expect(page.getByRole('combobox', { name: 'Layer', exact: true })).toHaveValue('1');
  await expect(page.getByRole('combobox', { name: 'Head', exact: true })).toHaveValue('2');
  await expect(page.getByRole('checkbox', { name: 'Mean over heads' })).toBeChecked();
  // Changing the view writes back to the URL.
  await page.getByRole('tab', { name: 'Heatmap' }).click();
  await expect(page).toHaveURL(/view=heatmap/);
  await page.getByRole('combobox', { name: 'Layer', exact: true }).selectOption('0');
  await expect(page).toHaveURL(/layer=1(&|$)/);
});
