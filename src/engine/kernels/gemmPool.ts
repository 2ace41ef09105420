/**
 * gemm.wat on more than one thread (docs/performance.md#wasm-threads). With
 * tfjs-wasm's threaded build the heap is one shared WebAssembly.Memory, so a
 * product can be split without copying: N − 1 helper workers (gemm.worker.ts)
 * each instantiate gemm.wat on that same memory. A large product is cut into
 * chunks — whole products of a stack (attention's heads) or groups of panels
 * of 8 output columns — and the engine's thread and the helpers claim them one
 * at a time until none is left (gemmThread.ts). Each chunk writes only its own
 * outputs and every output is computed by the same code in the same order as
 * on one thread, so the result is the same to the bit.
 *
 * Only in a worker (Atomics.wait is refused on a page's main thread), on a
 * shared memory, with Worker available: elsewhere (Node, a page that is not
 * cross-origin isolated) products stay on one thread.
 */
import {
  chunk,
  chunkCount,
  claimChunks,
  claimOf,
  controlSlots,
  FAILED,
  FINISHED,
  type GemmKernel,
  HELPERS,
  type HelperStart,
  JOB,
  type Job,
  READY,
  REST,
  RUNS,
  runJob,
  STATE,
  STRIDE,
  TRAPPED,
  waitWhile,
  word,
  WORD,
} from './gemmThread';

/**
 * Products smaller than this many multiply-adds (2²⁴, 16.8 M) stay on one
 * thread: below it, two threads lost to one once the machine had been idle a
 * moment, as between two keystrokes. 16 distinct [64, 256]·[256, 768]
 * products after a 50 ms pause took 12.0 ms on one thread and 14.2 on two
 * (10.1 back to back); at 16 rows 4.0 vs 4.5. From [64, 256]·[256, 1024]
 * (16.8 M) up, two win after a pause too: [128, 256]·[256, 768] 21.1 → 13.3 ms,
 * bert-base's [16, 768]·[768, 3072] 47.6 → 31.8 (docs/performance.md#wasm-threads).
 */
export const PARALLEL_MIN_MACS = 1 << 24;
/** A chunk still unfinished this long after the engine ran out of chunks is taken for lost: its helper is dead or stuck. */
const HELPER_TIMEOUT_MS = 2_000;

/** Starts one helper thread serving `start` (a test may start them another way than a module Worker). */
export type StartHelper = (start: HelperStart, onError: () => void) => { terminate(): void };

/** A module Worker running gemm.worker.ts. */
const startWorker: StartHelper = (start, onError) => {
  // Vite sees this `new Worker(new URL(…))` and builds gemm.worker.ts as its own small module.
  const worker = new Worker(new URL('./gemm.worker.ts', import.meta.url), { type: 'module', name: 'bert-gemm' });
  worker.addEventListener('error', onError);
  worker.postMessage(start);
  return worker;
};

export class GemmPool {
  private readonly control: Int32Array;
  private readonly helpers: { terminate(): void }[] = [];
  private seq = 0;
  private stopped = false;
  /** Helpers that failed and were ended. */
  private readonly dropped = new Set<number>();

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, helpers: number, start: StartHelper = startWorker) {
    this.control = new Int32Array(new SharedArrayBuffer(controlSlots(helpers) * 4));
    for (let index = 0; index < helpers; index++) {
      const state = HELPERS + index * STRIDE + STATE;
      this.control[HELPERS + index * STRIDE + TRAPPED] = -1;
      this.helpers.push(start({ module, memory, control: this.control.buffer as SharedArrayBuffer, index }, () => Atomics.store(this.control, state, FAILED)));
    }
  }

  private state(helper: number): number {
    return Atomics.load(this.control, HELPERS + helper * STRIDE + STATE);
  }

  /** How many threads a product may use now: this one and the helpers started and not failed (1 once stopped). */
  threads(): number {
    if (this.stopped) return 1;
    return 1 + this.helpers.filter((_, i) => this.state(i) === READY).length;
  }

  /** Chunks run on helpers so far. */
  helperRuns(): number {
    return this.helpers.reduce((sum, _, i) => sum + Atomics.load(this.control, HELPERS + i * STRIDE + RUNS), 0);
  }

  /**
   * Runs `job` on `kernel` (this thread's instance) with the helpers when it
   * is large enough; otherwise here alone. Returns when every output is written.
   */
  run(kernel: GemmKernel, job: Job): void {
    const [, , , , , , , , m, k, n, count] = job;
    const threads = this.threads();
    const chunks = threads > 1 && count * m * k * n >= PARALLEL_MIN_MACS ? chunkCount(job, threads) : 1;
    if (chunks <= 1) {
      runJob(kernel, job);
      return;
    }
    const control = this.control;
    this.seq = (this.seq + 1) & 0xffff;
    control.set(job, JOB);
    Atomics.store(control, FINISHED, 0);
    Atomics.store(control, REST, 0);
    Atomics.store(control, WORD, word(this.seq, chunks, 0)); // published: from here on, any thread may claim
    Atomics.notify(control, WORD); // wake helpers asleep since the last job
    const mine = new Set<number>();
    let trapped = false;
    for (let more = true; more; ) {
      const claimed = claimChunks(kernel, control);
      claimed.ran.forEach((i) => mine.add(i));
      trapped ||= claimed.trapped >= 0;
      more = claimed.trapped >= 0; // a trap here is thrown below, when its chunk runs again: take the rest first
    }
    // Every chunk is taken; wait for those still running on helpers (a few microseconds each).
    let lost: number[] = [];
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (let done = Atomics.load(control, FINISHED); done !== chunks; done = Atomics.load(control, FINISHED)) {
      const left = deadline - performance.now();
      if (left <= 0 || !waitWhile(control, FINISHED, done, left)) {
        // A helper died or stopped answering: stop them all, and run here every chunk this thread did not.
        this.terminate();
        lost = Array.from({ length: chunks }, (_, i) => i).filter((i) => !mine.has(i));
        break;
      }
    }
    // A helper that trapped named its chunk before counting it finished: run it here (the same values).
    this.helpers.forEach((helper, i) => {
      const slots = HELPERS + i * STRIDE;
      if (Atomics.load(control, slots + STATE) !== FAILED || this.dropped.has(i)) return;
      // -1 when it failed without trapping (its worker did not start): then it never claimed a chunk.
      const claim = claimOf(Atomics.load(control, slots + TRAPPED));
      if (claim.seq === this.seq && claim.chunks === chunks && claim.chunk < chunks) lost.push(claim.chunk);
      this.dropped.add(i);
      helper.terminate();
    });
    if (trapped) lost.push(...mine); // this thread's own chunks again: the one that trapped throws now
    for (const i of lost) runJob(kernel, chunk(job, chunks, i));
  }

  /**
   * No more products for now (a forward pass ended): helpers waiting for the
   * next job sleep at once instead of spinning, leaving the cores to the page.
   */
  rest(): void {
    Atomics.store(this.control, REST, 1);
  }

  /** Ends the helpers: from now on every product runs on the engine's thread. */
  terminate(): void {
    this.stopped = true;
    this.helpers.forEach((helper) => helper.terminate());
  }
}
