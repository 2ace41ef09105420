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

/** Starts recording the longest main-thread task (Long Tasks API: every task over 50 ms) from now. */
export async function watchLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { longest: number; observer?: PerformanceObserver };
    w.longest = 0;
    w.observer?.disconnect();
    w.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longest = Math.max(w.longest, e.duration);
    });
    w.observer.observe({ type: 'longtask' });
  });
}

/** The longest main-thread task since watchLongTasks (0 when none passed 50 ms). */
export const longestTask = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { longest: number }).longest);
