/**
 * The small functions every BERT block uses: dense (and matrix products),
 * LayerNorm, GELU. Each takes a backend's own fused kernel where one runs
 * (wasmKernels.ts, webgpuKernels.ts) and plain tf ops everywhere else.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAddLayerNorm, fusedGelu, fusedMatMul, packForGemm, wasmGemm, wasmKernels } from '../kernels/wasm';
import { denseWgsl, wgslDense, wgslDenseFits } from '../kernels/webgpu';

export interface Dense {
  /**
   * [in, out]: PyTorch's nn.Linear weight transposed once at load, so every
   * call is a plain x·W. (tfjs-wasm 4.22 also computes fused matMul with
   * transposeB + bias wrongly — measured: errors of ~0.8 — so this is needed.)
   */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  /** The kernel in gemm.wat's panels (`packForGemm`), for large kernels on wasm: made by BertModel at load. */
  packed?: tf.Tensor3D;
}

export interface Norm {
  weight: tf.Tensor1D; // γ
  bias: tf.Tensor1D; // β
}

/** y = x·W + b over the last axis, for any leading shape. */
export function dense(x: tf.Tensor, layer: Dense): tf.Tensor {
  return denseThen(x, layer, 'none');
}

/** GELU(x·W + b): the feed-forward's first half; one kernel on WebGPU where webgpuKernels.ts runs. */
export function denseGelu(x: tf.Tensor, layer: Dense): tf.Tensor {
  return denseThen(x, layer, 'gelu');
}

function denseThen(x: tf.Tensor, layer: Dense, activation: 'none' | 'gelu'): tf.Tensor {
  const inner = x.shape[x.shape.length - 1];
  const width = layer.kernel.shape[1];
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : (x.reshape([-1, inner]) as tf.Tensor2D);
  let y: tf.Tensor;
  if (inference() && wgslDense() && wgslDenseFits(inner, width)) {
    y = denseWgsl(flat, layer.kernel, layer.bias, activation);
  } else {
    // Outside a gradient (every inference) the customGrad wrapper is pure overhead: ~30 µs a call on tfjs-wasm.
    y = inference() ? matMul(flat, layer.kernel, layer.bias, layer.packed) : linear(flat, layer.kernel, layer.bias);
    if (activation === 'gelu') y = gelu(y);
  }
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), width]);
}

/** True outside any gradient tape: nothing will ask for a gradient of what runs now. */
export function inference(): boolean {
  return tf.engine().state.gradientDepth === 0;
}

/**
 * a·b (+ bias over the last axis) for [m, k]·[k, n] or stacks [s, m, k]·[s, k, n].
 * Outside a gradient on wasm with relaxed SIMD, gemm.wat's FMA kernel
 * (wasmKernels.ts, gemm-wat.ts: ~1.5× tfjs-wasm's matMul on BERT's shapes), reading b from
 * `packed` where given; otherwise tfjs's (which packs large weights itself).
 */
export function matMul(a: tf.Tensor, b: tf.Tensor, bias?: tf.Tensor1D, packed?: tf.Tensor3D): tf.Tensor {
  if (inference() && wasmGemm() && sameStack(a, b) && (packed !== undefined || readsWellUnpacked(b))) return fusedMatMul(a, b, { bias, packed });
  return bias === undefined ? tf.matMul(a, b) : tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias });
}

/**
 * Up to this many floats in one matrix b, gemm.wat read it row-major about as
 * fast as packed (a throwaway timing of both layouts in Chromium and Node):
 * the shipped model's largest weight, [256, 1024]. bert-base's and the bench's
 * 4/512/8/2048 weights (0.6–2.4 M floats) ran 2–4× slower row-major in Node,
 * e.g. [16, 768]·[768, 3072] 16.7 vs 4.8 ms packed: the block kernel walks
 * 8 columns down all k rows of b, which for a large b no longer stays in cache.
 */
export const GEMM_UNPACKED_MAX = 256 * 1024;

/** a [m, k]·b [k, n], or stacks of equal length [s, m, k]·[s, k, n]: what gemm.wat takes (no broadcasting). */
function sameStack(a: tf.Tensor, b: tf.Tensor): boolean {
  return a.rank === b.rank && (a.rank === 2 || (a.rank === 3 && a.shape[0] === b.shape[0]));
}

function readsWellUnpacked(b: tf.Tensor): boolean {
  const [k, n] = b.shape.slice(-2);
  return k * n <= GEMM_UNPACKED_MAX;
}

/** The kernel packed for gemm.wat when it runs and the kernel is too large to read unpacked; else null. */
export function packedKernel(kernel: tf.Tensor2D): tf.Tensor3D | null {
  return wasmGemm() && !readsWellUnpacked(kernel) ? packForGemm(kernel) : null;
}

/**
 * The fused x·W + b, with a hand-written gradient for fine-tuning: matMul's
 * built-in gradient multiplies with transposeA/transposeB, which tfjs-wasm 4.22
 * runs ~10× slower than a plain matMul (measured: 415 vs 41 ms for
 * [640, 256]ᵀ·[640, 1024]); transposing explicitly first avoids that. The
 * forward pass is unchanged, and inference never asks for the gradient.
 */
const linear = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, kernel, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, kernel]);
  return {
    value: tf.fused.matMul({ a: x, b: kernel, bias }),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, w.transpose()), tf.matMul(xs.transpose(), g), g.sum(0)];
    },
  };
}) as (x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

/**
 * a·b for stacks of matrices: [..., m, k]·[..., k, n] with equal leading axes.
 * On the wasm backend, large products are multiplied one matrix pair at a time
 * as 2-D matMuls: tfjs-wasm 4.22 runs only those on XNNPACK, and batched ones
 * as plain loops (measured, 4 heads at 128 tokens: q·kᵀ 5.3 ms batched, 1.7 ms
 * as four 2-D products; at 16 tokens batched wins, 0.19 vs 0.31 ms). Only a few
 * slices, though: its unstack copies the whole input once per slice
 * (O(slices²) bytes). Where gemm.wat runs (wasmGemm), one kernel does
 * the whole stack. Single sentences on wasm take attention.ts's own path;
 * this serves small batches there. GPU backends keep the batched kernel.
 */
export function batchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const lead = a.shape.slice(0, -2);
  const slices = lead.reduce((x, y) => x * y, 1);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const sameLead = tf.util.arraysEqual(lead, b.shape.slice(0, -2));
  if (inference() && wasmGemm() && sameLead && readsWellUnpacked(b)) {
    return fusedMatMul(a.reshape([slices, m, k]), b.reshape([slices, k, n])).reshape([...lead, m, n]);
  }
  if (tf.getBackend() !== 'wasm' || slices > MAX_SLICES || !perSliceWorthIt(m, k, n)) return tf.matMul(a, b);
  const as = tf.unstack(a.reshape([-1, m, k]));
  const bs = tf.unstack(b.reshape([-1, k, n]));
  const products = as.map((ai, i) => tf.matMul(ai as tf.Tensor2D, bs[i] as tf.Tensor2D));
  return tf.stack(products).reshape([...lead, m, n]);
}
const MAX_SLICES = 16;

/** Whether an m×k·k×n product is big enough for separate 2-D products to beat tfjs-wasm's batched one. */
function perSliceWorthIt(m: number, k: number, n: number): boolean {
  return m * k * n >= 64 * 64 * 64; // multiply-adds per slice: about 64 tokens × 64 dims per head
}

/**
 * LayerNorm over the hidden axis (population variance, as PyTorch). Written
 * out rather than tf.moments, which adds a cast and reshapes: per-op overhead
 * is most of a short sentence's run time on wasm.
 */
export function layerNorm(x: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  const centred = x.sub(x.mean(-1, true));
  const variance = centred.square().mean(-1, true);
  return centred.mul(tf.rsqrt(variance.add(eps))).mul(norm.weight).add(norm.bias);
}

/**
 * LayerNorm(x + residual): BERT's "add & norm" (x and residual of one shape).
 * On wasm, one fused kernel (wasmKernels.ts) instead of eleven small ones.
 */
export function addLayerNorm(x: tf.Tensor, residual: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  if (wasmKernels()) return fusedAddLayerNorm(x, residual, norm.weight, norm.bias, eps);
  return layerNorm(x.add(residual), norm, eps);
}

/**
 * BERT's exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)), not the tanh approximation.
 * On wasm, one fused kernel (wasmKernels.ts) whose erf is within 3e-7.
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (wasmKernels()) return fusedGelu(x);
  return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}
