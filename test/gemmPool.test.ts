import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import wabt from 'wabt';
import { initNodeBackend } from '../src/engine/node';
import { GemmPool, PARALLEL_MIN_MACS, type StartHelper } from '../src/engine/kernels/gemmPool';
import { chunk, chunkCount, type GemmKernel, type Job, MAX_CHUNKS, runJob } from '../src/engine/kernels/gemmThread';
import { GEMM_KERNEL_SHARED_WASM } from '../src/engine/kernels/simd.wasm';
import { wasmThreads } from '../src/engine/runtime/backend';

type Kernel = GemmKernel & { pack(b: number, packed: number, k: number, n: number): void };

let memory: WebAssembly.Memory;
let module: WebAssembly.Module;
let kernel: Kernel;
beforeAll(async () => {
  await initNodeBackend(['wasm']); // turns on Node 20's relaxed-SIMD flag
  memory = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
  module = new WebAssembly.Module(Buffer.from(GEMM_KERNEL_SHARED_WASM, 'base64'));
  kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernel;
});

const f32 = () => new Float32Array(memory.buffer);
/** Fills `count` floats at byte offset `at` with seeded values in [-1, 1). */
const fill = (at: number, count: number, seed: number) => {
  let x = seed;
  const f = f32();
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    f[at / 4 + i] = x / 1073741824 - 1;
  }
};
const [A, B, P, BIAS, C1, C2] = [0x10000, 0x200000, 0x600000, 0x900000, 0xa00000, 0xe00000];

/** Inputs for a job of s products [m, k]·[k, n] written at C; returns the job (outputs at `c`). */
function setUp(s: number, m: number, k: number, n: number, packed: boolean, bias: boolean, merged: boolean, seed = 1) {
  fill(A, s * m * k, seed);
  fill(B, s * k * n, seed + 1);
  fill(BIAS, n, seed + 2);
  if (packed) kernel.pack(B, P, k, n);
  const [b, ldb, panel] = packed ? [P, 8, 8 * k] : [B, n, 8];
  const ldc = merged ? s * n : n;
  const job = (c: number): Job => [A, k, b, ldb, panel, bias ? BIAS : 0, c, ldc, m, k, n, s, 4 * m * k, 4 * k * n, 4 * (merged ? n : m * n)];
  return { job, size: s * m * n + 64 };
}
/** The outputs (and 64 floats past them, NaN when untouched) of running `run` into C2, and of the whole job on one thread into C1. */
function both(job: (c: number) => Job, size: number, run: (job: Job) => void) {
  f32().fill(Number.NaN, C1 / 4, C1 / 4 + size);
  runJob(kernel, job(C1));
  const whole = f32().slice(C1 / 4, C1 / 4 + size);
  f32().fill(Number.NaN, C2 / 4, C2 / 4 + size);
  run(job(C2));
  return { whole, pieces: f32().slice(C2 / 4, C2 / 4 + size) };
}
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

const CASES = [
  // s, m, k, n, packed, bias, merged heads
  [1, 16, 256, 768, false, true, false],
  [1, 13, 64, 37, false, true, false], // a partial last panel, rows past the last block of 6
  [1, 32, 256, 1024, true, true, false], // packed B: panels 8k floats apart
  [4, 20, 64, 20, false, false, false], // attention scores: a stack
  [4, 20, 20, 64, false, false, true], // heads merged side by side into [m, s·n]
  [3, 9, 17, 28, false, false, false], // fewer products than chunks: panels instead, the last one partial
  [1, 64, 256, 1024, true, true, false], // large enough to share between threads (PARALLEL_MIN_MACS)
  [16, 128, 64, 128, false, false, true], // a stack large enough to share, by product
] as const;

// gemm.wat on a shared memory, as the helper threads run it: every way the pool cuts a job must
// write exactly (bit for bit) what the whole job writes on one thread, and nothing else.
describe('the gemm pool cuts products into chunks without changing a bit', () => {
  it.each(CASES)('s=%i m=%i k=%i n=%i packed=%s bias=%s merged=%s', (s, m, k, n, packed, bias, merged) => {
    const { job, size } = setUp(s, m, k, n, packed, bias, merged);
    for (const chunks of [2, 3, 4, chunkCount(job(0), 2), chunkCount(job(0), 4)]) {
      const { whole, pieces } = both(job, size, (j) => {
        for (let i = 0; i < chunks; i++) runJob(kernel, chunk(j, chunks, i));
      });
      expect(whole.subarray(0, s * m * n).every(Number.isFinite)).toBe(true);
      // Same bits everywhere, NaN (untouched) past the output included.
      expect(sameBits(pieces, whole)).toBe(true);
    }
  });

  it('chunk counts: stacks by product, else panels of ~2¹⁷ multiply-adds, at least one per thread, at most 64', () => {
    const job = (s: number, m: number, k: number, n: number): Job => [0, k, 0, n, 8, 0, 0, n, m, k, n, s, 0, 0, 0];
    expect(chunkCount(job(1, 16, 256, 768), 1)).toBe(1);
    expect(chunkCount(job(4, 128, 64, 128), 2)).toBe(4); // heads
    expect(chunkCount(job(12, 128, 64, 128), 4)).toBe(12);
    expect(chunkCount(job(1, 16, 256, 768), 2)).toBe(24); // 3.1 M multiply-adds over 96 panels
    expect(chunkCount(job(1, 128, 1024, 256), 2)).toBe(32); // capped by its 32 panels
    expect(chunkCount(job(1, 128, 768, 3072), 2)).toBe(MAX_CHUNKS);
    expect(chunkCount(job(1, 1, 8, 16), 4)).toBe(2); // two panels: two chunks, whatever the threads
    expect(chunkCount(job(1, 4, 4, 4), 2)).toBe(1); // less than a panel
  });
});

/** Helpers as Node worker threads running serveHelper, optionally on another kernel module. */
function nodeHelpers(workers: Worker[], helperModule?: () => WebAssembly.Module): StartHelper {
  return (start, onError) => {
    // V8's relaxed-SIMD flag is the process's (initNodeBackend set it); helper.mjs loads the TypeScript through tsx.
    const worker = new Worker(new URL('./fixtures/gemm/helper.mjs', import.meta.url), {
      workerData: { ...start, module: helperModule?.() ?? start.module },
    });
    worker.on('error', onError);
    workers.push(worker);
    return { terminate: () => void worker.terminate() };
  };
}
const whenReady = async (pool: GemmPool, threads: number) => {
  for (let i = 0; i < 400 && pool.threads() < threads; i++) await new Promise((r) => setTimeout(r, 25));
  expect(pool.threads()).toBe(threads);
};

describe('the gemm pool on real threads (Node worker threads as helpers)', () => {
  const workers: Worker[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('two and three threads claim chunks together: every product of a mixed series equals one thread\'s, bit for bit', async () => {
    for (const helpers of [1, 2]) {
      const pool = new GemmPool(module, memory, helpers, nodeHelpers(workers));
      await whenReady(pool, helpers + 1);
      for (let round = 0; round < 20; round++) {
        for (const [s, m, k, n, packed, bias, merged] of CASES) {
          const { job, size } = setUp(s, m, k, n, packed, bias, merged, round + 1);
          const { whole, pieces } = both(job, size, (j) => pool.run(kernel, j));
          expect(sameBits(pieces, whole)).toBe(true);
        }
      }
      // The large cases were shared (the small ones stay on this thread), and the helpers took part.
      expect(64 * 256 * 1024).toBeGreaterThanOrEqual(PARALLEL_MIN_MACS);
      expect(32 * 256 * 1024).toBeLessThan(PARALLEL_MIN_MACS);
      expect(pool.helperRuns()).toBeGreaterThan(0);
      pool.terminate();
      expect(pool.threads()).toBe(1);
    }
  }, 60_000);

  /** gemm.wat's exports, but a product that traps (`unreachable`) or never returns. */
  const broken = async (body: string) => {
    const tools = await wabt();
    const text = `(module (import "env" "memory" (memory 1 65536 shared))
      (func (export "gemm") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) ${body})
      (func (export "pack") (param i32 i32 i32 i32)))`;
    const parsed = tools.parseWat('broken.wat', text, { threads: true });
    return new WebAssembly.Module(new Uint8Array(parsed.toBinary({}).buffer));
  };

  it('a helper whose product traps is dropped; its chunk runs again here, and the numbers are right', async () => {
    const trapping = await broken('unreachable');
    const pool = new GemmPool(module, memory, 1, nodeHelpers(workers, () => trapping));
    await whenReady(pool, 2);
    const { job, size } = setUp(1, 64, 256, 1024, true, true, false, 5);
    for (let round = 0; round < 50 && pool.threads() === 2; round++) {
      const { whole, pieces } = both(job, size, (j) => pool.run(kernel, j));
      expect(sameBits(pieces, whole)).toBe(true);
    }
    expect(pool.threads()).toBe(1); // it trapped on its first chunk and reported it
    const { whole, pieces } = both(job, size, (j) => pool.run(kernel, j));
    expect(sameBits(pieces, whole)).toBe(true);
  }, 30_000);

  it('a helper that never finishes its chunk: after the timeout the pool stops its helpers and computes the chunk here', async () => {
    const stuck = await broken('(loop $forever (br $forever))');
    const pool = new GemmPool(module, memory, 1, nodeHelpers(workers, () => stuck));
    await whenReady(pool, 2);
    const { job, size } = setUp(1, 64, 256, 1024, true, true, false, 6);
    let stopped = false;
    for (let round = 0; round < 50 && !stopped; round++) {
      const { whole, pieces } = both(job, size, (j) => pool.run(kernel, j));
      expect(sameBits(pieces, whole)).toBe(true);
      stopped = pool.threads() === 1;
    }
    expect(stopped).toBe(true);
  }, 30_000);
});

describe('wasm threads', () => {
  it('stay at one where the page is not cross-origin isolated (and in Node)', () => {
    expect(wasmThreads(2)).toBe(1);
    expect(wasmThreads(4)).toBe(1);
  });
});
