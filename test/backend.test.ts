import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { encode, fromCheckpoint } from '../src/engine/model/bert';
import { initNodeBackend } from '../src/engine/node';
import { initBackend, type BackendName } from '../src/engine/runtime/backend';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const wasmPaths = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
const shape = { layers: 2, hidden: 128, heads: 2, intermediate: 512, vocabSize: 1000 };
const checkpoint = randomCheckpoint(shape, 7);

/** The real encoder on a 12-token sentence, on whichever backend is active. */
async function trial(): Promise<void> {
  const bert = fromCheckpoint(checkpoint);
  try {
    await encode(bert, 'the cat sat on the mat because it was very tired');
  } finally {
    bert.dispose();
  }
}

describe('choosing the backend by speed', () => {
  afterAll(async () => {
    await initNodeBackend(['wasm']);
  });

  it('times every usable backend on a real encoder run and keeps the fastest', async () => {
    const choice = await initBackend({ chain: ['cpu', 'wasm'], wasmPaths, trial, untimed: [] });
    expect(choice.how).toBe('timed');
    expect(Object.keys(choice.timings).sort()).toEqual(['cpu', 'wasm']);
    const fastest = (Object.entries(choice.timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1])[0][0];
    expect(choice.name).toBe(fastest);
    expect(tf.getBackend()).toBe(fastest);
    // On any machine wasm (SIMD) beats tfjs's plain-JS kernels on this model by a wide margin.
    expect(choice.timings.wasm!).toBeLessThan(choice.timings.cpu!);
    expect(choice.reason).toMatch(/fastest of a timed run here \(cpu \d+ ms, wasm \d+ ms\)/);
  });

  it('uses a remembered winner without timing again', async () => {
    let trials = 0;
    const counting = async () => {
      trials++;
      await trial();
    };
    const choice = await initBackend({ chain: ['wasm', 'cpu'], wasmPaths, trial: counting, untimed: [], remembered: { name: 'cpu', timings: { cpu: 9, wasm: 3 } } });
    expect(choice).toMatchObject({ name: 'cpu', how: 'remembered' });
    expect(tf.getBackend()).toBe('cpu');
    expect(trials).toBe(0);
    expect(choice.reason).toContain('remembered from an earlier visit (cpu 9 ms, wasm 3 ms)');
  });

  it('takes a forced backend as asked, and skips plain JavaScript from timing by default', async () => {
    expect(await initBackend({ chain: ['cpu'], wasmPaths, trial })).toMatchObject({ name: 'cpu', how: 'forced', timings: {} });
    let trials = 0;
    const choice = await initBackend({ chain: ['wasm', 'cpu'], wasmPaths, trial: async () => void trials++ });
    expect(choice).toMatchObject({ name: 'wasm', how: 'first' });
    expect(trials).toBe(0); // only one backend worth timing
  });

  it('passes over a backend whose trial fails', async () => {
    const failing = async () => {
      if (tf.getBackend() === 'cpu') throw new Error('out of memory');
      await trial();
    };
    const choice = await initBackend({ chain: ['cpu', 'wasm'], wasmPaths, trial: failing, untimed: [] });
    expect(choice.name).toBe('wasm');
    expect(choice.skipped).toContainEqual({ name: 'cpu', code: 'trial-failed', why: 'its trial run failed: out of memory', detail: 'out of memory' });
  });
});
