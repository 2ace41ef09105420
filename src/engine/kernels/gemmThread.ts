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

/**
 * Control block slots (Int32), laid out so that a chunk costs one contended
 * operation, the claim: finished chunks are counted once per thread per job.
 * Line 0: the claim word. Line 1: chunks finished (each thread adds its count
 * when it finds nothing left to claim). Line 2: the job — gemm.wat's 11
 * arguments, then how many products and the byte strides of a, b, c between them.
 */
export const WORD = 0;
/** Line 0 too: 1 once the engine's forward pass has no more products for now (helpers sleep instead of spinning). */
export const REST = 1;
export const FINISHED = 32;
export const JOB = 64;
export const JOB_LENGTH = 15;
/** At most this many chunks per job (8 bits of the claim word; 64 keeps each chunk a few microseconds at least). */
export const MAX_CHUNKS = 64;
/** Per helper, a line of its own from here: its state, how many chunks it ran, the chunk it trapped on. */
export const HELPERS = 96;
export const STRIDE = 32;
export const STATE = 0;
export const RUNS = 1;
export const TRAPPED = 2;
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

/** A job's fields as a plain array (a job may sit in the shared control block). */
const jobOf = (job: ArrayLike<number>) => Array.from({ length: JOB_LENGTH }, (_, i) => job[i]) as Job;

export function runJob(kernel: GemmKernel, job: ArrayLike<number>): void {
  const [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc] = jobOf(job);
  for (let i = 0; i < count; i++) kernel.gemm(a + i * sa, lda, b + i * sb, ldb, panel, bias, c + i * sc, ldc, m, k, n);
}

/** A chunk's multiply-adds to aim for: ~3–6 µs of gemm.wat, against a fraction of a microsecond for a claim (a cache line that moves between cores). */
export const CHUNK_MACS = 1 << 17;

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
  const [a, lda, b, ldb, panel, bias, c, ldc, m, k, n, count, sa, sb, sc] = jobOf(job);
  if (chunks <= 1) return jobOf(job);
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
 * Takes and runs chunks of the published job until none is left, then adds
 * how many it ran to FINISHED (waking the engine when that completes the job).
 * Returns the chunks it ran, the claim word it last saw (all chunks taken:
 * wait for it to change), and the claim word of a chunk that trapped (-1:
 * none). A chunk that traps counts as finished, so that no thread waits for
 * it; the engine runs it again — a helper (`helper`: its first slot) marks
 * itself failed and names the chunk before the count says the job is done.
 */
export function claimChunks(kernel: GemmKernel, control: Int32Array, helper = -1): { ran: number[]; last: number; trapped: number } {
  const ran: number[] = [];
  let trapped = -1;
  let chunks = 0;
  let w = Atomics.load(control, WORD);
  // Each word is read afresh: until this thread has run a chunk of a job, that job can end and the
  // next be published (a new sequence number, another chunk count); once it has, the job cannot end
  // before this thread counts its chunks, so every chunk counted below belongs to one job.
  while (nextOf(w) < chunksOf(w) && trapped < 0) {
    const seen = Atomics.compareExchange(control, WORD, w, w + 1);
    if (seen !== w) {
      w = seen; // another thread took it: try the next
      continue;
    }
    chunks = chunksOf(w);
    try {
      runJob(kernel, chunk(control.subarray(JOB, JOB + JOB_LENGTH), chunks, nextOf(w)));
    } catch {
      trapped = w;
    }
    ran.push(nextOf(w));
    w = Atomics.load(control, WORD);
  }
  if (trapped >= 0 && helper >= 0) {
    Atomics.store(control, helper + TRAPPED, trapped);
    Atomics.store(control, helper + STATE, FAILED);
  }
  if (ran.length > 0 && Atomics.add(control, FINISHED, ran.length) + ran.length === chunks) Atomics.notify(control, FINISHED);
  return { ran, last: w, trapped };
}

/** The job (sequence number, 16 bits), its chunk count and the chunk a claim word names. */
export const claimOf = (w: number) => ({ seq: seqOf(w), chunks: chunksOf(w), chunk: nextOf(w) });

/**
 * How long a thread spins on a slot before it sleeps (Atomics.wait), in
 * milliseconds: long enough to bridge the gap between two products of one
 * forward pass (elementwise kernels: tens of microseconds), since waking a
 * sleeping thread costs ~0.1 ms or more on a virtual machine's idle core.
 * When the forward pass ends the engine says so (REST) and helpers sleep at
 * once: a spinning helper holds a core that the page then needs to take the
 * result (on two cores, a 2 ms spin cost every sentence ~1–2 ms).
 */
export const SPIN_MS = 2;

/**
 * Waits until control[slot] is no longer `value`, spinning first (not while
 * control[REST] is 1); false when `timeoutMs` passed first.
 */
export function waitWhile(control: Int32Array, slot: number, value: number, timeoutMs = Infinity): boolean {
  const until = performance.now() + SPIN_MS;
  do {
    for (let i = 0; i < 1000; i++) if (Atomics.load(control, slot) !== value) return true;
  } while (performance.now() < until && Atomics.load(control, REST) === 0);
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
    const { ran, last, trapped } = claimChunks(kernel, control, mine);
    if (ran.length > 0) Atomics.add(control, mine + RUNS, ran.length);
    if (trapped >= 0) return; // a bad offset: no more work here (the engine runs the chunk again and drops this helper)
    // Nothing left to take: sleep (after a spin) until the engine publishes the next job.
    waitWhile(control, WORD, last);
  }
}
