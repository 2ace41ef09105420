/**
 * Faster matrix products, where one applies: dense layers on the WGSL kernel
 * (software WebGPU) or gemm.wat (wasm), the hand-written gradient of a dense
 * layer for training, and batched products split into 2-D ones on wasm. Each
 * returns null where none applies; the model then runs tfjs's own product.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dense } from '../model/ops';
import { fusedMatMul, readsWellUnpacked, wasmGemm } from './wasmGemm';
import { denseWgsl, wgslDense, wgslDenseFits } from './webgpu';

/** True outside any gradient tape: nothing will ask for a gradient of what runs now. */
export function inference(): boolean {
  return tf.engine().state.gradientDepth === 0;
}

/**
 * x [n, in]·W + b, then GELU when asked: on the WGSL kernel (inference on a
 * software WebGPU adapter, BERT's widths); without GELU also on gemm.wat
 * (inference on wasm with relaxed SIMD, b packed or small enough to read
 * row-major), or with the hand-written gradient (under a gradient tape, every
 * backend). Else null: plain x·W + b, with GELU applied after.
 */
export function fastDense(x: tf.Tensor2D, layer: Dense, activation: 'none' | 'gelu'): tf.Tensor2D | null {
  const [inner, width] = [x.shape[1], layer.kernel.shape[1]];
  if (inference() && wgslDense() && wgslDenseFits(inner, width)) return denseWgsl(x, layer.kernel, layer.bias, activation);
  if (activation === 'gelu') return null;
  // Outside a gradient, the hand-written one is pure overhead (docs/performance.md#linear-gradient).
  if (!inference()) return linear(x, layer.kernel, layer.bias);
  if (wasmGemm() && (layer.packed !== undefined || readsWellUnpacked(layer.kernel))) {
    return fusedMatMul(x, layer.kernel, { bias: layer.bias, packed: layer.packed }) as tf.Tensor2D;
  }
  return null;
}

/**
 * The fused x·W + b with a hand-written gradient for fine-tuning, which
 * transposes explicitly instead of asking matMul for transposeA/transposeB
 * (docs/performance.md#linear-gradient). The forward pass is tfjs's own.
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
 * a·b for stacks of matrices, [..., m, k]·[..., k, n] with equal leading axes:
 * at inference on gemm.wat, one kernel for the whole stack; else on wasm, a
 * few large products one matrix pair at a time as 2-D matMuls
 * (docs/performance.md#head-by-head). Else null (GPU backends keep tfjs's
 * batched kernel). Single sentences on wasm take attention.ts's own path;
 * this serves small batches there.
 */
export function fastBatchMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor | null {
  const lead = a.shape.slice(0, -2);
  const slices = lead.reduce((x, y) => x * y, 1);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 1];
  const sameLead = tf.util.arraysEqual(lead, b.shape.slice(0, -2));
  if (inference() && wasmGemm() && sameLead && readsWellUnpacked(b)) {
    return fusedMatMul(a.reshape([slices, m, k]), b.reshape([slices, k, n])).reshape([...lead, m, n]);
  }
  if (tf.getBackend() !== 'wasm' || slices > MAX_SLICES || !perSliceWorthIt(m, k, n)) return null;
  const as = tf.unstack(a.reshape([-1, m, k]));
  const bs = tf.unstack(b.reshape([-1, k, n]));
  const products = as.map((ai, i) => tf.matMul(ai as tf.Tensor2D, bs[i] as tf.Tensor2D));
  return tf.stack(products).reshape([...lead, m, n]);
}
/** tfjs-wasm's unstack copies the whole input once per slice (O(slices²) bytes): only a few slices. */
const MAX_SLICES = 16;

/** Whether an m×k·k×n product is big enough for separate 2-D products to beat tfjs-wasm's batched one. */
function perSliceWorthIt(m: number, k: number, n: number): boolean {
  return m * k * n >= 64 * 64 * 64; // multiply-adds per slice: about 64 tokens × 64 dims per head
}
