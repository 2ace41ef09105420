import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/engine/node';
import { batchMatMul, layerNorm, type Dense } from '../src/engine/ops';
import { attentionMask, selfAttention, type AttentionWeights } from '../src/engine/attention';

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

  // One sentence of 80 tokens takes the head-by-head path; the same sentence twice in a
  // batch takes the batched one. Both must give the same context, probabilities and norms.
  it.each(['bidirectional', 'causal'] as const)('one long sentence, head by head (%s mask)', (mode) => {
    const H = 256; // 4 heads of 64: 80·64·80 multiply-adds per head, enough for the head-by-head path
    const T = 80;
    const heads = 4;
    const layer = (seed: number): Dense => ({ kernel: random([H, H], seed) as tf.Tensor2D, bias: random([H], seed + 1) as tf.Tensor1D });
    const w: AttentionWeights = { query: layer(10), key: layer(20), value: layer(30), output: layer(40) };
    const x = random([1, T, H], 6) as tf.Tensor3D;
    const one = selfAttention(x, w, attentionMask([T], T, mode), heads, true);
    const two = selfAttention(tf.concat([x, x]) as tf.Tensor3D, w, attentionMask([T, T], T, mode), heads, true);
    const first = (t: tf.Tensor) => t.slice(0, 1);
    const diff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(a.sub(b))).dataSync()[0];
    expect(one.attentionProbs.shape).toEqual([1, heads, T, T]);
    expect(diff(one.attentionProbs, first(two.attentionProbs))).toBeLessThan(1e-5);
    expect(diff(one.context, first(two.context))).toBeLessThan(1e-4);
    expect(diff(one.valueNorms!, first(two.valueNorms!))).toBeLessThan(1e-4);
    if (mode === 'causal') expect(one.attentionProbs.slice([0, 0, 0, 1], [1, heads, 1, T - 1]).max().dataSync()[0]).toBe(0);
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
