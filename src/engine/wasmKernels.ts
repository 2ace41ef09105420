/**
 * Three fused kernels for tfjs's WebAssembly backend, written in JavaScript
 * straight over the wasm heap: exact GELU, residual add + LayerNorm, and
 * splitting a [T, H] projection into its heads.
 *
 * Why: tfjs-wasm 4.22 runs each of these as a chain of small kernels, and at
 * 128 tokens they cost more than the arithmetic (measured in Chromium with
 * tf.profile, shipped model, one forward pass): Erf alone ~10 ms for 0.5 M
 * numbers, each LayerNorm ten kernels, and the 12 per-layer column slices
 * ~0.1 ms each. onnxruntime-web fuses the same patterns (Gelu,
 * SkipLayerNormalization) when it loads a BERT graph. One pass in plain
 * JavaScript over a Float32Array view of the heap is cheaper than any of the
 * chains. The products stay on tfjs's own XNNPACK matMul.
 *
 * Each kernel has a gradient written with ordinary tf ops (registered for every
 * backend), so fine-tuning with unfrozen encoder layers still trains through
 * them. Other backends never run these kernels: ops.ts asks `wasmKernels()`
 * first and otherwise keeps the plain op chain.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const GELU = 'BertPlaygroundGelu';
export const ADD_LAYER_NORM = 'BertPlaygroundAddLayerNorm';
export const SPLIT_QKV = 'BertPlaygroundSplitQkv';
export const EMBED = 'BertPlaygroundEmbed';

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
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  for (const config of gradients) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}

/** Float32Array views of tensors on the heap. Taken after every output is allocated: growing the heap detaches older views. */
function view(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`wasm kernel: expected float32, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

// ------------------------------------------------------------------ GELU

/**
 * Φ (the standard normal CDF) tabulated on [-LIMIT, LIMIT] in steps of 1/STEPS
 * and linearly interpolated: the error is at most h²/8·max|φ'| ≈ 3e-8, below
 * float32's resolution of Φ near 1. Beyond the table, Φ is 0 or 1 to within
 * 1e-15. Filled once by integrating φ interval by interval with Simpson's rule
 * (exact to ~1e-16 per interval), so no erf approximation is involved.
 */
const LIMIT = 8;
const STEPS = 1024;
let phiTable: Float64Array | null = null;

function cdfTable(): Float64Array {
  if (phiTable !== null) return phiTable;
  const n = 2 * LIMIT * STEPS;
  const table = new Float64Array(n + 2); // +1 so interpolation at x = LIMIT reads inside
  const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const h = 1 / STEPS;
  // Φ(-8) ≈ 6.2e-16: the start value, from the asymptotic tail φ(x)/|x|·(1 - 1/x²).
  let cdf = (pdf(-LIMIT) / LIMIT) * (1 - 1 / (LIMIT * LIMIT));
  table[0] = cdf;
  for (let i = 1; i <= n; i++) {
    const a = -LIMIT + (i - 1) * h;
    cdf += (h / 6) * (pdf(a) + 4 * pdf(a + h / 2) + pdf(a + h));
    table[i] = cdf;
  }
  table[n + 1] = 1;
  phiTable = table;
  return table;
}

/** x·Φ(x) for every number: the exact GELU of BERT (not the tanh approximation). */
export function geluInPlace(xs: Float32Array, ys: Float32Array): void {
  const table = cdfTable();
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x <= -LIMIT) ys[i] = 0;
    else if (x >= LIMIT) ys[i] = x;
    else {
      const at = (x + LIMIT) * STEPS;
      const j = at | 0;
      const lo = table[j];
      ys[i] = x * (lo + (at - j) * (table[j + 1] - lo));
    }
  }
}

function geluKernel({ inputs, backend }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const x = inputs.x as tf.TensorInfo;
  const out = wasm.makeOutput(x.shape, 'float32');
  if (tf.util.sizeFromShape(x.shape) > 0) geluInPlace(view(wasm, x), view(wasm, out));
  return out;
}

// ------------------------------------------------------------------ add + LayerNorm

/**
 * LayerNorm(x + residual)·γ + β over the last axis, population variance as in
 * PyTorch; sums in double precision. `residual` may be smaller than x and is
 * then repeated over x's leading axes (the position embeddings of one sentence
 * added to every sentence in a batch).
 */
function addLayerNormKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, residual, weight, bias } = inputs as Record<string, tf.TensorInfo>;
  const eps = (attrs as { eps: number }).eps;
  const out = wasm.makeOutput(x.shape, 'float32');
  const xs = view(wasm, x);
  const rs = view(wasm, residual);
  const ys = view(wasm, out);
  const H = x.shape[x.shape.length - 1];
  for (let start = 0; start < xs.length; start += H) {
    const r = start % rs.length;
    for (let c = 0; c < H; c++) ys[start + c] = xs[start + c] + rs[r + c];
  }
  normaliseRows(ys, H, view(wasm, weight), view(wasm, bias), eps);
  return out;
}

/**
 * In place, every row of H numbers: (y − mean)/√(var + eps)·γ + β, with the
 * population variance as PyTorch has it; sums in double precision.
 */
function normaliseRows(ys: Float32Array, H: number, gamma: Float32Array, beta: Float32Array, eps: number): void {
  for (let start = 0; start < ys.length; start += H) {
    let sum = 0;
    for (let c = 0; c < H; c++) sum += ys[start + c];
    const mean = sum / H;
    let squares = 0;
    for (let c = 0; c < H; c++) {
      const centred = ys[start + c] - mean;
      squares += centred * centred;
    }
    const scale = 1 / Math.sqrt(squares / H + eps);
    for (let c = 0; c < H; c++) ys[start + c] = (ys[start + c] - mean) * scale * gamma[c] + beta[c];
  }
}

// ------------------------------------------------------------------ embeddings

/**
 * LayerNorm(word[id] + position[t] + segment[type]) for ids [B, T] in one pass
 * (tfjs-wasm 4.22's gather alone takes ~2 ms for 128 rows, whatever the table).
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
  const idValues = wasm.typedArrayFromHeap(ids!) as Int32Array;
  const typeValues = types === undefined ? null : (wasm.typedArrayFromHeap(types) as Int32Array);
  const bad = idValues.findIndex((id) => id < 0 || id >= V);
  if (bad >= 0) throw new Error(`embeddings: token id ${idValues[bad]} is outside the vocabulary (0…${V - 1})`);
  if (typeValues?.some((t) => t < 0 || t >= segmentRows)) throw new Error(`embeddings: a token type is outside 0…${segmentRows - 1}`);
  const out = wasm.makeOutput([B, T, H], 'float32');
  // Views taken after the allocation, which may have grown (and detached) the heap.
  const idsNow = wasm.typedArrayFromHeap(ids!) as Int32Array;
  const typesNow = types === undefined ? null : (wasm.typedArrayFromHeap(types) as Int32Array);
  const [words, positions, segments, ys] = [word!, position!, segment!, out].map((t) => view(wasm, t));
  for (let i = 0; i < B * T; i++) {
    const [w, p, s, y] = [idsNow[i] * H, (i % T) * H, (typesNow === null ? 0 : typesNow[i]) * H, i * H];
    for (let c = 0; c < H; c++) ys[y + c] = words[w + c] + positions[p + c] + segments[s + c];
  }
  normaliseRows(ys, H, view(wasm, weight!), view(wasm, bias!), eps);
  return out;
}

// ------------------------------------------------------------------ split heads

/**
 * [T, 3H] (queries, keys, values side by side, as one fused projection gives
 * them) → per head: Q·scale [T, d], Kᵀ [d, T] and V [T, d] — 3·heads tensors in
 * that order. Kᵀ so that Q·Kᵀ is a plain product (tfjs-wasm's matMul with
 * transposeB is ~20× slower); the scale (1/√d) rides along for free.
 */
function splitQkvKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const wasm = backend as BackendWasm;
  const x = inputs.x as tf.TensorInfo;
  const { heads, scale } = attrs as { heads: number; scale: number };
  const [T, width] = x.shape;
  const H = width / 3;
  const d = H / heads;
  const shapes = [...Array<number[]>(heads).fill([T, d]), ...Array<number[]>(heads).fill([d, T]), ...Array<number[]>(heads).fill([T, d])];
  const outs = shapes.map((shape) => wasm.makeOutput(shape, 'float32'));
  const xs = view(wasm, x);
  for (let h = 0; h < heads; h++) {
    const q = view(wasm, outs[h]);
    const kT = view(wasm, outs[heads + h]);
    const v = view(wasm, outs[2 * heads + h]);
    for (let t = 0; t < T; t++) {
      const row = t * width + h * d;
      for (let c = 0; c < d; c++) {
        q[t * d + c] = xs[row + c] * scale;
        kT[c * T + t] = xs[row + H + c];
      }
      v.set(xs.subarray(row + 2 * H, row + 2 * H + d), t * d);
    }
  }
  return outs;
}

// ------------------------------------------------------------------ the public ops

export function fusedGelu(x: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(GELU, { x }, {}) as tf.Tensor;
}

export function fusedAddLayerNorm(x: tf.Tensor, residual: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const H = x.shape[x.shape.length - 1];
  if (residual.shape[residual.shape.length - 1] !== H || x.size % residual.size !== 0) {
    throw new Error(`addLayerNorm: residual ${JSON.stringify(residual.shape)} does not repeat over ${JSON.stringify(x.shape)}`);
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
  const outs = tf.engine().runKernel(SPLIT_QKV, { x }, { heads, scale }) as tf.Tensor2D[];
  return { q: outs.slice(0, heads), kT: outs.slice(heads, 2 * heads), v: outs.slice(2 * heads) };
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
        const dResidual = residual.size === dSum.size ? dSum : dSum.reshape([-1, ...residual.shape]).sum(0);
        return {
          dSum,
          dResidual,
          dWeight: g.mul(normed).reshape([-1, H]).sum(0),
          dBias: g.reshape([-1, H]).sum(0),
        };
      });
      return { x: () => parts.dSum, residual: () => parts.dResidual, weight: () => parts.dWeight, bias: () => parts.dBias };
    },
  },
  {
    kernelName: SPLIT_QKV,
    inputsToSave: ['x'], // only for its shape
    gradFunc: (dy, saved, attrs) => {
      const { heads, scale } = attrs as unknown as { heads: number; scale: number };
      const [T, width] = saved[0].shape;
      const d = width / 3 / heads;
      const parts = dy as (tf.Tensor | null)[]; // null: that output did not reach the loss
      const block = (p: tf.Tensor | null, i: number): tf.Tensor => {
        if (p === null) return tf.zeros([T, d]);
        if (i < heads) return p.mul(scale);
        return i < 2 * heads ? p.transpose() : p;
      };
      return { x: () => tf.tidy(() => tf.concat(parts.map(block), 1)) };
    },
  },
];
