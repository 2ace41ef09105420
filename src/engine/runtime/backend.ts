/**
 * Choosing where tfjs runs — by speed, not by name. A GPU is not always the
 * fastest place: a software WebGPU adapter (SwiftShader, on machines without a
 * GPU) runs BERT-mini 50–70× slower than WebAssembly, and for a 12-token
 * sentence even a real integrated GPU can lose to the CPU. So: backends that
 * cannot work, or are known software emulations, are passed over cheaply; the
 * rest are timed on a real encoder run (`trial`) and the fastest wins. The
 * caller remembers the winner (per browser) and passes it back next time.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setGemmThreads } from '../kernels/wasmGemm';
import { enableWgslDense } from '../kernels/webgpu';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const DEFAULT_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendChoice {
  /** The backend tfjs now runs on. */
  name: BackendName;
  /** How it was chosen. */
  how: 'forced' | 'timed' | 'remembered' | 'first';
  /** One line a student can read: why this backend and not another. */
  reason: string;
  /** For every backend passed over, why. */
  skipped: Skipped[];
  /** ms of one trial run per timed backend (how === 'timed' or remembered from a timed choice). */
  timings: Partial<Record<BackendName, number>>;
}

/**
 * Why a backend was passed over: `why` is one English line (console, CLI);
 * `code` lets a page say it in its own language, with `detail` (an error
 * message or the renderer's name) shown as it comes.
 */
export interface Skipped {
  name: BackendName;
  code: SkipCode;
  why: string;
  detail?: string;
}
export type SkipCode = 'no-webgpu' | 'no-adapter' | 'software-adapter' | 'no-canvas' | 'software-renderer' | 'trial-failed' | 'init-failed';

/** The English line for each code (detail, where there is one, completes it). */
export const SKIP_WHY: Record<SkipCode, (detail: string) => string> = {
  'no-webgpu': () => 'navigator.gpu is missing (needs Chrome/Edge 113+ on https or localhost; headless Chromium needs --enable-unsafe-webgpu)',
  'no-adapter': () => 'the browser found no WebGPU adapter',
  'software-adapter': () => 'the only WebGPU adapter is a software emulation (no GPU), slower than WebAssembly; add ?backend=webgpu to use it anyway',
  'no-canvas': () => 'no canvas to draw on outside a browser',
  'software-renderer': (renderer) => `WebGL runs on a software renderer (${renderer}), slower than WebAssembly; add ?backend=webgl to use it anyway`,
  'trial-failed': (message) => `its trial run failed: ${message}`,
  'init-failed': (message) => message,
};

/** The entry for a backend passed over (exported for the page's translation test). */
export function skip(name: BackendName, code: SkipCode, detail?: string): Skipped {
  return { name, code, why: SKIP_WHY[code](detail ?? ''), ...(detail === undefined ? {} : { detail }) };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface BackendOptions {
  chain?: readonly BackendName[];
  /**
   * Where the tfjs wasm binaries live: a folder URL/path ending in '/', or a
   * map from file name to URL (bundlers give each file its own hashed URL).
   */
  wasmPaths?: string | Record<string, string>;
  /**
   * One real encoder run on the active backend (for example a model of the
   * shipped shape on a 12-token sentence). When given and more than one
   * backend can run, each is timed on its second call (the first compiles
   * shaders and uploads weights) and the fastest wins.
   */
  trial?: () => Promise<void>;
  /**
   * Usable backends not worth a trial while another can run. Default ['cpu']:
   * plain JavaScript is always slower than wasm, and its trial alone takes ~1 s.
   */
  untimed?: readonly BackendName[];
  /** A winner remembered from an earlier visit: used without timing when it still starts. */
  remembered?: { name: BackendName; timings: Partial<Record<BackendName, number>> };
  /**
   * Threads for the wasm backend (default `defaultWasmThreads()`). Taken only
   * where threads can run (`wasmThreads`); read when the wasm backend first
   * starts: later calls cannot change its build.
   */
  threads?: number;
}

interface ThreadsScope {
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  Worker?: unknown;
}

/**
 * onnxruntime-web's default: min(4, ⌈cores / 2⌉) — half the logical cores
 * leaves the page and the rest of the machine room — and 1 where threads
 * cannot run. What `?threads=auto` asks for.
 */
export function ortLikeThreads(): number {
  const cores = (globalThis as ThreadsScope).navigator?.hardwareConcurrency ?? 1;
  return wasmThreads(Math.min(4, Math.ceil(cores / 2)));
}

/**
 * One thread unless asked: on the only machine measured so far (2 cores, shared)
 * two threads were slower than one (docs/performance.md#wasm-threads). Switch
 * this to `ortLikeThreads()` once a machine with free cores measures a gain.
 */
export function defaultWasmThreads(): number {
  return 1;
}

/**
 * The threads the wasm backend can really use when `asked` for: 1 unless the
 * page is cross-origin isolated (SharedArrayBuffer exists only there) and can
 * start workers — so always 1 in Node, where the engine keeps one thread.
 */
export function wasmThreads(asked: number): number {
  const scope = globalThis as ThreadsScope;
  const can = scope.crossOriginIsolated === true && typeof scope.Worker === 'function' && typeof SharedArrayBuffer === 'function';
  return can && Number.isFinite(asked) ? Math.max(1, Math.min(16, Math.floor(asked))) : 1;
}

/**
 * Activate the backend to run on. A chain of one is taken as asked (the
 * `?backend=` override); otherwise see the file comment.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const chain = options.chain ?? DEFAULT_CHAIN;
  // More than one thread: tfjs-wasm's threaded build, whose heap is a shared memory that
  // gemm.wat's helper threads work on too (docs/performance.md#wasm-threads). Its threads start
  // from blob: workers, which tools/vite/wasmThreads.ts makes work once bundled. One thread: the
  // single-threaded SIMD build, as in Node.
  const threads = wasmThreads(options.threads ?? defaultWasmThreads());
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads > 1);
  if (threads > 1) setThreadsCount(threads);
  setGemmThreads(threads);
  if (options.wasmPaths !== undefined) {
    // tfjs types the map form loosely; both forms are accepted at run time.
    setWasmPaths(options.wasmPaths as string);
  }
  const forced = chain.length === 1;
  const skipped: Skipped[] = [];
  const usable: BackendName[] = [];
  // The checks ask the GPU process for adapters and contexts: run them side by side (start-up time).
  const reasons = await Promise.all(chain.map((name) => unavailableReason(name, !forced)));
  chain.forEach((name, i) => {
    const reason = reasons[i];
    if (reason !== null) skipped.push(reason);
    else usable.push(name);
  });
  const remembered = options.remembered;
  if (remembered !== undefined && !forced && usable.includes(remembered.name) && (await activate(remembered.name, skipped))) {
    return { name: remembered.name, how: 'remembered', reason: describe(remembered.name, 'remembered', skipped, remembered.timings), skipped, timings: remembered.timings };
  }
  const untimed = options.untimed ?? ['cpu'];
  const timed = usable.filter((n) => !untimed.includes(n));
  if (options.trial !== undefined && !forced && timed.length > 1) {
    const timings: Partial<Record<BackendName, number>> = {};
    for (const name of timed) {
      if (!(await activate(name, skipped))) continue;
      try {
        await options.trial(); // warm-up: shader compilation, weight upload
        const t0 = performance.now();
        await options.trial();
        timings[name] = performance.now() - t0;
      } catch (error) {
        skipped.push(skip(name, 'trial-failed', messageOf(error)));
      }
    }
    const ranked = (Object.entries(timings) as [BackendName, number][]).sort((a, b) => a[1] - b[1]);
    for (const [name] of ranked) {
      if (await activate(name, skipped)) return { name, how: 'timed', reason: describe(name, 'timed', skipped, timings), skipped, timings };
    }
  }
  for (const name of usable) {
    if (await activate(name, skipped)) {
      const how = forced ? 'forced' : 'first';
      return { name, how, reason: describe(name, how, skipped, {}), skipped, timings: {} };
    }
  }
  throw new Error(
    `No tfjs backend could start (tried ${chain.join(', ')}): ` +
      skipped.map((s) => `${s.name}: ${s.why}`).join('; '),
  );
}

/** tfjs-backend-webgpu's WebGPUBackend, typed to what the compile-only warm-up reads. */
interface CompilingBackend {
  /** shaderKey → GPUComputePipeline, or a Promise of one while it compiles in compile-only mode. */
  pipelineCache: Record<string, unknown>;
}

/**
 * Compile, without running them, the WebGPU programs that `build` (a
 * synchronous forward pass, whose tensors it disposes) would dispatch; resolves
 * with how many were new. Elsewhere than on webgpu: nothing to compile, 0.
 *
 * How tfjs-webgpu's compile-only mode works (backend_webgpu.js,
 * runWebGPUProgram): while WEBGPU_ENGINE_COMPILE_ONLY is set, each op still
 * uploads its inputs and allocates its output buffer, then stores
 * `createComputePipelineAsync(...)` — a Promise — in `pipelineCache` and
 * records no dispatch; a read-back warns and returns null (none is made here).
 * The flag is global, so it is set and cleared around `build` with no await in
 * between: no other run can start inside that window. Its own
 * `checkCompileCompletionAsync` would then wait with those Promises in the
 * shared cache, and any other run that needs one of those programs meanwhile
 * (a keystroke, a training step) throws "Please call
 * checkCompileCompletionAsync". So the Promises are taken out of the cache at
 * once — a run in the meantime compiles its program the ordinary way — and
 * each finished pipeline is put back only where that has not happened; a
 * program that failed to compile is left out, to fail with its own message
 * when a real run needs it.
 */
export async function compileOnly(build: () => void): Promise<number> {
  if (tf.getBackend() !== 'webgpu') return 0;
  const cache = (tf.backend() as unknown as CompilingBackend).pipelineCache;
  const known = new Set(Object.keys(cache));
  const env = tf.env();
  const was = env.getBool('WEBGPU_ENGINE_COMPILE_ONLY');
  env.set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    build();
  } finally {
    env.set('WEBGPU_ENGINE_COMPILE_ONLY', was);
  }
  const pending = Object.keys(cache)
    .filter((key) => !known.has(key))
    .map((key) => {
      const pipeline = cache[key];
      delete cache[key];
      return { key, pipeline: Promise.resolve(pipeline) };
    });
  const done = await Promise.allSettled(pending.map((p) => p.pipeline));
  done.forEach((result, i) => {
    if (result.status === 'fulfilled' && !(pending[i].key in cache)) cache[pending[i].key] = result.value;
  });
  return done.filter((r) => r.status === 'fulfilled').length;
}

/** How many WebGPU programs the active backend has compiled (null off webgpu): for tests and the bench. */
export function compiledPrograms(): number | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return Object.keys((tf.backend() as unknown as CompilingBackend).pipelineCache).length;
}

/**
 * The GPU backends are fetched only when one is tried: on a machine where both
 * are passed over (no GPU), the page never downloads or evaluates their
 * ~600 KB of code. wasm and cpu are always needed and come with the bundle.
 */
const LAZY_BACKENDS: Partial<Record<BackendName, () => Promise<unknown>>> = {
  webgpu: () => import('@tensorflow/tfjs-backend-webgpu'),
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
};

/** Make `name` the active backend; on failure note why in `skipped`. */
async function activate(name: BackendName, skipped: Skipped[]): Promise<boolean> {
  try {
    if (tf.getBackend() === name) return true;
    if (tf.findBackendFactory(name) === null) await LAZY_BACKENDS[name]?.();
    const ok = await tf.setBackend(name);
    if (ok) {
      await tf.ready();
      if (name === 'webgpu') await tuneWebGpu();
      return true;
    }
    skipped.push(skip(name, 'init-failed', 'failed to initialise'));
  } catch (error) {
    skipped.push(skip(name, 'init-failed', messageOf(error)));
  }
  return false;
}

/**
 * tfjs-webgpu picks a matMul shader by output size: for small outputs, one that
 * spreads the work over more, smaller workgroups — right for a GPU, wrong for a
 * software adapter, which runs them on a few CPU threads. So a software adapter
 * (used only when asked for) gets the tiled ("packed") program for the
 * attention products (docs/performance.md#webgpu-tiled-matmul), and
 * kernels/webgpu.ts's register-tiled WGSL kernel for every dense layer; real
 * GPUs keep tfjs's choices, which are tuned for them.
 */
async function tuneWebGpu(): Promise<void> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter().catch(() => null);
  const software = adapter !== undefined && adapter !== null && isSoftwareAdapter(adapter);
  if (software) tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', MATMUL_PACKED_PROGRAM);
  enableWgslDense(software);
}
/** tfjs-backend-webgpu's MatMulProgramType.MatMulPackedProgram (not exported by the package). */
const MATMUL_PACKED_PROGRAM = 3;

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(): Promise<AdapterLike | null>;
}

/** A CPU emulation of a GPU (SwiftShader, or what the browser itself calls a fallback adapter). */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  const info = adapter.info ?? {};
  if (adapter.isFallbackAdapter === true || info.isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|software/i.test(`${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`);
}

/** Cheap checks that avoid tfjs printing long warnings for backends that cannot work. */
async function unavailableReason(name: BackendName, skipSoftwareGpu: boolean): Promise<Skipped | null> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (name === 'webgpu') {
    if (nav?.gpu === undefined) {
      return skip(name, 'no-webgpu');
    }
    const adapter = await nav.gpu.requestAdapter().catch(() => null);
    if (adapter === null) return skip(name, 'no-adapter');
    if (skipSoftwareGpu && isSoftwareAdapter(adapter)) {
      // Far slower than the wasm backend here (docs/performance.md#backend-choice).
      return skip(name, 'software-adapter');
    }
    return null;
  }
  if (name === 'webgl') {
    if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return skip(name, 'no-canvas');
    const renderer = webglRenderer();
    if (skipSoftwareGpu && renderer !== null && /swiftshader|llvmpipe|software/i.test(renderer)) {
      return skip(name, 'software-renderer', renderer);
    }
  }
  return null;
}

/** The GPU WebGL draws with, as the browser names it (null when it will not say). */
function webglRenderer(): string | null {
  try {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
    const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
    if (gl === null) return null;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl.getParameter(debug !== null ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as unknown;
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return typeof renderer === 'string' ? renderer : null;
  } catch {
    return null;
  }
}

function describe(
  name: BackendName,
  how: BackendChoice['how'],
  skipped: Skipped[],
  timings: Partial<Record<BackendName, number>>,
): string {
  const base: Record<BackendName, string> = {
    webgpu: 'WebGPU: runs on the GPU',
    webgl: 'WebGL: runs on the GPU through the graphics pipeline',
    wasm: 'WebAssembly: runs on the CPU',
    cpu: 'plain JavaScript on the CPU (slowest)',
  };
  const times = (Object.entries(timings) as [BackendName, number][]).map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ');
  const why: Record<BackendChoice['how'], string> = {
    forced: 'chosen by hand',
    timed: `fastest of a timed run here (${times})`,
    remembered: times === '' ? 'remembered from an earlier visit' : `remembered from an earlier visit (${times})`,
    first: 'the first that starts',
  };
  const passed = skipped.length === 0 ? '' : ` — passed over ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`;
  return `${base[name]}; ${why[how]}${passed}`;
}

/**
 * Whether the active backend keeps the weights on a GPU, which can go away
 * mid-session (driver reset, another tab's crash, `device.destroy()`): the
 * page then keeps a copy of what it loaded, to load it again elsewhere.
 */
export function onGpu(): boolean {
  const name = tf.getBackend();
  return name === 'webgpu' || name === 'webgl';
}

interface DeviceLostInfo {
  reason?: string;
  message?: string;
}

/**
 * Calls `onLost` once if the GPU device under the active WebGPU backend is
 * lost. The returned function stops watching (the backend was replaced on
 * purpose). Other backends have no device to watch: a lost WebGL context shows
 * as failing runs instead (see isDeviceLost).
 */
export function watchDeviceLoss(onLost: (message: string) => void): () => void {
  if (tf.getBackend() !== 'webgpu') return () => {};
  // tfjs-backend-webgpu's WebGPUBackend keeps its GPUDevice as `device`; typed here to what we read.
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<DeviceLostInfo> } }).device;
  if (device?.lost === undefined) return () => {};
  let watching = true;
  void device.lost.then((info) => {
    if (watching) onLost(info.message !== undefined && info.message !== '' ? info.message : `the GPU device was lost (${info.reason ?? 'unknown'})`);
  });
  return () => {
    watching = false;
  };
}

/**
 * Whether a run failed because the GPU went away (a lost WebGPU device, a lost
 * WebGL context) rather than because of its input: such a run works again on
 * another backend.
 */
export function isDeviceLost(error: unknown): boolean {
  return /device (is |was |has been )?(lost|destroyed)|lost device|context (was |is )?lost|CONTEXT_LOST/i.test(messageOf(error));
}

/**
 * The backends to try after `lost` stopped mid-session: the rest of the
 * default chain, in order (the first that starts wins; no timing, the page is
 * in use).
 */
export function chainAfter(lost: BackendName): BackendName[] {
  return DEFAULT_CHAIN.slice(DEFAULT_CHAIN.indexOf(lost) + 1);
}

/**
 * A tiny matmul on the active backend, read back, so the page can prove the
 * backend computes — not just that it initialised. [[1,2],[3,4]]·[[5,6],[7,8]].
 */
export async function selfTest(): Promise<{ ok: boolean; values: number[] }> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  const values = Array.from(await product.data());
  product.dispose();
  const expected = [19, 22, 43, 50];
  return { ok: values.every((v, i) => Math.abs(v - expected[i]) < 1e-4), values };
}
