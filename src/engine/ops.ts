/** The three small functions every BERT block uses: dense, LayerNorm, GELU. */
import * as tf from '@tensorflow/tfjs';

export interface Dense {
  /**
   * [in, out]: PyTorch's nn.Linear weight transposed once at load, so every
   * call is a plain x·W. (tfjs-wasm 4.22 also computes fused matMul with
   * transposeB + bias wrongly — measured: errors of ~0.8 — so this is needed.)
   */
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

export interface Norm {
  weight: tf.Tensor1D; // γ
  bias: tf.Tensor1D; // β
}

/** y = x·W + b over the last axis, for any leading shape. */
export function dense(x: tf.Tensor, layer: Dense): tf.Tensor {
  const inner = x.shape[x.shape.length - 1];
  const flat = x.reshape([-1, inner]) as tf.Tensor2D;
  const y = tf.fused.matMul({ a: flat, b: layer.kernel, bias: layer.bias });
  return y.reshape([...x.shape.slice(0, -1), layer.kernel.shape[1]]);
}

/** LayerNorm over the hidden axis (population variance, as PyTorch). */
export function layerNorm(x: tf.Tensor, norm: Norm, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(norm.weight).add(norm.bias);
}

/** BERT's exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)), not the tanh approximation. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);
}
