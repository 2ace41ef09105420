/**
 * The small functions every BERT block uses: dense layers, matrix products,
 * LayerNorm, GELU — each the textbook formula in plain tf ops, after asking
 * the backends' fast paths (kernels/) for a faster equal.
 */
import * as tf from '@tensorflow/tfjs';
import { fast } from '../kernels';

export interface Dense {
  /** [in, out]: PyTorch's nn.Linear weight transposed once at load, so every call is x·W (docs/performance.md#transposed-layouts). */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  /** The kernel in gemm.wat's panels, for large kernels on wasm: made at load by kernels' prepareWeights. */
  packed?: tf.Tensor3D;
}

export interface Norm {
  weight: tf.Tensor1D; // γ
  bias: tf.Tensor1D; // β
}

/** y = x·W + b over the last axis, for any leading shape. */
export function dense(x: tf.Tensor, layer: Dense): tf.Tensor {
  return overRows(x, layer, (rows) => fast.dense(rows, layer) ?? tf.fused.matMul({ a: rows, b: layer.kernel, bias: layer.bias }));
}

/** GELU(x·W + b): the feed-forward's first half. */
export function denseGelu(x: tf.Tensor, layer: Dense): tf.Tensor {
  return overRows(x, layer, (rows) => fast.denseGelu(rows, layer) ?? gelu(dense(rows, layer)));
}

/** f on x's rows [N, in] (N = every leading axis together) → [..., out]. */
function overRows(x: tf.Tensor, layer: Dense, f: (rows: tf.Tensor2D) => tf.Tensor): tf.Tensor {
  if (x.rank === 2) return f(x as tf.Tensor2D);
  const y = f(x.reshape([-1, x.shape[x.rank - 1]]));
  return y.reshape([...x.shape.slice(0, -1), layer.kernel.shape[1]]);
}

/** a·b for matrices or stacks of them: [..., m, k]·[..., k, n]. */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return fast.matMul(a, b) ?? tf.matMul(a, b);
}

/**
 * LayerNorm over the hidden axis, with the population variance (as PyTorch):
 * (x − mean) / √(var + eps) · γ + β. Written out, not with tf.moments
 * (docs/performance.md#layernorm-ops).
 */
export function layerNorm(x: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  const centred = x.sub(x.mean(-1, true));
  const variance = centred.square().mean(-1, true);
  return centred.mul(tf.rsqrt(variance.add(eps))).mul(norm.weight).add(norm.bias);
}

/** LayerNorm(x + residual): BERT's "add & norm" (x and residual of one shape). */
export function addLayerNorm(x: tf.Tensor, residual: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  return fast.addLayerNorm(x, residual, norm, eps) ?? layerNorm(x.add(residual), norm, eps);
}

/** BERT's exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)), not the tanh approximation. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return fast.gelu(x) ?? x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}
