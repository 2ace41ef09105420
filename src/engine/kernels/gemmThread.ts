/**
 * What the engine's thread and its gemm helper threads share (no tfjs here:
 * the helpers load only this file, through gemm.worker.ts): the layout of the
 * control block, a job (one or a stack of gemm.wat products), and the helper's
 * loop. The pool (gemmPool.ts) is the engine's side.
 *
 * The control block is a SharedArrayBuffer of Int32 slots, STRIDE per helper
 * (128 bytes: two helpers never write the same cache line). The engine thread
 * writes a job into a helper's slots, bumps SEQ and wakes it
 * (Atomics.notify); the helper runs it on its own instance of gemm.wat over
 * the same shared memory, then stores SEQ's value into DONE and wakes the
 * engine thread. Both spin a little before they sleep (Atomics.wait): between
 * two products of one forward pass there is only a short elementwise step, and
 * waking a sleeping thread costs tens of microseconds.
 */

export const STRIDE = 32;
/** Slots: job number (engine → helper); the last job number finished (helper → engine). */
export const SEQ = 0;
export const DONE = 1;
/** 0 starting, 1 ready, 2 failed (its jobs then run on the engine's thread). */
export const STATE = 2;
/** Jobs run on this helper so far (for tests: the pool was used). */
export const RUNS = 3;
/** The job: gemm.wat's 11 arguments, then how many products and the byte strides of a, b, c between them. */
export const JOB = 4;
export const JOB_LENGTH = 15;
export const STARTING = 0;
export const READY = 1;
export const FAILED = 2;

/** gemm.wat's product (byte offsets; strides in floats): see gemm.wat. */
export interface GemmKernel {
  gemm(a: number, lda: number, b: number, ldb: number, panel: number, bias: number, c: number, ldc: number, m: number, k: number, n: number): void;
}

/**
 * One job: `count` products, the i-th with a, b and c advanced by i times
 * their strides (bytes). [a, lda, b, ldb, panel, bias, c, ldc, m, k, n,
 * count, strideA, strideB, strideC].
 */
export type Job = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

export function runJob(kernel: GemmKernel, job: ArrayLike<number>): void {
  const [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc] = Array.from({ length: JOB_LENGTH }, (_, i) => job[i]);
  for (let i = 0; i < count; i++) kernel.gemm(a + i * sa, lda, b + i * sb, ldb, panel, bias, c + i * sc, ldc, m, k, n);
}

/** Spins this many times on a slot before sleeping on it (about 20–50 µs). */
export const SPIN = 20_000;

/** Waits until control[slot] is no longer `value`, spinning first; false when `timeoutMs` passed first. */
export function waitWhile(control: Int32Array, slot: number, value: number, timeoutMs = Infinity): boolean {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(control, slot) !== value) return true;
  return Atomics.wait(control, slot, value, timeoutMs) !== 'timed-out' || Atomics.load(control, slot) !== value;
}

export interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}

/** The helper's whole life: instantiate gemm.wat on the shared memory, then run jobs until terminated. */
export function serveHelper({ module, memory, control, index }: HelperStart): void {
  const slots = new Int32Array(control, index * STRIDE * 4, STRIDE);
  let kernel: GemmKernel;
  try {
    kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmKernel;
  } catch {
    Atomics.store(slots, STATE, FAILED);
    return;
  }
  Atomics.store(slots, STATE, READY);
  let seen = Atomics.load(slots, SEQ);
  for (;;) {
    waitWhile(slots, SEQ, seen);
    seen = Atomics.load(slots, SEQ);
    try {
      runJob(kernel, slots.subarray(JOB, JOB + JOB_LENGTH));
      Atomics.add(slots, RUNS, 1);
    } catch {
      // A trap (a bad offset) must not leave the engine's thread waiting: it runs this part itself.
      Atomics.store(slots, STATE, FAILED);
    }
    Atomics.store(slots, DONE, seen);
    Atomics.notify(slots, DONE);
    if (Atomics.load(slots, STATE) === FAILED) return;
  }
}
