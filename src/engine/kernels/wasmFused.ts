/**
 * Fused kernels for tfjs's WebAssembly backend: GELU (erf within 3e-7),
 * residual add + LayerNorm, the embedding sum + LayerNorm, and splitting the
 * fused query/key/value projection into heads — each one kernel where tfjs
 * runs a chain of small ones (see docs/performance.md#fused-wasm-kernels).
 * Their loops are in wasmLoops.ts.
 *
 * Each kernel except the embeddings has a gradient written with ordinary tf
 * ops (registered for every backend), so fine-tuning with unfrozen encoder
 * layers still trains through them. Other backends never run these kernels:
 * the dispatch (index.ts) asks `wasmKernels()` first.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { at, loopsFor, registrar, type KernelArgs } from './wasmLoops';

export const GELU = 'BertPlaygroundGelu';
export const ADD_LAYER_NORM = 'BertPlaygroundAddLayerNorm';
export const SPLIT_QKV = 'BertPlaygroundSplitQkv';
export const EMBED = 'BertPlaygroundEmbed';

/** True on the wasm backend, after registering the kernels there (once). */
export function wasmKernels(): boolean {
  return register();
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
 * tfjs's gather (docs/performance.md#fused-wasm-kernels).
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
 * a plain product (docs/performance.md#transposed-layouts); the
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

const register = registrar(
  [
    [GELU, geluKernel],
    [ADD_LAYER_NORM, addLayerNormKernel],
    [SPLIT_QKV, splitQkvKernel],
    [EMBED, embedKernel],
  ],
  gradients,
);
