import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

// After one visit the built app and the shipped models work with the network off (public/sw.js).

// The cache name changes whenever the shipped weights do: read it from the worker itself.
const APP_CACHE = /const CACHE = '([^']+)'/.exec(readFileSync('public/sw.js', 'utf8'))?.[1] ?? 'no cache name in public/sw.js';

// playwright.config.ts blocks service workers for the other specs (they would hide requests from page.route).
test.use({ serviceWorkers: 'allow' });

test('offline after the first visit: token chips and fill-mask predictions', async ({ page, context }) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  // The worker has kept the page and both shipped checkpoints.
  await expect
    .poll(() =>
      page.evaluate(async (name) => {
        const keys = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
        return ['/', '/weights/bert-mini/model.safetensors', '/weights/bert-mini-causal/model.safetensors'].filter(
          (p) => !keys.includes(p),
        );
      }, APP_CACHE),
    )
    .toEqual([]);

  await context.setOffline(true);
  await page.reload();
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the mat.');
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
  await page.getByTestId('token-chip').nth(6).click();
  for (const side of ['predictions-bidirectional', 'predictions-causal']) {
    await expect(page.getByTestId(side).first().locator('g.bar')).toHaveCount(5);
  }
});
