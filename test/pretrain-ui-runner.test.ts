// The pre-training lab's worker logic (src/worker/pretrain/runner.ts), driven in Node as the page
// drives it: start with a budget, the held-out tests and snapshots it sends, stop by itself, resume
// past the budget, pause, head roles, save (the cache refused: the files still come back and load).
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, initNodeBackend, loadModel, memorySource, urlSource } from '../src/engine/node';
import type { FromLab } from '../src/worker/pretrain/protocol';
import { LabRunner, ROLE_SENTENCES } from '../src/worker/pretrain/runner';

const BASE = 'http://lab.invalid/';
const messages: FromLab[] = [];
let runner: LabRunner;

/** Resolves when a message matching `test` has arrived (at or after index `from`). */
async function until(test: (m: FromLab) => boolean, from = 0, ms = 120_000): Promise<FromLab> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = messages.slice(from).find(test);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out; last message: ${JSON.stringify(messages.at(-1)).slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const of = <T extends FromLab['type']>(type: T) => messages.filter((m): m is Extract<FromLab, { type: T }> => m.type === type);

beforeAll(async () => {
  await initNodeBackend();
  // A small text of one's own: 60 KB of the shipped slice, every tenth paragraph held out.
  const own = (await readFile('public/data/pretrain/train.txt', 'utf8')).slice(0, 60_000);
  runner = new LabRunner({
    post: (m) => messages.push(m),
    fetchText: (url) => readFile(url.replace(BASE, 'public/'), 'utf8'),
    shippedSource: (base) => urlSource(`${base}weights/bert-mini/`),
    caches: null,
    initBackend: async () => 'node',
    tensors: () => 0,
    now: () => performance.now(),
  });
  runner.handle({
    type: 'start',
    start: { base: BASE, text: { kind: 'own', text: own }, backend: null, evalEvery: 2, probe: 'the [MASK] of the house .', budget: { unit: 'steps', value: 3 }, heldOutWindows: 8 },
  });
});

afterAll(() => runner?.handle({ type: 'pause' }));

describe('the lab runner', () => {
  it('trains to its budget, testing and taking snapshots at step 0, every 2 steps and at the end', async () => {
    await until((m) => m.type === 'state' && m.state === 'done');
    const ready = of('ready')[0];
    expect(ready.backend).toBe('node');
    expect(ready.settings.shape).toEqual({ layers: 2, hidden: 64, heads: 2, intermediate: 256 });
    expect(ready.settings.evaluatedWindows).toBe(Math.min(8, ready.settings.heldOutWindows));
    expect(of('step').map((m) => m.result.step)).toEqual([1, 2, 3]);
    expect(of('evaluation').map((m) => m.evaluation.step)).toEqual([0, 2, 3]);
    const snaps = of('snapshot').map((m) => m.snapshot);
    expect(snaps.map((s) => s.step)).toEqual([0, 2, 3]);
    expect(snaps[0].tokens).toContain('[MASK]');
    expect(snaps[0].masked.guesses[0].predictions).toHaveLength(5);
    // The clock counts training apart from testing, and tokens as the trainer counts them.
    const last = of('step').at(-1)!;
    expect(last.clock.tokens).toBe(3 * ready.settings.batchSize * ready.settings.seqLength);
    expect(last.clock.trainMs).toBeGreaterThan(0);
    expect(of('evaluation').at(-1)!.clock.elapsedMs).toBeGreaterThan(last.clock.trainMs);
    // The lab model's head roles come with each test: 2 layers × 2 heads.
    const roles = of('roles').at(-1)!.roles;
    expect(roles).toMatchObject({ source: 'masked', step: 3, sentences: ROLE_SENTENCES.length });
    expect(roles.roles.map((l) => l.length)).toEqual([2, 2]);
  });

  it('resumes past its budget, and pauses between steps', async () => {
    const from = messages.length;
    runner.handle({ type: 'resume' });
    await until((m) => m.type === 'step' && m.result.step === 4, from);
    runner.handle({ type: 'pause' });
    const paused = await until((m) => m.type === 'state' && m.state === 'paused', from);
    expect(paused.type === 'state' && paused.state).toBe('paused');
    await new Promise((r) => setTimeout(r, 1500));
    const steps = of('step').map((m) => m.result.step);
    expect(steps.at(-1)).toBeGreaterThanOrEqual(4);
    expect(steps.at(-1)! - 4).toBeLessThanOrEqual(1); // at most the step in flight finished
  });

  it('saves: the cache refused (none here), the Hugging Face files still come back and load', async () => {
    const from = messages.length;
    runner.handle({ type: 'save', objective: 'masked' });
    const saved = await until((m) => m.type === 'saved', from);
    if (saved.type !== 'saved') throw new Error('unreachable');
    const step = of('step').at(-1)!.result.step;
    expect(saved.id).toBe(`lab/nano-bert-${step}`);
    expect(saved.cacheError).toMatch(/Cache Storage/);
    expect(saved.files.map(([name]) => name).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    const bert = await loadModel(memorySource(new Map(saved.files)));
    try {
      expect(bert.config.layers).toBe(2);
      const e = await encode(bert, 'the [MASK] of the house .');
      expect(e.tokens).toEqual(['[CLS]', 'the', '[MASK]', 'of', 'the', 'house', '.', '[SEP]']);
      expect(e.lm[0].predictions).toHaveLength(5);
    } finally {
      bert.dispose();
    }
  });

  it('a bad request is reported and the run is kept', async () => {
    const from = messages.length;
    runner.handle({ type: 'start', start: { base: BASE, text: { kind: 'shipped' }, backend: null, evalEvery: 1, probe: '', budget: null } });
    const error = await until((m) => m.type === 'error', from);
    expect(error).toMatchObject({ type: 'error', during: 'start', message: expect.stringMatching(/already under way/) });
    runner.handle({ type: 'roles', source: 'causal' });
    const roles = await until((m) => m.type === 'roles' && m.roles.source === 'causal', from);
    expect(roles.type === 'roles' && roles.roles.roles.length).toBe(2);
  });
});
