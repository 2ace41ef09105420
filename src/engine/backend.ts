/**
 * Choosing where tfjs runs. The playground prefers the visitor's GPU through
 * WebGPU, then WebGL, then WebAssembly, then plain JavaScript — the first one
 * that initialises wins, and we remember why the others did not.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const DEFAULT_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendChoice {
  /** The backend tfjs now runs on. */
  name: BackendName;
  /** One line a student can read: why this backend and not an earlier one. */
  reason: string;
  /** For every backend tried before the winner, why it was skipped. */
  skipped: { name: BackendName; why: string }[];
}

export interface BackendOptions {
  chain?: readonly BackendName[];
  /**
   * Where the tfjs wasm binaries live: a folder URL/path ending in '/', or a
   * map from file name to URL (bundlers give each file its own hashed URL).
   */
  wasmPaths?: string | Record<string, string>;
}

/** Try each backend of the chain in order and activate the first that works. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const chain = options.chain ?? DEFAULT_CHAIN;
  // The threaded wasm build spawns workers from a blob that breaks once bundled
  // (tfjs 4.22 + Vite: "e is not defined" inside the worker), so use the
  // single-threaded SIMD build even on cross-origin-isolated pages.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (options.wasmPaths !== undefined) {
    // tfjs types the map form loosely; both forms are accepted at run time.
    setWasmPaths(options.wasmPaths as string);
  }
  const skipped: { name: BackendName; why: string }[] = [];
  for (const name of chain) {
    // A forced single backend is taken as asked; in a chain, a slow software GPU is passed over.
    const why = await unavailableReason(name, chain.length > 1);
    if (why !== null) {
      skipped.push({ name, why });
      continue;
    }
    try {
      const ok = await tf.setBackend(name);
      if (ok) {
        await tf.ready();
        return { name, reason: describe(name, skipped), skipped };
      }
      skipped.push({ name, why: 'failed to initialise' });
    } catch (error) {
      skipped.push({ name, why: error instanceof Error ? error.message : String(error) });
    }
  }
  throw new Error(
    `No tfjs backend could start (tried ${chain.join(', ')}): ` +
      skipped.map((s) => `${s.name}: ${s.why}`).join('; '),
  );
}

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
async function unavailableReason(name: BackendName, skipSoftwareGpu: boolean): Promise<string | null> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (name === 'webgpu') {
    if (nav?.gpu === undefined) {
      return 'navigator.gpu is missing (needs Chrome/Edge 113+ on https or localhost; headless Chromium needs --enable-unsafe-webgpu)';
    }
    const adapter = await nav.gpu.requestAdapter().catch(() => null);
    if (adapter === null) return 'the browser found no WebGPU adapter';
    if (skipSoftwareGpu && isSoftwareAdapter(adapter)) {
      // Measured here: SwiftShader runs BERT-mini 50–70× slower than the wasm backend.
      return 'the only WebGPU adapter is a software emulation (no GPU), slower than WebAssembly; add ?backend=webgpu to use it anyway';
    }
    return null;
  }
  if (name === 'webgl') {
    if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return 'no canvas to draw on outside a browser';
    const renderer = webglRenderer();
    if (skipSoftwareGpu && renderer !== null && /swiftshader|llvmpipe|software/i.test(renderer)) {
      return `WebGL runs on a software renderer (${renderer}), slower than WebAssembly; add ?backend=webgl to use it anyway`;
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

function describe(name: BackendName, skipped: { name: BackendName; why: string }[]): string {
  const base: Record<BackendName, string> = {
    webgpu: 'WebGPU: runs on the GPU',
    webgl: 'WebGL: runs on the GPU through the graphics pipeline',
    wasm: 'WebAssembly: runs on the CPU',
    cpu: 'plain JavaScript on the CPU (slowest)',
  };
  return skipped.length === 0 ? base[name] : `${base[name]} — skipped ${skipped.map((s) => `${s.name}: ${s.why}`).join('; ')}`;
}

/** The backend tfjs is using right now. */
export function activeBackend(): string {
  return tf.getBackend();
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
