import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/engine/node';
import { batchMatMul, layerNorm } from '../src/engine/ops';

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

describe('wasm fast paths agree with the plain kernels', () => {
  beforeAll(async () => {
    await initNodeBackend(['wasm']);
  });

  // Shapes on both sides of the switch between batched and per-slice products.
  it.each([
    [[1, 4, 128, 64], [1, 4, 64, 128]], // one sentence's heads, 128 tokens: per slice
    [[1, 4, 128, 128], [1, 4, 128, 64]], // probabilities · values: per slice
    [[1, 4, 16, 64], [1, 4, 64, 16]], // short sentence: batched
    [[32, 4, 128, 64], [32, 4, 64, 128]], // a training batch: batched (too many slices)
  ])('batchMatMul %j · %j', (aShape, bShape) => {
    const a = random(aShape, 1);
    const b = random(bShape, 2);
    const ours = batchMatMul(a, b);
    const plain = tf.matMul(a, b);
    expect(ours.shape).toEqual(plain.shape);
    expect(tf.max(tf.abs(ours.sub(plain))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([a, b, ours, plain]);
  });

  it('layerNorm equals the textbook formula (population variance)', () => {
    const x = random([3, 7, 32], 3);
    const weight = random([32], 4) as tf.Tensor1D;
    const bias = random([32], 5) as tf.Tensor1D;
    const { mean, variance } = tf.moments(x, -1, true);
    const expected = x.sub(mean).div(variance.add(1e-12).sqrt()).mul(weight).add(bias);
    expect(tf.max(tf.abs(layerNorm(x, { weight, bias }, 1e-12).sub(expected))).dataSync()[0]).toBeLessThan(1e-5);
  });
});
