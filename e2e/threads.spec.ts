import { expect, test, type Page } from '@playwright/test';

/**
 * wasm threads (docs/performance.md#wasm-threads): with `?threads=2` on a
 * cross-origin-isolated page, tfjs-wasm's threaded build runs in the engine's
 * worker and gemm.wat's products are split with a helper thread on the same
 * shared memory. The numbers must be those of one thread; the helper must
 * really have run parts. Timing is `npm run bench -- --quick --backend wasm`.
 */

/** A 64-token sentence's hidden states and attentions on a random model wide enough to be split. */
async function encodeOn(page: Page, threads: number) {
  await page.goto(`/?backend=wasm&threads=${threads}`);
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  return page.evaluate(async () => {
    const api = window.bertPlayground;
    const bert = await api.randomModel({ layers: 2, hidden: 256, heads: 4, intermediate: 1024 }, 7);
    const text = Array.from({ length: 62 }, (_, i) => `w${i % 20}`).join(' ');
    const e = await api.encode(bert, text, { hiddenStates: true });
    const pool = await api.gemmThreads();
    bert.dispose();
    return {
      isolated: crossOriginIsolated,
      pool,
      tokens: e.tokens.length,
      hidden: Array.from(e.hiddenStates![e.hiddenStates!.length - 1]),
      attention: Array.from(e.attentions[1][3]),
    };
  });
}

test('two wasm threads: the products are split with a helper thread, and the numbers are those of one thread', async ({ page }) => {
  test.setTimeout(180_000);
  const one = await encodeOn(page, 1);
  const two = await encodeOn(page, 2);
  expect(two.isolated).toBe(true);
  expect(one.pool).toEqual({ threads: 1, helperRuns: 0 });
  expect(two.pool.threads).toBe(2);
  expect(two.pool.helperRuns).toBeGreaterThan(0);
  expect(two.tokens).toBe(one.tokens);
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  expect(maxDiff(two.hidden, one.hidden)).toBeLessThanOrEqual(1e-5);
  expect(maxDiff(two.attention, one.attention)).toBeLessThanOrEqual(1e-5);
});
