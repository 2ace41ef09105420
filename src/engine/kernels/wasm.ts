/**
 * Fused kernels for tfjs's WebAssembly backend: GELU (erf within 3e-7),
 * residual add + LayerNorm, the embedding sum + LayerNorm, and splitting the fused
 * query/key/value projection into heads. Their loops are WebAssembly SIMD
 * (kernels/simd.wat) working in place on tfjs-wasm's own memory, which the
 * module imports; without SIMD, or on sizes not divisible by 4, the same
 * arithmetic runs in JavaScript over that memory.
 *
 * Also a matrix product (kernels/gemm.wat) with fused multiply-adds, where the
 * WebAssembly has relaxed SIMD; elsewhere products stay on tfjs's own matMul.
 *
 * Why: tfjs-wasm 4.22 runs each of these as a chain of small kernels, and at
 * 128 tokens they cost more than the arithmetic (measured in Chromium with
 * tf.profile, shipped model, one forward pass): Erf alone ~10 ms for 0.5 M
 * numbers, each LayerNorm ten kernels, the 12 per-layer column slices ~0.1 ms
 * each, a gather of 128 embedding rows ~2 ms. onnxruntime-web fuses the same
 * patterns (Gelu, SkipLayerNormalization) when it loads a BERT graph. The
 * products: tfjs-wasm's XNNPACK was built without relaxed SIMD, so it pays a
 * multiply and an add where gemm.wat's kernel pays one FMA (see gemm-wat.ts).
 *
 * Each kernel except the embeddings and the product has a gradient written with
 * ordinary tf ops (registered for every backend), so fine-tuning with unfrozen
 * encoder layers still trains through them; the product runs only outside a
 * gradient (ops.ts), and training keeps tfjs's matMul. Other backends never run these kernels:
 * ops.ts asks `wasmKernels()` first and otherwise keeps the plain op chain.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GEMM_KERNEL_WASM, SIMD_KERNELS_WASM } from './simd.wasm';

export const GELU = 'BertPlaygroundGelu';
export const ADD_LAYER_NORM = 'BertPlaygroundAddLayerNorm';
export const SPLIT_QKV = 'BertPlaygroundSplitQkv';
export const EMBED = 'BertPlaygroundEmbed';
export const MATMUL = 'BertPlaygroundMatMul';
export const PACK = 'BertPlaygroundPack';

type KernelArgs = Parameters<tf.KernelFunc>[0];

let registered = false;

/** True on the wasm backend, after registering the kernels there (once). */
export function wasmKernels(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!registered) {
    register();
    registered = true;
  }
  return true;
}

function register(): void {
  const kernels: [string, tf.KernelFunc][] = [
    [GELU, geluKernel],
    [ADD_LAYER_NORM, addLayerNormKernel],
    [SPLIT_QKV, splitQkvKernel],
    [EMBED, embedKernel],
    [MATMUL, matMulKernel],
    [PACK, packKernel],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  for (const config of gradients) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}

/** Byte offset of a tensor's data in the heap, after checking its type (the loops read raw memory). */
function at(backend: BackendWasm, t: tf.TensorInfo, dtype: tf.DataType = 'float32'): number {
  if (t.dtype !== dtype) throw new Error(`wasm kernel: expected ${dtype}, got ${t.dtype}`);
  return backend.getMemoryOffset(t.dataId);
}

// ------------------------------------------------------------------ the loops: SIMD or JavaScript

/** The elementwise loops, on byte offsets into tfjs-wasm's memory (the signatures of simd.wat's exports). */
interface Loops {
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
  if (!wasmKernels()) return null;
  const loops = loopsFor(tf.backend() as BackendWasm);
  const memory = emscripten(tf.backend() as BackendWasm).asm?.memory;
  return memory !== undefined && loops === simdByMemory.get(memory) ? 'simd' : 'js';
}

function simdAvailable(): boolean {
  return WebAssembly.validate(simdBytes());
}

const decoded = new Map<string, Uint8Array<ArrayBuffer>>();
function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(base64);
  if (bytes === undefined) {
    bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    decoded.set(base64, bytes);
  }
  return bytes;
}
const simdBytes = () => fromBase64(SIMD_KERNELS_WASM);
const gemmBytes = () => fromBase64(GEMM_KERNEL_WASM);

/** An instance of a kernel module on this memory, or null where it cannot import it (tfjs-wasm's threaded build shares it). */
function instantiate<T>(bytes: Uint8Array<ArrayBuffer>, memory: WebAssembly.Memory): T | null {
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
function loopsFor(backend: BackendWasm, ...sizes: number[]): Loops {
  const memory = emscripten(backend).asm?.memory;
  if (preferred === 'js' || memory === undefined || sizes.some((n) => n % 4 !== 0)) return jsLoops(backend);
  let simd = simdByMemory.get(memory);
  if (simd === undefined) {
    simd = simdAvailable() ? instantiate<Loops>(simdBytes(), memory) : null;
    simdByMemory.set(memory, simd);
  }
  return simd ?? jsLoops(backend);
}

/** The Emscripten module's heap and exports, which tfjs-wasm's types do not spell out. */
function emscripten(backend: BackendWasm): { HEAPU8: Uint8Array; asm?: { memory?: WebAssembly.Memory } } {
  return backend.wasm as unknown as { HEAPU8: Uint8Array; asm?: { memory?: WebAssembly.Memory } };
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

// ------------------------------------------------------------------ GELU

function geluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const x = inputs.x as tf.TensorInfo;
  const out = wasm.makeOutput(x.shape, 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  if (n > 0) loopsFor(wasm, n).gelu(at(wasm, x), at(wasm, out), n);
  return out;
}

// ------------------------------------------------------------------ add + LayerNorm

/** LayerNorm(x + residual)·γ + β over the last axis; x and residual of one shape. */
function addLayerNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, residual, weight, bias } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { eps: number }).eps;
  const out = wasm.makeOutput(x.shape, 'float32');
  const H = x.shape[x.shape.length - 1];
  const n = tf.util.sizeFromShape(x.shape);
  const loops = loopsFor(wasm, H);
  loops.add(at(wasm, x), at(wasm, residual), at(wasm, out), n);
  loops.norm_rows(at(wasm, out), at(wasm, weight), at(wasm, bias), n / H, H, eps);
  return out;
}

// ------------------------------------------------------------------ embeddings

/**
 * LayerNorm(word[id] + position[t] + segment[type]) for ids [B, T], without
 * tfjs's gather (tfjs-wasm 4.22's takes ~2 ms for 128 rows, whatever the table).
 * `types` absent: every token is segment 0. No gradient: the embeddings are
 * never trained here (fine-tuning retrains only top encoder layers).
 */
function embedKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { word, position, segment, ids, types, weight, bias } = inputs as Record<string, tf.TensorInfo | undefined>;
  const eps = (attrs as { eps: number }).eps;
  const [B, T] = ids!.shape;
  const [V, H] = word!.shape;
  const segmentRows = segment!.shape[0];
  // Checked before anything is allocated, so a bad id leaks nothing.
  at(wasm, ids!, 'int32');
  if (types !== undefined) at(wasm, types, 'int32');
  const idValues = wasm.typedArrayFromHeap(ids!) as Int32Array;
  const typeValues = types === undefined ? null : (wasm.typedArrayFromHeap(types) as Int32Array);
  const bad = idValues.findIndex((id) => id < 0 || id >= V);
  if (bad >= 0) throw new Error(`embeddings: token id ${idValues[bad]} is outside the vocabulary (0…${V - 1})`);
  if (typeValues?.some((t) => t < 0 || t >= segmentRows)) throw new Error(`embeddings: a token type is outside 0…${segmentRows - 1}`);
  const out = wasm.makeOutput([B, T, H], 'float32');
  const loops = loopsFor(wasm, H);
  const typed = types === undefined ? 0 : 1;
  loops.embed_rows(at(wasm, word!), at(wasm, ids!, 'int32'), at(wasm, position!), at(wasm, segment!), typed ? at(wasm, types!, 'int32') : 0, typed, at(wasm, out), B * T, T, H);
  loops.norm_rows(at(wasm, out), at(wasm, weight!), at(wasm, bias!), B * T, H, eps);
  return out;
}

// ------------------------------------------------------------------ split heads

/**
 * [T, 3H] (queries, keys, values side by side, as one fused projection gives
 * them) → per head: Q·scale [T, d], Kᵀ [d, T] and V [T, d]. Kᵀ so that Q·Kᵀ is
 * a plain product (tfjs-wasm's matMul with transposeB is ~20× slower); the
 * scale (1/√d) rides along for free. Either 3·heads tensors (Q heads, Kᵀ
 * heads, V heads: for 2-D products head by head) or, `stacked`, three
 * tensors [heads, T, d], [heads, d, T], [heads, T, d] (for one batched product).
 */
function splitQkvKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const wasm = backend as BackendWasm;
  const x = inputs.x as tf.TensorInfo;
  const { heads, scale, stacked } = attrs as { heads: number; scale: number; stacked: boolean };
  const [T, width] = x.shape;
  const H = width / 3;
  const d = H / heads;
  const block = T * d * 4; // bytes of one head's block
  const shapes = stacked
    ? [[heads, T, d], [heads, d, T], [heads, T, d]]
    : [...Array<number[]>(heads).fill([T, d]), ...Array<number[]>(heads).fill([d, T]), ...Array<number[]>(heads).fill([T, d])];
  const outs = shapes.map((shape) => wasm.makeOutput(shape, 'float32'));
  // Where head h's Q, Kᵀ and V go.
  const into = (part: number, h: number) => (stacked ? at(wasm, outs[part]) + h * block : at(wasm, outs[part * heads + h]));
  const loops = loopsFor(wasm, d);
  for (let h = 0; h < heads; h++) loops.split_head(at(wasm, x), T, H, h * d, d, scale, into(0, h), into(1, h), into(2, h));
  return outs;
}

// ------------------------------------------------------------------ matrix products

/** gemm.wat's exports (byte offsets; strides in floats): see the comments there. */
interface Gemm {
  /** C = A·B (+ bias; 0 for none), B read as panels of 8 columns, `panel` floats apart, rows `ldb` apart. */
  gemm(a: number, lda: number, b: number, ldb: number, panel: number, bias: number, c: number, ldc: number, m: number, k: number, n: number): void;
  /** B [k, n] → ⌈n/8⌉ panels [k, 8], zero-padded. */
  pack(b: number, packed: number, k: number, n: number): void;
}
const gemmByMemory = new WeakMap<WebAssembly.Memory, Gemm | null>();
let gemmWanted = true;

/**
 * For tests and the bench: whether products may use gemm.wat (true) or must
 * stay on tfjs's matMul. Returns whether they will on the active backend.
 */
export function allowGemm(on: boolean): boolean {
  gemmWanted = on;
  return wasmGemm();
}

/**
 * True when products on the active backend run on gemm.wat: the wasm backend,
 * a WebAssembly with relaxed SIMD (Chromium 114+, Node 22+ or Node 20 with
 * --experimental-wasm-relaxed-simd) and a memory the module can import.
 */
export function wasmGemm(): boolean {
  if (!gemmWanted || !wasmKernels()) return false;
  return gemmFor(tf.backend() as BackendWasm) !== null;
}

function gemmFor(backend: BackendWasm): Gemm | null {
  const memory = emscripten(backend).asm?.memory;
  if (memory === undefined) return null;
  let gemm = gemmByMemory.get(memory);
  if (gemm === undefined) {
    gemm = WebAssembly.validate(gemmBytes()) ? instantiate<Gemm>(gemmBytes(), memory) : null;
    gemmByMemory.set(memory, gemm);
  }
  return gemm;
}

/**
 * a·b (+ bias [n]) for a [m, k]·b [k, n], or a stack of them, a [s, m, k]·b
 * [s, k, n] → [s, m, n]. With `mergeHeads`, the stack's products go side by
 * side into one [m, s·n] (attention's heads back into one hidden vector, with
 * no transpose). With `packed` (b in panels, from packKernel), B is read from
 * there. No gradient: ops.ts calls it only outside one.
 */
function matMulKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { a, b, bias, packed } = inputs as Record<string, tf.TensorInfo | undefined>;
  const { mergeHeads } = attrs as { mergeHeads: boolean };
  const gemm = gemmFor(wasm);
  if (gemm === null) throw new Error('matMul: this WebAssembly has no relaxed SIMD (check wasmGemm() first)');
  const stacked = a!.shape.length === 3;
  const [s, m, k] = stacked ? a!.shape : [1, ...a!.shape];
  const n = b!.shape[b!.shape.length - 1];
  if (stacked && packed !== undefined) throw new Error('matMul: packed b is for single products, not stacks');
  const shape = !stacked ? [m, n] : mergeHeads ? [m, s * n] : [s, m, n];
  const out = wasm.makeOutput(shape, 'float32');
  const ldc = mergeHeads ? s * n : n;
  const [ldb, panel] = packed === undefined ? [n, 8] : [8, 8 * k];
  const [pa, pb, pc] = [at(wasm, a!), at(wasm, packed ?? b!), at(wasm, out)];
  const pbias = bias === undefined ? 0 : at(wasm, bias);
  for (let i = 0; i < s; i++) {
    gemm.gemm(pa + 4 * i * m * k, k, pb + 4 * i * k * n, ldb, panel, pbias, pc + 4 * (mergeHeads ? i * n : i * m * n), ldc, m, k, n);
  }
  return out;
}

/** b [k, n] → [⌈n/8⌉, k, 8]: gemm.wat's panels, the last one padded with zeros. */
function packKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const b = inputs.b as tf.TensorInfo;
  const gemm = gemmFor(wasm);
  if (gemm === null) throw new Error('pack: this WebAssembly has no relaxed SIMD (check wasmGemm() first)');
  const [k, n] = b.shape;
  const out = wasm.makeOutput([Math.ceil(n / 8), k, 8], 'float32');
  gemm.pack(at(wasm, b), at(wasm, out), k, n);
  return out;
}

// ------------------------------------------------------------------ the public ops

export function fusedGelu(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(GELU, { x }, {}) as tf.Tensor;
}

export function fusedAddLayerNorm(x: tf.Tensor, residual: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  if (!tf.util.arraysEqual(x.shape, residual.shape)) {
    throw new Error(`addLayerNorm: residual ${JSON.stringify(residual.shape)} is not the shape of the input ${JSON.stringify(x.shape)}`);
  }
  return tf.engine().runKernel(ADD_LAYER_NORM, { x, residual, weight, bias }, { eps }) as tf.Tensor;
}

export function fusedEmbed(
  table: { word: tf.Tensor2D; position: tf.Tensor2D; segment: tf.Tensor2D; weight: tf.Tensor1D; bias: tf.Tensor1D },
  ids: tf.Tensor2D,
  types: tf.Tensor2D | null,
  eps: number,
): tf.Tensor3D {
  if (ids.shape[1] > table.position.shape[0]) {
    throw new Error(`embeddings: ${ids.shape[1]} tokens, but the model has only ${table.position.shape[0]} positions`);
  }
  const inputs: tf.NamedTensorMap = { ...table, ids };
  if (types !== null) inputs.types = types;
  return tf.engine().runKernel(EMBED, inputs, { eps }) as tf.Tensor3D;
}

/** [T, 3H] → { q: heads × [T, d] (times `scale`), kT: heads × [d, T], v: heads × [T, d] }. */
export function splitQkv(x: tf.Tensor2D, heads: number, scale: number): { q: tf.Tensor2D[]; kT: tf.Tensor2D[]; v: tf.Tensor2D[] } {
  const outs = tf.engine().runKernel(SPLIT_QKV, { x }, { heads, scale, stacked: false }) as tf.Tensor2D[];
  return { q: outs.slice(0, heads), kT: outs.slice(heads, 2 * heads), v: outs.slice(2 * heads) };
}

/** [T, 3H] → { q: [heads, T, d] (times `scale`), kT: [heads, d, T], v: [heads, T, d] }. */
export function splitQkvStacked(x: tf.Tensor2D, heads: number, scale: number): { q: tf.Tensor3D; kT: tf.Tensor3D; v: tf.Tensor3D } {
  const [q, kT, v] = tf.engine().runKernel(SPLIT_QKV, { x }, { heads, scale, stacked: true }) as tf.Tensor3D[];
  return { q, kT, v };
}

export interface MatMulOptions {
  /** Added to every row: [n]. */
  bias?: tf.Tensor1D;
  /** b in gemm.wat's panels (`packForGemm(b)`): read from there, contiguously. */
  packed?: tf.Tensor3D;
  /** For stacks: the products side by side, [m, s·n], instead of [s, m, n]. */
  mergeHeads?: boolean;
}

/**
 * a·b (+ bias) on gemm.wat (callers check `wasmGemm()` first): [m, k]·[k, n],
 * or stacks [s, m, k]·[s, k, n].
 */
export function fusedMatMul(a: tf.Tensor, b: tf.Tensor, options: MatMulOptions = {}): tf.Tensor {
  wasmKernels(); // registers the kernel
  const { bias, packed, mergeHeads = false } = options;
  const stacked = a.rank === 3;
  const [k, kb] = [a.shape[a.rank - 1], b.shape[b.rank - 2]];
  const n = b.shape[b.rank - 1];
  if (a.rank !== b.rank || (a.rank !== 2 && a.rank !== 3) || k !== kb || (stacked && a.shape[0] !== b.shape[0])) {
    throw new Error(`matMul: cannot multiply ${JSON.stringify(a.shape)} by ${JSON.stringify(b.shape)}`);
  }
  if (bias !== undefined && bias.shape[0] !== n) throw new Error(`matMul: bias of ${bias.shape[0]} for ${n} columns`);
  if (mergeHeads && !stacked) throw new Error('matMul: mergeHeads needs stacked inputs');
  if (packed !== undefined && (stacked || !tf.util.arraysEqual(packed.shape, [Math.ceil(n / 8), k, 8]))) {
    throw new Error(`matMul: ${JSON.stringify(packed.shape)} is not ${JSON.stringify(b.shape)} packed`);
  }
  const inputs: tf.NamedTensorMap = { a, b };
  if (bias !== undefined) inputs.bias = bias;
  if (packed !== undefined) inputs.packed = packed;
  return tf.engine().runKernel(MATMUL, inputs, { mergeHeads }) as tf.Tensor;
}

/** b [k, n] in gemm.wat's panels, [⌈n/8⌉, k, 8] (callers check `wasmGemm()` first). */
export function packForGemm(b: tf.Tensor2D): tf.Tensor3D {
  wasmKernels(); // registers the kernel
  return tf.engine().runKernel(PACK, { b }, {}) as tf.Tensor3D;
}

// ------------------------------------------------------------------ gradients (plain tf ops)

const SQRT_2PI = Math.sqrt(2 * Math.PI);

const gradients: tf.GradConfig[] = [
  {
    kernelName: GELU,
    inputsToSave: ['x'],
    // d/dx x·Φ(x) = Φ(x) + x·φ(x)
    gradFunc: (dy, saved) => {
      const [x] = saved;
      return {
        x: () =>
          tf.tidy(() => {
            const cdf = tf.erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
            const pdf = tf.exp(x.square().mul(-0.5)).div(SQRT_2PI);
            return (dy as tf.Tensor).mul(cdf.add(x.mul(pdf)));
          }),
      };
    },
  },
  {
    kernelName: ADD_LAYER_NORM,
    inputsToSave: ['x', 'residual', 'weight'],
    gradFunc: (dy, saved, attrs) => {
      const [x, residual, weight] = saved;
      const eps = (attrs as unknown as { eps: number }).eps;
      const g = dy as tf.Tensor;
      const parts = tf.tidy(() => {
        const sum = x.add(residual);
        const centred = sum.sub(sum.mean(-1, true));
        const inv = tf.rsqrt(centred.square().mean(-1, true).add(eps));
        const normed = centred.mul(inv);
        const dNormed = g.mul(weight);
        // d/dsum of LayerNorm: (1/σ)·(dx̂ - mean(dx̂) - x̂·mean(dx̂·x̂))
        const dSum = dNormed.sub(dNormed.mean(-1, true)).sub(normed.mul(dNormed.mul(normed).mean(-1, true))).mul(inv);
        const H = weight.shape[0];
        return {
          dSum,
          dResidual: dSum.clone(),
          dWeight: g.mul(normed).reshape([-1, H]).sum(0),
          dBias: g.reshape([-1, H]).sum(0),
        };
      });
      return { x: () => parts.dSum, residual: () => parts.dResidual, weight: () => parts.dWeight, bias: () => parts.dBias };
    },
  },
  {
    kernelName: SPLIT_QKV,
    // (Outputs that never reached the loss arrive here as zeros: tfjs fills them in.)
    gradFunc: (dy, saved, attrs) => {
      const { heads, scale, stacked } = attrs as unknown as { heads: number; scale: number; stacked: boolean };
      const parts = dy as tf.Tensor[];
      return {
        x: () =>
          tf.tidy(() => {
            // One [T, d] block per part (Q, Kᵀ, V) and head, in the input's column order.
            const blocks = stacked
              ? parts.flatMap((p, part) => tf.unstack(p).map((b) => [part, b] as const))
              : parts.map((b, i) => [Math.floor(i / heads), b] as const);
            const columns = blocks.map(([part, b]) => (part === 0 ? b.mul(scale) : part === 1 ? b.transpose() : b));
            return tf.concat(columns, 1);
          }),
      };
    },
  },
];
