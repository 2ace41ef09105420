/**
 * `npm run bench -- --buckets`: WebGPU first run vs warm run per sequence
 * bucket (engine/kernels/buckets.ts), in the built app, for the shipped model —
 * without buckets (every length its own shapes), with buckets, and with buckets
 * after `warmUpBuckets` has compiled them ahead. Each condition in a fresh page,
 * after the page's own sentence has run (its first compiles are behind it).
 * Per bucket T a sentence of T − 1 tokens: the first run, the median of three
 * warm runs and how many shader programs the first run compiled. The figures
 * behind docs/performance.md#webgpu-buckets; the compile counts are asserted
 * by e2e/buckets.spec.ts.
 */
import type { Browser } from '@playwright/test';

export type BucketCondition = 'unbucketed' | 'bucketed' | 'warmed';

export interface BucketRow {
  condition: BucketCondition;
  warm_up_ms: number;
  /** Per bucket (16, 32, … 128 tokens): first run, warm run (median of 3), programs compiled by the first. */
  buckets: Record<string, { first_ms: number; warm_ms: number; compiled: number }>;
}

export async function bucketsBench(browser: Browser, base: string, say: (line: string) => void): Promise<BucketRow[]> {
  const rows: BucketRow[] = [];
  for (const condition of ['unbucketed', 'bucketed', 'warmed'] as const) {
    say(`webgpu buckets: ${condition}…`);
    const page = await browser.newPage();
    try {
      // tsx compiles this file with esbuild's keepNames, which wraps functions in __name(…): the page needs it too.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      await page.goto(new URL('/?backend=webgpu&warmup=0', base).href); // the page's own warm-up would blur the conditions
      await page.getByTestId('token-chip').first().waitFor({ timeout: 180_000 });
      const backend = await page.getByTestId('backend').textContent();
      if (backend !== 'webgpu') throw new Error(`the page runs on ${backend ?? 'no backend'}, not webgpu`);
      rows.push(
        await page.evaluate(async (condition) => {
          const api = window.bertPlayground;
          const programs = async () => (await api.compiledPrograms()) ?? NaN;
          const bert = await api.loadModel('/weights/bert-mini/');
          const bucket = condition === 'unbucketed' ? 1 : undefined;
          let warmUpMs = 0;
          if (condition === 'warmed') {
            const t0 = performance.now();
            await api.warmUpBuckets(bert, { maxTokens: 128 });
            warmUpMs = performance.now() - t0;
          }
          const buckets: Record<string, { first_ms: number; warm_ms: number; compiled: number }> = {};
          for (let T = 16; T <= 128; T += 16) {
            const text = Array.from({ length: T - 3 }, () => 'the').join(' '); // T − 1 tokens with [CLS], [SEP]
            const run = async () => {
              const t0 = performance.now();
              await api.encode(bert, text, { valueNorms: true, bucket });
              return performance.now() - t0;
            };
            const before = await programs();
            const first = await run();
            const compiled = (await programs()) - before;
            const warm = [await run(), await run(), await run()].sort((a, b) => a - b)[1];
            buckets[T] = { first_ms: Math.round(first), warm_ms: Math.round(warm), compiled };
          }
          bert.dispose();
          return { condition, warm_up_ms: Math.round(warmUpMs), buckets };
        }, condition),
      );
    } finally {
      await page.close();
    }
  }
  return rows;
}
