import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/engine/node';
import { split } from '../src/engine/kernels/gemmPool';
import { type GemmKernel, type Job, runJob } from '../src/engine/kernels/gemmThread';
import { GEMM_KERNEL_SHARED_WASM } from '../src/engine/kernels/simd.wasm';
import { wasmThreads } from '../src/engine/runtime/backend';

// gemm.wat on a shared memory, as the helper threads run it: every way the pool cuts a job must
// write exactly (bit for bit) what the whole job writes on one thread, and nothing else.
describe('the gemm pool splits products without changing a bit', () => {
  let memory: WebAssembly.Memory;
  let kernel: GemmKernel & { pack(b: number, packed: number, k: number, n: number): void };
  beforeAll(async () => {
    await initNodeBackend(['wasm']); // turns on Node 20's relaxed-SIMD flag
    memory = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
    const module = new WebAssembly.Module(Buffer.from(GEMM_KERNEL_SHARED_WASM, 'base64'));
    kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as typeof kernel;
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

  it.each([
    // s, m, k, n, packed, bias, merged heads
    [1, 16, 256, 768, false, true, false],
    [1, 13, 64, 37, false, true, false], // a partial last panel, rows past the last block of 6
    [1, 32, 256, 1024, true, true, false], // packed B: panels 8k floats apart
    [4, 20, 64, 20, false, false, false], // attention scores: a stack
    [4, 20, 20, 64, false, false, true], // heads merged side by side into [m, s·n]
    [3, 9, 17, 28, false, false, false], // fewer products than parts (4): panels instead, the last one partial
  ])('s=%i m=%i k=%i n=%i packed=%s bias=%s merged=%s', (s, m, k, n, packed, bias, merged) => {
    const [A, B, P, BIAS, C1, C2] = [0x10000, 0x200000, 0x600000, 0x900000, 0xa00000, 0xe00000];
    fill(A, s * m * k, 1);
    fill(B, s * k * n, 2);
    fill(BIAS, n, 3);
    if (packed) kernel.pack(B, P, k, n);
    const [b, ldb, panel] = packed ? [P, 8, 8 * k] : [B, n, 8];
    const ldc = merged ? s * n : n;
    const job = (c: number): Job => [A, k, b, ldb, panel, bias ? BIAS : 0, c, ldc, m, k, n, s, 4 * m * k, 4 * k * n, 4 * (merged ? n : m * n)];
    const size = s * m * n + 64;
    f32().fill(Number.NaN, C1 / 4, C1 / 4 + size);
    runJob(kernel, job(C1));
    const whole = f32().slice(C1 / 4, C1 / 4 + size);
    expect(whole.subarray(0, s * m * n).every(Number.isFinite)).toBe(true);
    for (const parts of [2, 3, 4]) {
      f32().fill(Number.NaN, C2 / 4, C2 / 4 + size);
      const cut = split(job(C2), parts);
      expect(cut.length).toBeGreaterThan(1);
      for (const part of cut) runJob(kernel, part);
      const pieces = f32().slice(C2 / 4, C2 / 4 + size);
      // Same bits everywhere, NaN (untouched) past the output included.
      expect(Buffer.from(pieces.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    }
  });

  it('leaves a job too small to share whole', () => {
    const job: Job = [0, 4, 0, 4, 8, 0, 0, 4, 4, 4, 4, 1, 0, 0, 0];
    expect(split(job, 2)).toEqual([job]); // one stack, less than two panels
    expect(split(job, 1)).toEqual([job]);
  });
});

describe('wasm threads', () => {
  it('stay at one where the page is not cross-origin isolated (and in Node)', () => {
    expect(wasmThreads(2)).toBe(1);
    expect(wasmThreads(4)).toBe(1);
  });
});
