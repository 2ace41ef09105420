import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../src/engine/node';
import { addLayerNorm, gelu, layerNorm, matMul, type Dense, type Norm } from '../src/engine/model/ops';
import { attentionMask, selfAttention, type AttentionWeights } from '../src/engine/model/attention';
import { encoderLayer, type LayerWeights } from '../src/engine/model/layer';
import { embed } from '../src/engine/model/embeddings';
import { encode, fromCheckpoint } from '../src/engine/model/bert';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { allowGemm, useLoops, wasmGemm } from '../src/engine/kernels';
import { ADD_LAYER_NORM, GELU, SPLIT_QKV, splitQkv, splitQkvStacked, wasmKernels } from '../src/engine/kernels/wasmFused';
import { fusedMatMul, MATMUL, packForGemm } from '../src/engine/kernels/wasmGemm';

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed);
}

// With gemm.wat's products (relaxed SIMD: initNodeBackend turns on Node 20's flag) and with tfjs's.
describe.each([true, false])('wasm fast paths agree with the plain kernels (gemm.wat: %s)', (gemm) => {
  beforeAll(async () => {
    await initNodeBackend(['wasm']);
    expect(allowGemm(gemm)).toBe(gemm);
  });
  afterAll(() => {
    allowGemm(true);
  });

  // Shapes on both sides of the switch between batched and per-slice products.
  it.each([
    [[1, 4, 128, 64], [1, 4, 64, 128]], // one sentence's heads, 128 tokens: per slice
    [[1, 4, 128, 128], [1, 4, 128, 64]], // probabilities · values: per slice
    [[1, 4, 16, 64], [1, 4, 64, 16]], // short sentence: batched
    [[32, 4, 128, 64], [32, 4, 64, 128]], // a training batch: batched (too many slices)
  ])('matMul %j · %j', (aShape, bShape) => {
    const a = random(aShape, 1);
    const b = random(bShape, 2);
    const ours = matMul(a, b);
    const plain = tf.matMul(a, b);
    expect(ours.shape).toEqual(plain.shape);
    expect(tf.max(tf.abs(ours.sub(plain))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([a, b, ours, plain]);
  });

  // One sentence takes the one-sentence path (fused Q/K/V; without gemm.wat, head by head at 80
  // tokens, one batched product at 12); the same sentence twice in a batch takes the general one. Both must give the
  // same context, probabilities and norms.
  it.each([
    ['bidirectional', 80],
    ['causal', 80],
    ['bidirectional', 12],
    ['causal', 12],
  ] as const)('one sentence on its own path (%s mask, %i tokens)', (mode, T) => {
    const H = 256; // 4 heads of 64: 80·64·80 multiply-adds per head go head by head, 12·64·12 batched
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

describe.each(['simd', 'js'] as const)('fused wasm kernels (%s loops) agree with the op chains they replace', (kind) => {
  beforeAll(async () => {
    await initNodeBackend(['wasm']);
    // Node 20's WebAssembly has SIMD: both kinds really run here.
    expect(useLoops(kind)).toBe(kind);
  });
  afterAll(() => {
    useLoops('simd');
  });
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(a.sub(b))).dataSync()[0];
  // The op chains, written out here so that they never take the fused path.
  const geluOps = (x: tf.Tensor) => x.mul(tf.erf(x.mul(Math.SQRT1_2)).add(1)).mul(0.5);

  it('GELU: values, including far tails and exact zeros, and its gradient', () => {
    expect(wasmKernels()).toBe(true);
    const x = tf.concat([tf.linspace(-12, 12, 4001), tf.tensor1d([0, -8, 8, 7.9999, -7.9999, 1e-7])]);
    const ours = gelu(x);
    expect(maxDiff(ours, geluOps(x))).toBeLessThan(2e-6);
    expect(ours.slice(4001, 1).dataSync()[0]).toBe(0);
    // gelu(x) = x for large x (Φ = 1 in float32) and → 0 for very negative x
    expect(ours.slice(4000, 1).dataSync()[0]).toBe(x.slice(4000, 1).dataSync()[0]);
    expect(ours.slice(0, 1).dataSync()[0]).toBeCloseTo(0, 6);
    const w = random([4007], 7);
    const [g] = tf.grads((t: tf.Tensor) => gelu(t).mul(w).sum())([x]);
    const [expected] = tf.grads((t: tf.Tensor) => geluOps(t).mul(w).sum())([x]);
    expect(maxDiff(g, expected)).toBeLessThan(1e-5);
  });

  it.each([
    [[2, 5, 32]], // a batch
    [[7, 32]], // one sentence's rows
    [[3, 6]], // rows of 6: not a multiple of 4, the JavaScript loops whatever the kind
  ])('add + LayerNorm %j: values and all four gradients', (shape) => {
    const H = shape[shape.length - 1];
    const x = random(shape, 11).mul(3).add(1);
    const r = random(shape, 12);
    const norm = { weight: random([H], 13) as tf.Tensor1D, bias: random([H], 14) as tf.Tensor1D };
    const eps = 1e-12;
    expect(maxDiff(addLayerNorm(x, r, norm, eps), layerNorm(x.add(r), norm, eps))).toBeLessThan(1e-5);
    const w = random(shape, 15);
    const loss = (f: typeof addLayerNorm) => (a: tf.Tensor, b: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
      f(a, b, { weight: gamma as tf.Tensor1D, bias: beta as tf.Tensor1D }, eps).mul(w).sum();
    const plain = (a: tf.Tensor, b: tf.Tensor, n: Norm, e: number) => layerNorm(a.add(b), n, e);
    const ours = tf.grads(loss(addLayerNorm))([x, r, norm.weight, norm.bias]);
    const expected = tf.grads(loss(plain))([x, r, norm.weight, norm.bias]);
    ours.forEach((g, i) => {
      expect(g.shape).toEqual(expected[i].shape);
      expect(maxDiff(g, expected[i])).toBeLessThan(1e-4);
    });
  });

  it('add + LayerNorm refuses a residual of another shape (it would not broadcast like the op chain)', () => {
    const norm = { weight: tf.ones([32]) as tf.Tensor1D, bias: tf.zeros([32]) as tf.Tensor1D };
    expect(() => addLayerNorm(random([2, 5, 32], 1), random([2, 1, 32], 2), norm, 1e-12)).toThrow(/not the shape of the input/);
  });

  it('splitQkv: per head, the scaled query block, the key block transposed and the value block; the gradient puts them back', () => {
    const [T, heads, d] = [6, 3, 4];
    const H = heads * d;
    const x = random([T, 3 * H], 21) as tf.Tensor2D;
    const scale = 0.5;
    // The same blocks by slicing, for any [T, 3H] tensor.
    const expected = (t: tf.Tensor) => {
      const block = (part: number, h: number) => t.slice([0, part * H + h * d], [T, d]);
      const hs = [0, 1, 2].map((h) => h);
      return [...hs.map((h) => block(0, h).mul(scale)), ...hs.map((h) => block(1, h).transpose()), ...hs.map((h) => block(2, h))];
    };
    const split = (t: tf.Tensor) => {
      const { q, kT, v } = splitQkv(t as tf.Tensor2D, heads, scale);
      return [...q, ...kT, ...v];
    };
    const ours = split(x);
    expect(ours.map((t) => t.shape)).toEqual(expected(x).map((t) => t.shape));
    ours.forEach((t, i) => expect(t.arraySync()).toEqual(expected(x)[i].arraySync()));
    // Gradient, also with some outputs left out of the loss (their gradient is zero).
    const ws = ours.map((t, i) => random(t.shape, 30 + i));
    const loss = (f: (t: tf.Tensor) => tf.Tensor[]) => (t: tf.Tensor) =>
      tf.addN(f(t).map((o, i) => (i % 4 === 3 ? tf.scalar(0) : o.mul(ws[i]).sum())));
    const [g] = tf.grads(loss(split))([x]);
    const [want] = tf.grads(loss(expected))([x]);
    expect(maxDiff(g, want)).toBeLessThan(1e-6);
    // Stacked: the same blocks as [heads, T, d], [heads, d, T], [heads, T, d], and the same gradient.
    const stacked = (t: tf.Tensor) => {
      const { q, kT, v } = splitQkvStacked(t as tf.Tensor2D, heads, scale);
      return [q, kT, v].flatMap((p) => tf.unstack(p));
    };
    stacked(x).forEach((t, i) => expect(t.arraySync()).toEqual(expected(x)[i].arraySync()));
    const [gs] = tf.grads(loss(stacked))([x]);
    expect(maxDiff(gs, want)).toBeLessThan(1e-6);
    const [gq] = tf.grads((t: tf.Tensor) => splitQkvStacked(t as tf.Tensor2D, heads, scale).v.sum())([x]); // Q, Kᵀ unused
    expect(maxDiff(gq, tf.grads((t: tf.Tensor) => tf.addN(expected(t).slice(2 * heads).map((b) => b.sum())))([x])[0])).toBe(0);
  });

  it.each([false, true])('embeddings: word + position + segment, then LayerNorm, in one kernel (token types given: %s)', (withTypes) => {
    const w = {
      word: random([50, 32], 41) as tf.Tensor2D,
      position: random([16, 32], 42) as tf.Tensor2D,
      tokenType: random([2, 32], 43) as tf.Tensor2D,
      norm: { weight: random([32], 44) as tf.Tensor1D, bias: random([32], 45) as tf.Tensor1D },
    };
    const ids = tf.tensor2d([[1, 7, 49, 3, 0], [2, 2, 8, 30, 11]], undefined, 'int32');
    const types = withTypes ? tf.tensor2d([[0, 0, 1, 1, 1], [0, 1, 0, 1, 0]], undefined, 'int32') : null;
    const segments = types === null ? w.tokenType.slice([0, 0], [1, -1]) : tf.gather(w.tokenType, types);
    const expected = layerNorm(tf.gather(w.word, ids).add(w.position.slice([0, 0], [5, -1])).add(segments), w.norm, 1e-12);
    const ours = embed(w, ids, types, 1e-12);
    expect(maxDiff(ours, expected)).toBeLessThan(1e-5);
    expect(() => embed(w, tf.tensor2d([[1, 50]], undefined, 'int32'), null, 1e-12)).toThrow(/outside the vocabulary/);
    expect(() => embed(w, tf.zeros([1, 17], 'int32') as tf.Tensor2D, null, 1e-12)).toThrow(/only 16 positions/);
  });

  it.each([true, false])('an encoder layer on wasm runs the fused kernels (and not Erf; gemm.wat: %s)', async (gemm) => {
    expect(allowGemm(gemm)).toBe(gemm);
    const H = 64;
    const dense = (seed: number, n = H): Dense => ({ kernel: random([H, n], seed) as tf.Tensor2D, bias: random([n], seed + 1) as tf.Tensor1D });
    const norm = { weight: tf.ones([H]) as tf.Tensor1D, bias: tf.zeros([H]) as tf.Tensor1D };
    const w: LayerWeights = {
      attention: { query: dense(1), key: dense(2), value: dense(3), output: dense(4) },
      attentionNorm: norm,
      intermediate: dense(5, 4 * H),
      output: { kernel: random([4 * H, H], 6) as tf.Tensor2D, bias: random([H], 7) as tf.Tensor1D },
      outputNorm: norm,
    };
    const run = (T: number) => tf.profile(() => tf.tidy(() => encoderLayer(random([1, T, H], 8) as tf.Tensor3D, w, null, 4, 1e-12).hidden));
    const names = (await run(8)).kernels.map((k) => k.name);
    expect(names).toContain(GELU);
    expect(names).toContain(ADD_LAYER_NORM);
    expect(names).toContain(SPLIT_QKV);
    expect(names).not.toContain('Erf');
    const count = (ks: string[], name: string) => ks.filter((k) => k === name).length;
    const names80 = (await run(80)).kernels.map((k) => k.name);
    allowGemm(true);
    if (gemm) {
      // Every product on gemm.wat: Q/K/V, Q·Kᵀ and P·V (each one kernel for all heads), output, FFN in and out.
      for (const ks of [names, names80]) {
        expect(count(ks, MATMUL)).toBe(6);
        expect(ks.filter((k) => /MatMul/.test(k) && k !== MATMUL)).toEqual([]);
      }
    } else {
      // 4 heads of 16: 8 tokens take one batched product each for Q·Kᵀ and P·V; 80 go head by head.
      expect(count(names, 'BatchMatMul')).toBe(2);
      expect(count(names80, 'BatchMatMul')).toBe(8);
      expect(names).not.toContain(MATMUL);
    }
  });
});

describe('gemm.wat: C = A·B (+ bias) with fused multiply-adds', () => {
  beforeAll(async () => {
    await initNodeBackend(['wasm']);
    // Node 20 runs it only with V8's relaxed-SIMD flag (initNodeBackend sets it): these tests must not pass vacuously.
    expect(allowGemm(true)).toBe(true);
  });
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(a.sub(b))).dataSync()[0];

  // Rows past the last block of 6 (every remainder, 1–5: each has its own block kernel), columns past the
  // last block of 8, k past the last 4, k in slices of 128 with a partial last one, and the degenerate sizes.
  it.each([
    [128, 256, 1024],
    [11, 300, 20],
    [16, 33, 24],
    [9, 5, 10],
    [2, 6, 8],
    [13, 7, 21],
    [6, 4, 8],
    [5, 3, 7],
    [1, 1, 1],
    [7, 9, 16],
    [12, 64, 12],
  ])('[%i, %i]·[%i-column] equals tfjs\'s product, with and without bias, b row-major or packed', (m, k, n) => {
    const a = random([m, k], 1) as tf.Tensor2D;
    const b = random([k, n], 2) as tf.Tensor2D;
    const bias = random([n], 3) as tf.Tensor1D;
    const plain = tf.matMul(a, b);
    const tolerance = 1e-5 * Math.sqrt(k) + 1e-6;
    const ours = fusedMatMul(a, b);
    expect(ours.shape).toEqual([m, n]);
    expect(maxDiff(ours, plain)).toBeLessThan(tolerance);
    expect(maxDiff(fusedMatMul(a, b, { bias }), plain.add(bias))).toBeLessThan(tolerance);
    const packed = packForGemm(b);
    expect(packed.shape).toEqual([Math.ceil(n / 8), k, 8]);
    expect(maxDiff(fusedMatMul(a, b, { packed }), plain)).toBeLessThan(tolerance);
    expect(maxDiff(fusedMatMul(a, b, { bias, packed }), plain.add(bias))).toBeLessThan(tolerance);
  });

  it('packs b into panels of 8 columns, the last one padded with zeros', () => {
    const b = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], [2, 10]);
    expect(packForGemm(b).arraySync()).toEqual([
      [[1, 2, 3, 4, 5, 6, 7, 8], [11, 12, 13, 14, 15, 16, 17, 18]],
      [[9, 10, 0, 0, 0, 0, 0, 0], [19, 20, 0, 0, 0, 0, 0, 0]],
    ]);
  });

  it('reads b from the packed copy when given one', () => {
    const a = random([7, 12], 1) as tf.Tensor2D;
    const [b, other] = [random([12, 20], 2) as tf.Tensor2D, random([12, 20], 3) as tf.Tensor2D];
    expect(maxDiff(fusedMatMul(a, b, { packed: packForGemm(other) }), tf.matMul(a, other))).toBeLessThan(1e-5);
  });

  it('empty sizes: no rows, no depth (bias or zeros), no columns', () => {
    const bias = random([9], 3) as tf.Tensor1D;
    expect(fusedMatMul(tf.zeros([0, 5]), random([5, 9], 1)).shape).toEqual([0, 9]);
    expect(maxDiff(fusedMatMul(tf.zeros([3, 0]), tf.zeros([0, 9]), { bias }), bias.reshape([1, 9]).tile([3, 1]))).toBe(0);
    expect(fusedMatMul(tf.zeros([3, 0]), tf.zeros([0, 9])).arraySync()).toEqual(tf.zeros([3, 9]).arraySync());
    expect(fusedMatMul(random([3, 5], 1), tf.zeros([5, 0])).shape).toEqual([3, 0]);
  });

  it('a stack of products (with a bias), and the same stack side by side (mergeHeads)', () => {
    const [s, m, k, n] = [4, 13, 16, 10];
    const a = random([s, m, k], 4);
    const b = random([s, k, n], 5);
    const plain = tf.matMul(a, b);
    expect(maxDiff(fusedMatMul(a, b), plain)).toBeLessThan(1e-5);
    const bias = random([n], 6) as tf.Tensor1D;
    expect(maxDiff(fusedMatMul(a, b, { bias }), plain.add(bias))).toBeLessThan(1e-5);
    const merged = fusedMatMul(a, b, { mergeHeads: true });
    expect(merged.shape).toEqual([m, s * n]);
    expect(maxDiff(merged, plain.transpose([1, 0, 2]).reshape([m, s * n]))).toBeLessThan(1e-5);
  });

  it('refuses shapes that do not multiply', () => {
    expect(() => fusedMatMul(random([3, 4], 1), random([5, 2], 2))).toThrow(/cannot multiply/);
    expect(() => fusedMatMul(random([2, 3, 4], 1), random([3, 4, 2], 2))).toThrow(/cannot multiply/);
    expect(() => fusedMatMul(random([3, 4], 1), random([4, 2], 2), { bias: random([3], 3) as tf.Tensor1D })).toThrow(/bias of 3 for 2 columns/);
    expect(() => fusedMatMul(random([3, 4], 1), random([4, 9], 2), { packed: packForGemm(random([4, 8], 4) as tf.Tensor2D) })).toThrow(/is not \[4,9\] packed/);
  });

  it('ops.matMul leaves what gemm.wat does not take (broadcasting b) to tfjs, with the same result', () => {
    const a = random([2, 3, 4], 1);
    const b = random([4, 5], 2);
    expect(maxDiff(matMul(a, b), tf.matMul(a, b))).toBeLessThan(1e-6);
    const b1 = random([1, 4, 5], 3);
    expect(maxDiff(matMul(a, b1), tf.matMul(a, b1))).toBeLessThan(1e-6);
    expect(() => tf.engine().runKernel(MATMUL, { a, b: random([2, 4, 5], 4), packed: packForGemm(b as tf.Tensor2D) }, { mergeHeads: false })).toThrow(
      /not stacks/,
    );
  });

  it('runs only on the wasm backend', async () => {
    await tf.setBackend('cpu');
    expect(wasmGemm()).toBe(false);
    await tf.setBackend('wasm');
    expect(wasmGemm()).toBe(true);
  });
});

describe('a model whose kernels gemm.wat reads packed', () => {
  // Every dense kernel is packed at load (docs/performance.md#gemm-packing): [512, 1536] Q/K/V, [512, 512]
  // attention output, [512, 2048] / [2048, 512] FFN.
  const checkpoint = randomCheckpoint({ layers: 1, hidden: 512, heads: 8, intermediate: 2048, vocabSize: 200 }, 3);
  const text = 'w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11';
  beforeAll(async () => {
    await initNodeBackend(['wasm']);
  });
  afterAll(() => {
    allowGemm(true);
  });

  it('packs them at load, gives the numbers of tfjs\'s products, and frees the packed copies on dispose', async () => {
    const before = tf.memory().numTensors;
    const run = async (gemm: boolean) => {
      expect(allowGemm(gemm)).toBe(gemm);
      const bert = fromCheckpoint(checkpoint);
      const packed = bert.model.layerWeights(0);
      const kernels = [packed.attention.qkv!, packed.attention.output, packed.intermediate, packed.output].map((d) => d.packed?.shape ?? null);
      const profile = await tf.profile(async () => {
        await encode(bert, text);
      });
      const e = await encode(bert, text, { hiddenStates: true });
      bert.dispose();
      return { e, kernels, names: profile.kernels.map((k) => k.name) };
    };
    const ours = await run(true);
    const plain = await run(false);
    expect(tf.memory().numTensors).toBe(before);
    expect(ours.kernels).toEqual([[192, 512, 8], [64, 512, 8], [256, 512, 8], [64, 2048, 8]]);
    expect(plain.kernels).toEqual([null, null, null, null]);
    expect(ours.names.filter((k) => /MatMul/.test(k) && k !== MATMUL)).toEqual([]);
    let diff = 0;
    ours.e.hiddenStates!.forEach((h, l) => h.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - plain.e.hiddenStates![l][i])))));
    ours.e.attentions.forEach((heads, l) => heads.forEach((m, h) => m.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - plain.e.attentions[l][h][i]))))));
    expect(diff).toBeLessThan(1e-4);
  });
});
