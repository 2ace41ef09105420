import { expect, test } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';

// The README's first command is `npm run dev`: the development server must give a working page
// too. It differs from the built app the other specs use: unbundled modules, and React's
// StrictMode running every effect twice (once made two backend starts race each other).

let server: ViteDevServer;

test.beforeAll(async () => {
  server = await createServer({ logLevel: 'error', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
});

test.afterAll(async () => {
  await server?.close();
});

test('npm run dev: the page starts a backend, loads the models and answers', async ({ page }) => {
  const base = server.resolvedUrls?.local[0];
  expect(base).toBeDefined();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}?text=${encodeURIComponent('The cat sat on the [MASK].')}`);
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]', '.', '[SEP]']);
  await expect(page.getByTestId('backend')).toHaveText(/^(webgpu|webgl|wasm|cpu)$/);
  await expect(page.getByTestId('predictions-bidirectional').locator('g.bar')).toHaveCount(5);
  expect(errors).toEqual([]);
});
