/**
 * What the engine's thread and its gemm helper threads share (no tfjs here:
 * the helpers load only this file, through gemm.worker.ts): the layout of the
 * control block, a job (one or a stack of gemm.wat products), how a job is cut
 * into chunks, and the loop that claims and runs them. The pool (gemmPool.ts)
 * is the engine's side.
 *
 * Chunks are claimed, not assigned. The engine's thread publishes a job and
 * every thread — itself included — takes the next unclaimed chunk until none
 * is left (one compare-exchange per chunk). So a helper that the operating
 * system has not scheduled yet, or that is still waking up, simply gets fewer
 * chunks: on a busy machine two threads run about as fast as one, never
 * slower, where fixed halves made the engine wait for the late half (16
 * tokens on two threads ran 7–15 ms beside onnxruntime-web's threads instead
 * of 3–4 alone: docs/performance.md#wasm-threads).
 *
 * The claim word holds the job's sequence number, its chunk count and the
 * next chunk to take, so a claim is valid for exactly the job it names. A
 * thread reads the job's fields only after its claim succeeded; the engine
 * rewrites them only after every chunk of the job has finished, which the
 * claimed chunk has not, so the fields are stable while it runs.
 */

/** Control block slots (Int32). Line 0: the claim word and the count of finished chunks. */
export const WORD = 0;
export const FINISHED = 1;
/** Line 1: the job — gemm.wat's 11 arguments, then how many products and the byte strides of a, b, c between them. */
export const JOB = 32;
export const JOB_LENGTH = 15;
/** Lines 2–3: per chunk, the sequence number of the last job in which it finished (a chunk a helper lost is run again). */
export const DONE = 64;
/** At most this many chunks per job (8 bits of the claim word; 64 keeps each chunk a few microseconds at least). */
export const MAX_CHUNKS = 64;
/** Per helper, a line of its own from here: its state and how many chunks it ran. */
export const HELPERS = DONE + MAX_CHUNKS;
export const STRIDE = 32;
export const STATE = 0;
export const RUNS = 1;
export const STARTING = 0;
export const READY = 1;
export const FAILED = 2;

/** Int32 slots a control block needs for `helpers` helpers. */
export const controlSlots = (helpers: number) => HELPERS + Math.max(1, helpers) * STRIDE;

/** The claim word: sequence number (16 bits), chunk count (8), next chunk (8). */
export const word = (seq: number, chunks: number, next: number) => ((seq & 0xffff) << 16) | (chunks << 8) | next;
const seqOf = (w: number) => (w >>> 16) & 0xffff;
const chunksOf = (w: number) => (w >>> 8) & 0xff;
const nextOf = (w: number) => w & 0xff;

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

/** A chunk's multiply-adds to aim for: ~2–5 µs of gemm.wat, against ~0.1 µs for a claim. */
export const CHUNK_MACS = 1 << 16;

/**
 * How many chunks a job is cut into for `threads` threads: whole products of
 * a stack when there are at least as many as threads (attention's heads),
 * else groups of panels of 8 output columns, about CHUNK_MACS each (at least
 * one per thread, at most MAX_CHUNKS). 1: the job is too small to share.
 */
export function chunkCount(job: ArrayLike<number>, threads: number): number {
  const [m, k, n, count] = [job[8], job[9], job[10], job[11]];
  if (threads <= 1) return 1;
  if (count >= threads) return Math.min(count, MAX_CHUNKS);
  const panels = Math.floor(n / 8);
  return Math.max(1, Math.min(panels, MAX_CHUNKS, Math.max(threads, Math.ceil((count * m * k * n) / CHUNK_MACS))));
}

/**
 * Chunk `i` of a job cut into `chunks` (chunkCount's cut; see there). The
 * chunks write disjoint outputs and together all of them: b, bias and c move
 * by whole panels, and the columns past the last whole panel go with the last
 * chunk. Every output is computed by the same code in the same order as in
 * the whole job, so the numbers are the same to the bit.
 */
export function chunk(job: ArrayLike<number>, chunks: number, i: number): Job {
  const [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc] = Array.from({ length: JOB_LENGTH }, (_, j) => job[j]);
  if (chunks <= 1) return [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc];
  const share = (total: number) => [Math.round((i * total) / chunks), Math.round(((i + 1) * total) / chunks)];
  if (count >= chunks) {
    const [from, to] = share(count);
    return [a + from * sa, lda, b + from * sb, ldb, panel, bias, c + from * sc, ldc, m, k, n, to - from, sa, sb, sc];
  }
  const panels = Math.floor(n / 8);
  const [from, to] = share(panels);
  const columns = i === chunks - 1 ? n - 8 * from : 8 * (to - from);
  return [a, lda, b + 4 * panel * from, ldb, panel, bias === 0 ? 0 : bias + 32 * from, c + 32 * from, ldc, m, k, columns, count, sa, sb, sc];
}

/**
 * Takes and runs chunks of the published job until none is left. Returns how
 * many this thread ran, the claim word it last saw (all chunks taken: wait
 * for it to change) and whether a chunk trapped. A chunk that traps still
 * counts as finished (so no thread waits for it) but is not marked done: the
 * engine runs it again.
 */
export function claimChunks(kernel: GemmKernel, control: Int32Array): { ran: number; last: number; trapped: boolean } {
  let ran = 0;
  for (;;) {
    const w = Atomics.load(control, WORD);
    const [chunks, next] = [chunksOf(w), nextOf(w)];
    if (next >= chunks) return { ran, last: w, trapped: false };
    if (Atomics.compareExchange(control, WORD, w, w + 1) !== w) continue; // another thread took it: try the next
    let trapped = false;
    try {
      runJob(kernel, chunk(control.subarray(JOB, JOB + JOB_LENGTH), chunks, next));
      Atomics.store(control, DONE + next, seqOf(w));
    } catch {
      trapped = true;
    }
    ran++;
    if (Atomics.add(control, FINISHED, 1) + 1 === chunks) Atomics.notify(control, FINISHED);
    if (trapped) return { ran, last: w + 1, trapped };
  }
}

/**
 * How long a thread spins on a slot before it sleeps (Atomics.wait), in
 * milliseconds: long enough to bridge the gap between two products of one
 * forward pass (elementwise kernels: tens of microseconds), since waking a
 * sleeping thread costs ~0.1 ms or more on a virtual machine's idle core. A
 * helper thus stays busy up to 2 ms after a forward pass's last product.
 */
export const SPIN_MS = 2;

/** Waits until control[slot] is no longer `value`, spinning first; false when `timeoutMs` passed first. */
export function waitWhile(control: Int32Array, slot: number, value: number, timeoutMs = Infinity): boolean {
  const until = performance.now() + SPIN_MS;
  do {
    for (let i = 0; i < 1000; i++) if (Atomics.load(control, slot) !== value) return true;
  } while (performance.now() < until);
  return Atomics.wait(control, slot, value, timeoutMs) !== 'timed-out' || Atomics.load(control, slot) !== value;
}

export interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  index: number;
}

/** The helper's whole life: instantiate gemm.wat on the shared memory, then claim chunks of every job until terminated. */
export function serveHelper({ module, memory, control: buffer, index }: HelperStart): void {
  const control = new Int32Array(buffer);
  const mine = HELPERS + index * STRIDE;
  let kernel: GemmKernel;
  try {
    kernel = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as GemmKernel;
  } catch {
    Atomics.store(control, mine + STATE, FAILED);
    return;
  }
  Atomics.store(control, mine + STATE, READY);
  for (;;) {
    const { ran, last, trapped } = claimChunks(kernel, control);
    if (ran > 0) Atomics.add(control, mine + RUNS, ran);
    if (trapped) {
      // A bad offset: stop taking work (the engine runs the chunk again and drops this helper).
      Atomics.store(control, mine + STATE, FAILED);
      return;
    }
    // Nothing left to take: sleep (after a spin) until the engine publishes the next job.
    waitWhile(control, WORD, last);
  }
}
