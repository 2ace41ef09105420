/**
 * gemm.wat on more than one thread (docs/performance.md#wasm-threads). With
 * tfjs-wasm's threaded build the heap is one shared WebAssembly.Memory, so a
 * product can be split without copying: N − 1 helper workers (gemm.worker.ts)
 * each instantiate gemm.wat on that same memory, and every large product is
 * cut into N parts — by stacks (attention's heads) or by panels of 8 output
 * columns — of which the engine's thread runs the first and the helpers the
 * rest, at the same time. Each part writes only its own outputs and every
 * output is computed by the same code in the same order as on one thread, so
 * the result is the same to the bit.
 *
 * Only in a worker (Atomics.wait is refused on a page's main thread), on a
 * shared memory, with Worker available: elsewhere (Node, a page that is not
 * cross-origin isolated) products stay on one thread.
 */
import {
  DONE,
  FAILED,
  type GemmKernel,
  type HelperStart,
  JOB,
  type Job,
  READY,
  RUNS,
  runJob,
  SEQ,
  STATE,
  STRIDE,
  waitWhile,
} from './gemmThread';

/**
 * Products smaller than this many multiply-adds stay on one thread: handing a
 * part over and waiting for it costs more than it saves (measured in Chromium:
 * docs/performance.md#wasm-threads).
 */
export const PARALLEL_MIN_MACS = 1 << 18;
/** A helper that has not finished its part after this long is taken for dead: its part runs here. */
const HELPER_TIMEOUT_MS = 2_000;

export class GemmPool {
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  /** Helpers no longer given work (failed to start, trapped, or stopped answering). */
  private readonly dropped = new Set<number>();

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, helpers: number) {
    this.control = new Int32Array(new SharedArrayBuffer(Math.max(1, helpers) * STRIDE * 4));
    for (let index = 0; index < helpers; index++) {
      // Vite sees this `new Worker(new URL(…))` and builds gemm.worker.ts as its own small module.
      const worker = new Worker(new URL('./gemm.worker.ts', import.meta.url), { type: 'module', name: 'bert-gemm' });
      worker.addEventListener('error', () => Atomics.store(this.control, index * STRIDE + STATE, FAILED));
      const start: HelperStart = { module, memory, control: this.control.buffer as SharedArrayBuffer, index };
      worker.postMessage(start);
      this.workers.push(worker);
    }
  }

  /** Helpers started and still given work (they start asynchronously: until then, products run here). */
  private ready(): number[] {
    return this.workers.map((_, i) => i).filter((i) => !this.dropped.has(i) && Atomics.load(this.control, i * STRIDE + STATE) === READY);
  }

  /** How many threads a product may use now: this one and the ready helpers. */
  threads(): number {
    return 1 + this.ready().length;
  }

  /** Parts run on helpers so far. */
  helperRuns(): number {
    return this.workers.reduce((sum, _, i) => sum + Atomics.load(this.control, i * STRIDE + RUNS), 0);
  }

  /**
   * Runs `job` on `kernel` (this thread's instance) and the ready helpers when
   * it is large enough; otherwise here alone.
   */
  run(kernel: GemmKernel, job: Job): void {
    const [, , , , , , , , m, k, n, count] = job;
    const helpers = count * m * k * n >= PARALLEL_MIN_MACS ? this.ready() : [];
    const parts = split(job, 1 + helpers.length);
    const mine = parts.shift()!;
    const given: [number, Job][] = [];
    parts.forEach((part, i) => {
      const at = helpers[i] * STRIDE;
      this.control.set(part, at + JOB);
      Atomics.add(this.control, at + SEQ, 1);
      Atomics.notify(this.control, at + SEQ);
      given.push([helpers[i], part]);
    });
    runJob(kernel, mine);
    for (const [helper, part] of given) {
      const slots = this.control.subarray(helper * STRIDE, (helper + 1) * STRIDE);
      const seq = Atomics.load(slots, SEQ);
      let finished = true;
      for (let done = Atomics.load(slots, DONE); done !== seq; done = Atomics.load(slots, DONE)) {
        if (!waitWhile(slots, DONE, done, HELPER_TIMEOUT_MS)) {
          finished = false;
          break;
        }
      }
      if (!finished || Atomics.load(slots, STATE) === FAILED) {
        // Its outputs may be unwritten: compute them here (the same values), and give it no more work.
        this.dropped.add(helper);
        this.workers[helper].terminate();
        runJob(kernel, part);
      }
    }
  }

  terminate(): void {
    this.workers.forEach((w) => w.terminate());
  }
}

/**
 * A job cut into up to `parts` jobs that write disjoint outputs: whole
 * products of a stack when there are enough of them, else panels of 8 output
 * columns (b, bias and c move by whole panels; the columns past the last
 * whole panel go with the last part). Fewer parts when there is not enough to
 * share.
 */
export function split(job: Job, parts: number): Job[] {
  const [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc] = job;
  if (parts <= 1) return [job];
  if (count >= parts) {
    const out: Job[] = [];
    for (let p = 0, from = 0; p < parts; p++) {
      const to = Math.round(((p + 1) * count) / parts);
      out.push([a + from * sa, lda, b + from * sb, ldb, panel, bias, c + from * sc, ldc, m, k, n, to - from, sa, sb, sc]);
      from = to;
    }
    return out;
  }
  const panels = Math.floor(n / 8);
  const used = Math.min(parts, panels);
  if (used <= 1) return [job];
  const out: Job[] = [];
  for (let p = 0, from = 0; p < used; p++) {
    const to = Math.round(((p + 1) * panels) / used);
    const columns = p === used - 1 ? n - 8 * from : 8 * (to - from);
    out.push([a, lda, b + 4 * panel * from, ldb, panel, bias === 0 ? 0 : bias + 32 * from, c + 32 * from, ldc, m, k, columns, count, sa, sb, sc]);
    from = to;
  }
  return out;
}
