import { expect, test, type Page } from '@playwright/test';

/**
 * WebGPU shapes (engine/kernels/buckets.ts): sentences are padded to buckets of
 * 16 tokens, so a sentence typed one character at a time reuses the shader
 * programs compiled for its bucket; warmUpBuckets compiles them ahead, without
 * running them. Counted in tfjs-webgpu's pipeline cache (one entry per compiled
 * program), not timed. The times per bucket are `npm run bench -- --buckets`
 * (bench/buckets.ts), for docs/performance.md#webgpu-buckets.
 */

/** 30 tokens with [CLS] and [SEP] in bert-mini's vocabulary (checked below): it spans buckets 16 and 32. */
const SENTENCE = 'the children in our class typed a short sentence about the rain, and the model showed how each single word looks at all the others.';
const BUCKETS_SPANNED = 2;

async function openOnWebGpu(page: Page): Promise<void> {
  // Without the page's own warm-up (useModels), which would compile the programs counted here.
  await page.goto('/?backend=webgpu&warmup=0');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  // The page has drawn its own sentence: its first compiles are behind us.
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 120_000 });
}

/**
 * Loads the shipped model, runs the first keystroke, optionally warms its
 * buckets up (to 128 tokens), then encodes the sentence's prefixes as the page
 * does on each keystroke (the model with value norms, then its causal twin
 * view): how many programs were compiled while typing, and how many by the
 * warm-up. A program depends on the shapes alone, so of the keystrokes that
 * give the same number of tokens only the first is run: the same programs as
 * all 131 keystrokes, in a quarter of the time on a software adapter.
 */
function typeSentence(page: Page, options: { bucket?: number; warmUp: boolean }) {
  return page.evaluate(
    async ({ sentence, bucket, warmUp }) => {
      const api = window.bertPlayground;
      const programs = async () => (await api.compiledPrograms()) ?? NaN;
      const tensors = async () => (await api.memory()).numTensors;
      const bert = await api.loadModel('/weights/bert-mini/');
      const tokens = bert.tokenizer.encode(sentence).ids.length;
      const keystroke = async (prefix: string) => {
        await api.encode(bert, prefix, { valueNorms: true, lm: 'masked', bucket });
        await api.encode(bert, prefix, { mask: 'causal', lm: 'none', bucket });
      };
      // The first keystroke's views (value norms, the causal twin) as the page shows them before the
      // sentence grows: what is counted below is what growing it costs.
      await keystroke(sentence[0]);
      let warmed = 0;
      let warmMs = 0;
      const before0 = await tensors();
      if (warmUp) {
        const t0 = performance.now();
        warmed = await api.warmUpBuckets(bert, { maxTokens: 128 });
        warmMs = performance.now() - t0;
      }
      const leftBehind = (await tensors()) - before0;
      const before = await programs();
      const t0 = performance.now();
      const lengths = new Set([bert.tokenizer.encode(sentence[0]).ids.length]);
      let runs = 0;
      for (let i = 2; i <= sentence.length; i++) {
        const prefix = sentence.slice(0, i);
        const n = bert.tokenizer.encode(prefix).ids.length;
        if (lengths.has(n)) continue;
        lengths.add(n);
        runs++;
        await keystroke(prefix);
      }
      const typingMs = performance.now() - t0;
      const compiled = (await programs()) - before;
      bert.dispose();
      return { tokens, compiled, warmed, warmMs, typingMs, leftBehind, keystrokes: sentence.length, runs };
    },
    { sentence: SENTENCE, ...options },
  );
}

test('typing a 30-token sentence compiles at most one set of programs per bucket, and none after the warm-up', async ({ page }) => {
  test.setTimeout(900_000);
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (/WEBGPU_ENGINE_COMPILE_ONLY|checkCompileCompletionAsync/.test(m.text())) warnings.push(m.text());
  });

  await openOnWebGpu(page);
  const unbucketed = await typeSentence(page, { bucket: 1, warmUp: false });

  await openOnWebGpu(page);
  const bucketed = await typeSentence(page, { warmUp: false });

  await openOnWebGpu(page);
  const warmed = await typeSentence(page, { warmUp: true });
  console.log(JSON.stringify({ unbucketed, bucketed, warmed }));
  expect(unbucketed.tokens).toBe(30);
  expect(unbucketed.runs).toBe(28); // every length from 3 to 30 tokens was run once

  // Before: every new length can compile programs of its own. Now: only a new bucket may.
  expect(bucketed.compiled).toBeLessThanOrEqual(BUCKETS_SPANNED);
  expect(bucketed.compiled).toBeLessThan(unbucketed.compiled);
  expect(warmed.warmed).toBeGreaterThan(0); // it did compile: the first keystroke had compiled only bucket 16's
  expect(warmed.compiled).toBe(0);
  expect(warmed.leftBehind).toBe(0); // the compile-only runs left no tensors
  expect(warnings).toEqual([]); // and read nothing back
});

test('the page warms its model up by itself: once done, typing the sentence compiles nothing', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 120_000 });
  const warmedUp = await page.waitForFunction(
    () => (performance.getEntriesByName('bert:warmed-up')[0] as PerformanceMark | undefined)?.detail?.compiled as number | undefined,
    undefined,
    { timeout: 300_000 },
  );
  expect(await warmedUp.jsonValue()).toBeGreaterThan(0);
  const typed = await typeSentence(page, { warmUp: false });
  expect(typed.compiled).toBe(0);
});
