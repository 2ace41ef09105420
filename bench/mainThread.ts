/**
 * How long the page's main thread is blocked while a student works — the
 * longest single task, since one long task is what makes a page feel frozen
 * (a key press, a scroll or a click waits behind it).
 *
 * Measured in the built app, headless Chromium, the backend the page picks by
 * itself, with the Long Tasks API (every task over 50 ms, with its duration)
 * and, for the quieter cases, a heartbeat: a zero-delay timer that re-arms
 * itself and records the largest gap between its ticks. The gap includes the
 * timer's own ~4 ms clamp, so it over-states a task by a few ms, never under.
 * A window's figure is the larger of the two.
 *
 * - typing: a 30-character sentence typed one key at a time (80 ms apart, a
 *   quick typist), until the views show the whole sentence.
 * - training: the fine-tuning panel's "Train the head" on the examples the
 *   page starts with, 20 epochs, start to finish.
 * - paste: ~1 MB of text put into the sentence box at once, until the views
 *   have been redrawn (or 10 s).
 * - paste_bare: the same text put into a bare <textarea> on the same origin —
 *   what the browser alone costs, so paste − paste_bare is the page's share.
 * - typing_bert_base (when a bert-base-shape folder is given): that model made
 *   the main model (the picker's `bert:use-model` request, as the lab's "Use as
 *   the main model" sends it), a sentence of ~60 tokens in the box, then 10
 *   more characters typed one key at a time; with it, `keystroke_ms` — the last
 *   key → every view redrawn for the whole sentence.
 */
import type { Browser, Page } from '@playwright/test';

export interface MainThreadResult {
  typing: number;
  training: number;
  paste: number;
  paste_bare: number;
  /** Only with a bert-base-shape folder (bench/run.ts's full run, or `--main-thread` when one is cached). */
  typing_bert_base?: number;
}

/** The bert-base-shape part: its longest task while typing, the last key → views, and the sentence's tokens. */
export interface BertBaseTyping {
  typing: number;
  keystroke_ms: number;
  tokens: number;
}

const TYPED = 'The children read a long story.'; // 31 characters
const KEY_DELAY_MS = 80;
const PASTE_CHARS = 1_000_000;
const BARE_PATH = '__bench-bare-textbox';

/** Installed before any page script: records long tasks and heartbeat gaps with their times. */
export const PROBE = `
  globalThis.__name = (f) => f;
  window.__longTasks = [];
  window.__gaps = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  let last = performance.now();
  const beat = () => {
    const now = performance.now();
    window.__gaps.push([last, now - last]);
    if (window.__gaps.length > 200000) window.__gaps.splice(0, 100000);
    last = now;
    setTimeout(beat, 0);
  };
  setTimeout(beat, 0);
`;

/** The longest main-thread task in [from, to] (ms of performance.now()). */
export async function longestSince(page: Page, from: number): Promise<number> {
  return page.evaluate((from) => {
    const w = window as unknown as { __longTasks: [number, number][]; __gaps: [number, number][] };
    // An entry counts when it ends after `from` (a task running when the window opened blocked it too).
    const inWindow = (entries: [number, number][]) => entries.filter(([start, d]) => start + d >= from).map(([, d]) => d);
    return Math.max(0, ...inWindow(w.__longTasks), ...inWindow(w.__gaps));
  }, from);
}

export const now = (page: Page) => page.evaluate(() => performance.now());

/**
 * Waits until the views have been drawn for a sentence of `length` characters
 * after time `from` (the page's `bert:views-updated` mark); resolves to that
 * mark's time. Compares lengths, not texts, so the poll itself stays cheap
 * with a 1 MB sentence.
 */
async function viewsFor(page: Page, length: number, from: number, timeout = 120_000): Promise<number> {
  const drawn = await page.waitForFunction(
    ([length, from]) =>
      performance
        .getEntriesByName('bert:views-updated')
        .find((m) => m.startTime >= from && (m as PerformanceMark).detail?.sentence?.length === length)?.startTime,
    [length, from] as const,
    { timeout, polling: 100 },
  );
  return (await drawn.jsonValue()) as number;
}

export async function mainThreadBench(browser: Browser, base: string): Promise<MainThreadResult> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await context.addInitScript({ content: PROBE });
    await context.route(`**/${BARE_PATH}`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare</title><textarea aria-label="bare"></textarea>' }),
    );
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('token-chip').first().waitFor({ timeout: 120_000 });
    const input = page.getByRole('textbox', { name: /sentence/i });
    await input.fill('');
    await page.waitForTimeout(500);

    // Typing, one key at a time.
    let from = await now(page);
    await input.pressSequentially(TYPED, { delay: KEY_DELAY_MS });
    await viewsFor(page, TYPED.length, from);
    const typing = await longestSince(page, from);

    // Training the head on the starting examples.
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('20');
    from = await now(page);
    await page.getByRole('button', { name: 'Train the head' }).click();
    await page.getByTestId('training-summary').and(page.locator('[data-done="true"]')).waitFor({ timeout: 600_000 });
    const training = await longestSince(page, from);

    // A ~1 MB paste: words, so the tokenizer has real work.
    const big = 'the quick brown fox jumps over the lazy dog . '.repeat(Math.ceil(PASTE_CHARS / 46)).slice(0, PASTE_CHARS);
    from = await now(page);
    await input.fill(big);
    await viewsFor(page, big.length, from, 30_000).catch(() => page.waitForTimeout(10_000));
    const paste = await longestSince(page, from);

    const bare = await context.newPage();
    await bare.goto(new URL(BARE_PATH, base).href);
    await bare.waitForTimeout(300);
    from = await now(bare);
    await bare.getByRole('textbox', { name: 'bare' }).fill(big);
    await bare.waitForTimeout(1000);
    const paste_bare = await longestSince(bare, from);

    return { typing: round(typing), training: round(training), paste: round(paste), paste_bare: round(paste_bare) };
  } finally {
    await context.close();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;

const BASE_SENTENCE = Array.from({ length: 56 }, (_, i) => ['the', 'class', 'read', 'a', 'story', 'about', 'rain', '.'][i % 8]).join(' ');
const BASE_TYPED = ' and more';

/**
 * typing_bert_base: `folderUrl` (a Hugging Face folder on the page's origin)
 * becomes the main model, then typing at ~60 tokens as above, on the backend
 * the page picks.
 */
export async function bertBaseTyping(browser: Browser, base: string, folderUrl: string): Promise<BertBaseTyping> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await context.addInitScript({ content: PROBE });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByTestId('token-chip').first().waitFor({ timeout: 120_000 });
    await page.evaluate(async (url) => {
      const names = ['config.json', 'vocab.txt', 'model.safetensors'];
      const files = await Promise.all(names.map(async (name) => [name, await (await fetch(url + name)).arrayBuffer()] as [string, ArrayBuffer]));
      await new Promise<void>((resolve, reject) => {
        const done = (problem: string | null) => (problem === null ? resolve() : reject(new Error(problem)));
        window.dispatchEvent(new CustomEvent('bert:use-model', { detail: { id: 'bert-base-shape', cached: false, files, done } }));
      });
    }, folderUrl);
    const input = page.getByRole('textbox', { name: /sentence/i });
    let from = await now(page);
    await input.fill(BASE_SENTENCE);
    await viewsFor(page, BASE_SENTENCE.length, from, 300_000);
    const tokens = await page.getByTestId('token-chip').count();
    await page.waitForTimeout(1000);

    from = await now(page);
    await input.pressSequentially(BASE_TYPED, { delay: KEY_DELAY_MS });
    const lastKey = await now(page);
    const full = BASE_SENTENCE.length + BASE_TYPED.length;
    const drawn = await viewsFor(page, full, from, 300_000);
    const typing = await longestSince(page, from);
    return { typing: round(typing), keystroke_ms: round(drawn - lastKey), tokens };
  } finally {
    await context.close();
  }
}
