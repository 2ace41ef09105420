import { expect, test, type Page } from '@playwright/test';

// The engine in a dedicated worker (issue 18): the page's own thread only draws. tfjs, the
// models and every run live in the worker; a newer edit supersedes a stale run; a worker that
// stops is replaced, and the class loses nothing. Runs on wasm (the backend this machine's
// software WebGPU makes the page pick anyway), like the fine-tuning tests.

/** Installed before any page script: every long task (> 50 ms) of the page's main thread, with its start. */
const LONG_TASKS = `
  globalThis.__name = (f) => f;
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
`;

const chips = (page: Page) => page.getByTestId('token-chip').allTextContents();
const now = (page: Page) => page.evaluate(() => performance.now());

/** The sentences whose views were drawn after `from` (the page's `bert:views-updated` marks), in order. */
const drawnSince = (page: Page, from: number) =>
  page.evaluate(
    (from) =>
      performance
        .getEntriesByName('bert:views-updated')
        .filter((m) => m.startTime >= from)
        .map((m) => (m as PerformanceMark).detail.sentence as string),
    from,
  );

/** The longest main-thread task that ended after `from`, ms (0: none over 50 ms). */
const longestSince = (page: Page, from: number) =>
  page.evaluate((from) => {
    const tasks = (window as unknown as { __longTasks: [number, number][] }).__longTasks;
    return Math.max(0, ...tasks.filter(([start, d]) => start + d >= from).map(([, d]) => d));
  }, from);

async function open(page: Page) {
  await page.addInitScript({ content: LONG_TASKS });
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
}

test("the engine runs in a worker: the page's own thread never loads tfjs", async ({ page }) => {
  await open(page);
  const workers = page.workers().filter((w) => /engine\.worker/.test(w.url()));
  expect(workers).toHaveLength(1);
  // tfjs keeps its engine in a global when it loads: there in the worker, absent on the page.
  expect(await workers[0].evaluate(() => '_tfengine' in globalThis)).toBe(true);
  const page_ = await page.evaluate(() => ({
    tfjs: '_tfengine' in globalThis,
    consoleHasTf: 'tf' in window.bertPlayground,
    // What the page's thread itself fetched: no wasm binaries (tfjs-wasm's, our kernels') — the worker fetches those.
    fetched: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
  }));
  expect(page_.tfjs).toBe(false);
  expect(page_.consoleHasTf).toBe(false);
  expect(page_.fetched.filter((p) => p.endsWith('.wasm'))).toEqual([]);
  // The console API forwards to the worker and answers with the engine's own results.
  const answer = await page.evaluate(async () => {
    const api = window.bertPlayground;
    const bert = await api.loadModel('/weights/bert-mini/');
    const e = await api.encode(bert, 'the cat sat on the [MASK].');
    const before = await api.memory();
    bert.dispose();
    return { backend: await api.backend(), tokens: e.tokens, guess: e.lm[0].predictions[0].token, maps: e.attentions.flat().length, tensors: before.numTensors };
  });
  expect(answer.backend).toBe('wasm');
  expect(answer.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]', '.', '[SEP]']);
  expect(answer.guess).toMatch(/^\S+$/);
  expect(answer.maps).toBe(4 * 4);
  expect(answer.tensors).toBeGreaterThan(0);
});

test('typing updates the views through the worker; a stale run is cancelled, never drawn after a newer one', async ({ page }) => {
  await open(page);
  const input = page.getByRole('textbox', { name: 'Sentence', exact: true });
  await input.fill('');
  await page.waitForTimeout(300);
  const typed = 'The children read a long story about the sea.';
  const from = await now(page);
  await input.pressSequentially(typed, { delay: 0 }); // faster than the model: runs overlap
  await expect.poll(() => drawnSince(page, from).then((s) => s[s.length - 1])).toBe(typed);
  await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'children', 'read', 'a', 'long', 'story', 'about', 'the', 'sea', '.', '[SEP]']);
  const drawn = await drawnSince(page, from);
  // Every drawn sentence was the newest typed at the time: each one a longer prefix than the one before.
  for (let i = 1; i < drawn.length; i++) {
    expect(typed.startsWith(drawn[i])).toBe(true);
    expect(drawn[i].length).toBeGreaterThan(drawn[i - 1].length);
  }
  // Superseded runs were dropped: far fewer drawings than keystrokes.
  expect(drawn.length).toBeLessThan(typed.length);
  console.log(JSON.stringify({ keystrokes: typed.length, drawn: drawn.length }));
});

test('the main thread stays free while typing and while the head trains (longest task, shipped model)', async ({ page }) => {
  test.setTimeout(300_000);
  await open(page);
  const input = page.getByRole('textbox', { name: 'Sentence', exact: true });
  await input.fill('');
  await page.waitForTimeout(500);
  const typed = 'The children read a long story.';
  let from = await now(page);
  await input.pressSequentially(typed, { delay: 80 });
  await expect.poll(() => drawnSince(page, from).then((s) => s.includes(typed))).toBe(true);
  const typing = await longestSince(page, from);

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('20');
  from = await now(page);
  await page.getByRole('button', { name: 'Train the head' }).click();
  await expect(page.getByTestId('training-summary')).toHaveAttribute('data-done', 'true', { timeout: 200_000 });
  const training = await longestSince(page, from);
  console.log(JSON.stringify({ main_thread_longest_ms: { typing, training } }));
  // The target is 50 ms (measured by `npm run bench -- --main-thread`); this machine is shared, so the test's bound is generous.
  expect(typing).toBeLessThan(200);
  expect(training).toBeLessThan(200);
});

for (const how of ['throw', 'close'] as const) {
  test(`the worker ${how === 'throw' ? 'crashes' : 'stops without a word'}: a message, a new worker, the sentence, mask and examples kept`, async ({ page }) => {
    test.setTimeout(240_000);
    await open(page);
    const sentence = page.getByRole('textbox', { name: 'Sentence', exact: true });
    await sentence.fill('The cat sat on the mat.');
    await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
    await page.getByTestId('token-chip').nth(6).click();
    await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);
    await page.getByRole('button', { name: 'Add example' }).click();
    const rows = page.getByRole('textbox', { name: /^Text of example/ });
    const count = await rows.count();
    await rows.nth(count - 1).fill('A joyful, heart-warming evening.');
    const first = page.workers()[0];

    await page.evaluate((how) => window.bertPlayground.crashEngine(how), how);
    if (how === 'close') {
      // Nothing tells the page; a run that waits for an answer does (the watchdog: no answer, no pong).
      await sentence.fill('The dog sat on the mat.');
    }
    const notice = page.getByTestId('engine-restarted');
    await expect(notice).toHaveAttribute('role', 'alert', { timeout: 90_000 });
    await expect(notice).toContainText(how === 'throw' ? 'The engine stopped (' : 'stopped answering');
    await expect(notice).toContainText('and was restarted');
    await expect.poll(() => page.workers().filter((w) => w !== first).length).toBe(1);

    // Kept: the sentence (and its mask, when it was not edited), the examples; the views come back from the new worker.
    if (how === 'throw') {
      await expect(sentence).toHaveValue('The cat sat on the mat.');
      await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]mat', '.', '[SEP]']);
      await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);
    } else {
      await expect(sentence).toHaveValue('The dog sat on the mat.');
      await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'dog', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
    }
    await expect(rows).toHaveCount(count);
    await expect(rows.nth(count - 1)).toHaveValue('A joyful, heart-warming evening.');
    // And it answers new edits.
    await sentence.fill('A cat sat.');
    await expect.poll(() => chips(page)).toEqual(['[CLS]', 'a', 'cat', 'sat', '.', '[SEP]']);
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    await expect(page.locator('[role="alert"]').filter({ hasNotText: 'The engine stopped' })).toHaveCount(0);
  });
}

test("the page's ?tfjsflags= reaches tfjs in the worker; an entry tfjs does not know is skipped with a warning, not fatal", async ({ page }) => {
  // tfjs reads the switch from its own global's URL, which in a worker is the script's: the page passes it on.
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text())); // the worker's console included
  await page.goto('/?backend=wasm&warmup=0&tfjsflags=NO_SUCH_FLAG:true,DEPRECATION_WARNINGS_ENABLED:false,DEBUG:maybe');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  expect(await page.evaluate(() => window.bertPlayground.tfFlag('DEPRECATION_WARNINGS_ENABLED'))).toBe(false); // tfjs's default: true
  expect(await page.evaluate(() => window.bertPlayground.tfFlag('DEBUG'))).toBe(false); // not "maybe": refused
  expect(warnings.filter((w) => w.startsWith('tfjsflags:'))).toEqual([
    'tfjsflags: "DEBUG:maybe" is not NAME:value (a flag name in capitals; true, false or a number)',
    'tfjsflags: NO_SUCH_FLAG is not a flag of the tfjs modules loaded so far; it applies if a backend loaded later registers it',
  ]);
});
