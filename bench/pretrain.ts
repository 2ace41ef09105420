/**
 * The pre-training lab as a benchmark (issue 20): the built page in headless
 * Chromium, the lab's panel driven as a student would — budget in seconds,
 * Start, wait until it stops by itself — on wasm; the numbers are read from
 * the panel (its table of held-out tests and its status line), so they are
 * the ones the class sees. Then, if asked, a short run on WebGPU for its
 * tokens per second (SwiftShader on a machine without a GPU).
 *
 * `held-out top-1` is the masked model's share of held-out masked pieces
 * whose most probable piece is right; the twin's is the causal model's on the
 * same pieces from the left context only (the engine's evaluate()).
 *
 * `main_thread_longest_ms`: the page's longest main-thread task from Start to
 * the end of the wasm run (Long Tasks API and a heartbeat, as bench/mainThread.ts
 * measures it): the lab trains in its own worker, so the page must stay free.
 */
import type { Browser, Page } from '@playwright/test';
import { longestSince, now, PROBE } from './mainThread';

export interface PretrainBenchOptions {
  /** Wasm training budget, seconds (default 600). */
  seconds?: number;
  /** Steps between held-out tests (each point of the curve); default 50. */
  evalEvery?: number;
  /**
   * WebGPU measurement, in training steps (its tokens per second count step time only, not the
   * held-out test at step 0, which a software GPU takes minutes over); 0 skips it (default 10).
   */
  webgpuSteps?: number;
  say?: (line: string) => void;
}

export interface PretrainCurvePoint {
  step: number;
  tokens: number;
  seconds: number;
  heldout_top1: number;
  twin_top1: number;
  heldout_loss: number;
  twin_loss: number;
  tensors: number;
}

export interface PretrainBenchResult {
  pretrain: {
    backend: string;
    model: string;
    vocab: number;
    seconds: number;
    steps: number;
    tokens_per_s: number;
    heldout_top1_start: number;
    heldout_top1_end: number;
    unigram_top1: number;
    twin_next_token_top1_end: number;
    main_thread_longest_ms: number;
    webgpu_tokens_per_s: number | null;
    /** Why there is no WebGPU figure, when there is none. */
    webgpu_note: string | null;
  };
  pretrain_curve: PretrainCurvePoint[];
}

interface Record {
  step: number;
  tokens: number;
  elapsedMs: number;
  trainMs: number;
  masked: { loss: number; top1: number };
  causal: { loss: number; top1: number };
  unigramTop1: number;
  tensors: number;
}

interface Clock {
  elapsedMs: number;
  trainMs: number;
  tokens: number;
}

/** Opens the page on `backend` and starts the lab with a budget. */
async function startLab(browser: Browser, base: string, backend: string, budget: { unit: 'seconds' | 'steps'; value: number }, evalEvery: number): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript({ content: PROBE });
  await page.goto(`${base}?backend=${backend}`);
  // The page's own models load first, so they do not share the CPU with the first steps.
  await page.getByTestId('token-chip').first().waitFor({ timeout: 300_000 });
  const lab = page.getByTestId('lab');
  await lab.getByRole('spinbutton', { name: 'Stop after' }).fill(String(budget.value));
  await lab.getByRole('combobox', { name: 'Unit of the budget' }).selectOption(budget.unit);
  await lab.getByRole('spinbutton', { name: 'Test, probe and snapshot every' }).fill(String(evalEvery));
  await lab.getByRole('button', { name: 'Start pre-training' }).click();
  return page;
}

/**
 * Waits until the lab stops by itself (or fails: then its message is thrown).
 * Returns the longest main-thread task meanwhile, read every 10 s (the probe
 * keeps a bounded history, so a 10-minute run is read in pieces).
 */
async function untilDone(page: Page, timeoutMs: number): Promise<number> {
  const status = page.getByTestId('lab-status');
  const error = page.getByTestId('lab-error');
  const deadline = Date.now() + timeoutMs;
  let longest = 0;
  let from = await now(page);
  let polls = 0;
  const read = async () => {
    const to = await now(page);
    longest = Math.max(longest, await longestSince(page, from));
    from = to;
  };
  while (Date.now() < deadline) {
    if ((await status.getAttribute('data-state')) === 'done') {
      await read();
      return Math.round(longest);
    }
    if ((await error.count()) > 0) throw new Error(`the lab failed: ${await error.innerText()}`);
    await page.waitForTimeout(1000);
    if (++polls % 10 === 0) await read();
  }
  throw new Error(`the lab did not finish within ${Math.round(timeoutMs / 1000)} s`);
}

const json = async <T>(page: Page, testId: string, attribute: string): Promise<T> =>
  JSON.parse((await page.getByTestId(testId).getAttribute(attribute)) ?? 'null') as T;

export async function pretrainBench(browser: Browser, base: string, options: PretrainBenchOptions = {}): Promise<PretrainBenchResult> {
  const seconds = options.seconds ?? 600;
  const evalEvery = options.evalEvery ?? 50;
  const webgpuSteps = options.webgpuSteps ?? 10;
  const say = options.say ?? (() => {});

  say(`pre-training lab: wasm, ${seconds} s…`);
  const page = await startLab(browser, base, 'wasm', { unit: 'seconds', value: seconds }, evalEvery);
  let records: Record[];
  let settings: { shape: { layers: number; hidden: number; heads: number; intermediate: number }; vocabSize: number };
  let backend: string;
  let mainThreadLongest: number;
  try {
    // Preparing (reading and tokenising 1 MB) and the closing test come on top of the budget.
    mainThreadLongest = await untilDone(page, seconds * 1000 + 300_000);
    records = await page
      .getByTestId('lab-evaluation')
      .evaluateAll((rows) => rows.map((r) => JSON.parse(r.getAttribute('data-record') ?? '{}') as Record));
    settings = await json(page, 'lab-settings', 'data-settings');
    backend = (await page.getByTestId('lab-status').getAttribute('data-backend')) ?? 'unknown';
  } finally {
    await page.close();
  }
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) throw new Error('the lab reported no held-out test');
  const s = settings.shape;

  let webgpu: number | null = null;
  let webgpuNote: string | null = webgpuSteps > 0 ? null : 'not measured (webgpuSteps 0)';
  if (webgpuSteps > 0) {
    say(`pre-training lab: webgpu, ${webgpuSteps} steps…`);
    const gpu = await startLab(browser, base, 'webgpu', { unit: 'steps', value: webgpuSteps }, 1_000_000);
    try {
      await untilDone(gpu, 900_000);
      const clock = await json<Clock>(gpu, 'lab-status', 'data-clock');
      const steps = await gpu.getByTestId('lab-status').getAttribute('data-step');
      webgpu = clock.trainMs > 0 ? round((clock.tokens / clock.trainMs) * 1000) : null;
      const on = await gpu.getByTestId('lab-status').getAttribute('data-backend');
      if (on !== 'webgpu') webgpuNote = `ran on ${on}, not webgpu`;
      else webgpuNote = `${steps} steps, first one (shader compilation) included`;
    } catch (error) {
      webgpuNote = error instanceof Error ? error.message.split('\n')[0] : String(error);
    } finally {
      await gpu.close();
    }
  }

  return {
    pretrain: {
      backend,
      model: `${s.layers}/${s.hidden}/${s.heads}/${s.intermediate}`,
      vocab: settings.vocabSize,
      seconds: round(last.elapsedMs / 1000),
      steps: last.step,
      tokens_per_s: round((last.tokens / last.trainMs) * 1000),
      heldout_top1_start: first.masked.top1,
      heldout_top1_end: last.masked.top1,
      unigram_top1: last.unigramTop1,
      twin_next_token_top1_end: last.causal.top1,
      main_thread_longest_ms: mainThreadLongest,
      webgpu_tokens_per_s: webgpu,
      webgpu_note: webgpuNote,
    },
    pretrain_curve: records.map((r) => ({
      step: r.step,
      tokens: r.tokens,
      seconds: round(r.elapsedMs / 1000),
      heldout_top1: r.masked.top1,
      twin_top1: r.causal.top1,
      heldout_loss: r.masked.loss,
      twin_loss: r.causal.loss,
      tensors: r.tensors,
    })),
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
