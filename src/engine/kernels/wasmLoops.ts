/**
 * tfjs-wasm's own memory, and the loops the fused kernels (wasmFused.ts) run
 * on it: WebAssembly SIMD (simd.wat) imported onto that memory, or, without
 * SIMD or on sizes not divisible by 4, the same arithmetic in JavaScript.
 * Also what every kernel file here shares: registering kernels once, the byte
 * offset of a tensor, instantiating a kernel module on the memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIMD_KERNELS_SHARED_WASM, SIMD_KERNELS_WASM } from './simd.wasm';
import { kernelBytes, memoryOf } from './wasmMemory';

export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * A function that registers these kernels (and gradients) on the wasm backend
 * the first time it is called there, and says whether that backend is active.
 */
export function registrar(kernels: [string, tf.KernelFunc][], gradients: tf.GradConfig[] = []): () => boolean {
  let registered = false;
  return () => {
    if (tf.getBackend() !== 'wasm') return false;
    if (!registered) {
      for (const [kernelName, kernelFunc] of kernels) {
        if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
      }
      for (const config of gradients) {
        if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
      }
      registered = true;
    }
    return true;
  };
}

/** Byte offset of a tensor's data in the heap, after checking its type (the loops read raw memory). */
export function at(backend: BackendWasm, t: tf.TensorInfo, dtype: tf.DataType = 'float32'): number {
  if (t.dtype !== dtype) throw new Error(`wasm kernel: expected ${dtype}, got ${t.dtype}`);
  return backend.getMemoryOffset(t.dataId);
}

/** The elementwise loops, on byte offsets into tfjs-wasm's memory (the signatures of simd.wat's exports). */
export interface Loops {
  /** y = x·Φ(x) for n floats. */
  gelu(x: number, y: number, n: number): void;
  /** y = x + r for n floats. */
  add(x: number, r: number, y: number, n: number): void;
  /** Row i of y = word[ids[i]] + position[i mod t] + segment[typed ? types[i] : 0], rows of h floats. */
  embed_rows(word: number, ids: number, position: number, segment: number, types: number, typed: number, y: number, n: number, t: number, h: number): void;
  /** One head out of the fused [t, 3·hidden] projection x: q (scaled) and v [t, d], kT [d, t]. */
  split_head(x: number, t: number, hidden: number, col: number, d: number, scale: number, q: number, kT: number, v: number): void;
  /** Each row of h floats, in place: (y − mean)/√(var + eps)·γ + β. */
  norm_rows(y: number, gamma: number, beta: number, rows: number, h: number, eps: number): void;
}

export type LoopsKind = 'simd' | 'js';
/** Which loops run: SIMD when this WebAssembly has it; tests may ask for the JavaScript ones. */
let preferred: LoopsKind = 'simd';
const simdByMemory = new WeakMap<WebAssembly.Memory, Loops | null>();

/**
 * For tests: run the JavaScript loops (or the SIMD ones again). Returns the
 * kind asked for, or 'js' where this WebAssembly has no SIMD (`activeLoops`
 * says what actually runs).
 */
export function useLoops(kind: LoopsKind): LoopsKind {
  preferred = kind;
  return kind === 'simd' && !simdAvailable() ? 'js' : kind;
}

/** Which loops the fused kernels run on the active backend: null when it is not wasm. */
export function activeLoops(): LoopsKind | null {
  if (tf.getBackend() !== 'wasm') return null;
  const loops = loopsFor(tf.backend() as BackendWasm);
  const memory = memoryOf(tf.backend() as BackendWasm);
  return memory !== undefined && loops === simdByMemory.get(memory) ? 'simd' : 'js';
}

function simdAvailable(): boolean {
  return WebAssembly.validate(simdBytes());
}

const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
export function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(base64);
  if (bytes === undefined) {
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    decoded.set(base64, bytes);
  }
  return bytes;
}
const simdBytes = () => fromBase64(SIMD_KERNELS_WASM);

/** An instance of a kernel module on this memory, or null where it cannot import it (a plain module, a shared memory). */
export function instantiate<T>(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): T | null {
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as T;
  } catch {
    return null;
  }
}

/**
 * The loops for this backend's memory, and whether the SIMD ones may take a
 * size (they work four floats at a time). The module is ~1.4 KB: small enough
 * for a synchronous compile on a browser's main thread, which Chrome allows
 * only for small modules (it runs in the page, checked by the e2e tests).
 */
export function loopsFor(backend: BackendWasm, ...sizes: number[]): Loops {
  const memory = memoryOf(backend);
  if (preferred === 'js' || memory === undefined || sizes.some((n) => n % 4 !== 0)) return jsLoops(backend);
  let simd = simdByMemory.get(memory);
  if (simd === undefined) {
    // tfjs-wasm's threaded build shares its memory: the module variant that imports a shared one.
    simd = simdAvailable() ? instantiate<Loops>(fromBase64(kernelBytes(memory, SIMD_KERNELS_WASM, SIMD_KERNELS_SHARED_WASM)), memory) : null;
    simdByMemory.set(memory, simd);
  }
  return simd ?? jsLoops(backend);
}

/** The Emscripten module's heap, which tfjs-wasm's types do not spell out (its memory: wasmMemory.ts). */
export function emscripten(backend: BackendWasm): { HEAPU8: Uint8Array } {
  return backend.wasm as unknown as { HEAPU8: Uint8Array };
}

/** Abramowitz & Stegun 7.1.28 (|error| ≤ 3e-7), the same formula as simd.wat, so both paths agree. */
const A = [0.0705230784, 0.0422820123, 0.0092705272, 0.0001520143, 0.0002765672, 0.0000430638];
function erf(x: number): number {
  const z = Math.abs(x);
  let p = 1 + z * (A[0] + z * (A[1] + z * (A[2] + z * (A[3] + z * (A[4] + z * A[5])))));
  p *= p;
  p *= p;
  p *= p;
  p *= p;
  const e = 1 - 1 / p;
  return x < 0 ? -e : e;
}

function jsLoops(backend: BackendWasm): Loops {
  // One view of the whole heap per call (the heap may have grown since the last).
  const heap = () => new Float32Array(emscripten(backend).HEAPU8.buffer);
  return {
    gelu(x, y, n) {
      const f = heap();
      const [xi, yi] = [x >> 2, y >> 2];
      for (let i = 0; i < n; i++) {
        const v = f[xi + i];
        f[yi + i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
      }
    },
    add(x, r, y, n) {
      const f = heap();
      const [xi, ri, yi] = [x >> 2, r >> 2, y >> 2];
      for (let i = 0; i < n; i++) f[yi + i] = f[xi + i] + f[ri + i];
    },
    embed_rows(word, ids, position, segment, types, typed, y, n, t, h) {
      const f = heap();
      const ints = new Int32Array(f.buffer);
      for (let i = 0; i < n; i++) {
        const w = (word >> 2) + ints[(ids >> 2) + i] * h;
        const p = (position >> 2) + (i % t) * h;
        const s = (segment >> 2) + (typed ? ints[(types >> 2) + i] : 0) * h;
        const row = (y >> 2) + i * h;
        for (let c = 0; c < h; c++) f[row + c] = f[w + c] + f[p + c] + f[s + c];
      }
    },
    split_head(x, t, hidden, col, d, scale, q, kT, v) {
      const f = heap();
      const [qi, ki, vi] = [q >> 2, kT >> 2, v >> 2];
      for (let r = 0; r < t; r++) {
        const row = (x >> 2) + r * 3 * hidden + col;
        for (let c = 0; c < d; c++) {
          f[qi + r * d + c] = f[row + c] * scale;
          f[ki + c * t + r] = f[row + hidden + c];
          f[vi + r * d + c] = f[row + 2 * hidden + c];
        }
      }
    },
    norm_rows(y, gamma, beta, rows, h, eps) {
      const f = heap();
      const [gi, bi] = [gamma >> 2, beta >> 2];
      for (let start = y >> 2, row = 0; row < rows; row++, start += h) {
        let sum = 0;
        for (let c = 0; c < h; c++) sum += f[start + c];
        const mean = sum / h;
        let squares = 0;
        for (let c = 0; c < h; c++) squares += (f[start + c] - mean) ** 2;
        const scale = 1 / Math.sqrt(squares / h + eps);
        for (let c = 0; c < h; c++) f[start + c] = (f[start + c] - mean) * scale * f[gi + c] + f[bi + c];
      }
    },
  };
}
