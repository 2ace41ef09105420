import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Serve the test checkpoints at /fixtures/<name>/<file> on the page's own origin,
 * like a model host would (the tests have no internet). A missing file is a 404.
 */
export async function serveFixtures(page: Page): Promise<void> {
  await page.route('**/fixtures/**', async (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/fixtures\//, '');
    if (path.includes('..')) return route.fulfill({ status: 400 });
    try {
      const body = await readFile(join('test/fixtures/checkpoints', path));
      await route.fulfill({ status: 200, body, headers: { 'content-length': String(body.byteLength) } });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
}
