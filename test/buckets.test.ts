// Sequence-length buckets (kernels/buckets.ts): padding a sentence up to a bucket, masked, changes none of encode's results.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { sequenceBucket, WEBGPU_BUCKET } from '../src/engine/kernels/buckets';
import { bucketLength, padBatch } from '../src/engine/model/batch';
import { encodeBatch, fromCheckpoint, warmUpBuckets, type Bert, type Encoded, type MaskMode } from '../src/engine/model/bert';
import { initNodeBackend } from '../src/engine/node';
import { compiledPrograms, compileOnly } from '../src/engine/runtime/backend';

let bert: Bert;
beforeAll(async () => {
  await initNodeBackend();
  // 44 positions: the longest sentences below (42 tokens) cannot be padded to 48, only to 44.
  bert = fromCheckpoint(randomCheckpoint({ layers: 2, hidden: 32, heads: 4, intermediate: 64, vocabSize: 200, maxPositions: 44 }, 7));
});
afterAll(() => bert.dispose());

/** A text of k whole-word tokens (the random vocabulary has w6 … w199): k + 2 tokens with [CLS] and [SEP]. */
const words = (k: number, from = 0) => Array.from({ length: k }, (_, i) => `w${6 + ((i * 7 + from) % 190)}`).join(' ');

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Bucketed `got` against unbucketed `want`: same sizes (n×n, not bucket-sized), same numbers within float tolerance. */
function expectSame(got: Encoded, want: Encoded): void {
  const n = want.ids.length;
  expect(got.ids).toEqual(want.ids);
  got.attentions.forEach((heads, l) =>
    heads.forEach((m, h) => {
      expect(m.length).toBe(n * n);
      expect(maxDiff(m, want.attentions[l][h])).toBeLessThan(1e-5);
      // Each real query's row sums to 1 over the real keys: the padding took no weight.
      for (let q = 0; q < n; q++) expect(Math.abs(m.subarray(q * n, (q + 1) * n).reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
    }),
  );
  got.hiddenStates!.forEach((h, l) => {
    expect(h.length).toBe(n * bert.config.hidden);
    expect(maxDiff(h, want.hiddenStates![l])).toBeLessThan(1e-5);
  });
  got.valueNorms!.forEach((heads, l) => heads.forEach((v, h) => expect(maxDiff(v, want.valueNorms![l][h])).toBeLessThan(1e-5)));
  expect(got.pooled).not.toBeNull();
  expect(maxDiff(got.pooled!, want.pooled!)).toBeLessThan(1e-5);
  expect(got.lm.map((s) => s.position)).toEqual(want.lm.map((s) => s.position));
  got.lm.forEach((s, i) => expect(maxDiff(s.logits, want.lm[i].logits)).toBeLessThan(1e-4));
}

describe('bucketLength / padBatch', () => {
  it('rounds the longest row up to the bucket, never past the position table nor below the row', () => {
    expect([1, 15, 16, 17, 32, 33].map((n) => bucketLength(n, 16))).toEqual([16, 16, 16, 32, 32, 48]);
    expect(bucketLength(42, 16, 44)).toBe(44);
    expect(bucketLength(44, 16, 44)).toBe(44);
    expect(bucketLength(50, 16, 44)).toBe(50); // longer than the table already: refused later, not cut here
    expect(bucketLength(7)).toBe(7);
    const batch = padBatch([{ ids: [2, 9, 3], tokenTypeIds: [0, 0, 0] }, { ids: [2, 3], tokenTypeIds: [0, 1] }], 0, 16);
    expect(batch.ids.map((r) => r.length)).toEqual([16, 16]);
    expect(batch.ids[1].slice(0, 4)).toEqual([2, 3, 0, 0]);
    expect(batch.tokenTypes[1].slice(0, 3)).toEqual([0, 1, 0]);
    expect(batch.lengths).toEqual([3, 2]);
  });
});

describe.each(['wasm', 'cpu'] as const)('on %s, bucketed runs give the unbucketed results', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    // The model's weights live on the backend they were made on: make them again on this one.
    bert.dispose();
    bert = fromCheckpoint(randomCheckpoint({ layers: 2, hidden: 32, heads: 4, intermediate: 64, vocabSize: 200, maxPositions: 44 }, 7));
  });

  it('defaults to no bucket off WebGPU', () => {
    expect(sequenceBucket()).toBe(1);
  });

  const options = { hiddenStates: true, pooled: true, valueNorms: true, lm: 'all' as const };
  for (const mask of ['bidirectional', 'causal'] as MaskMode[]) {
    it(`${mask}: one sentence of 2…42 tokens, and batches of 3`, async () => {
      await encodeBatch(bert, [words(3)], options); // value norms keep two constants per backend, made on first use
      const before = tf.memory().numTensors;
      for (let k = 0; k <= 40; k++) {
        const [plain] = await encodeBatch(bert, [words(k)], { ...options, mask, bucket: 1 });
        const [bucketed] = await encodeBatch(bert, [words(k)], { ...options, mask, bucket: WEBGPU_BUCKET });
        expect(plain.ids).toHaveLength(k + 2);
        expectSame(bucketed, plain);
        const texts = [words(k, 1), words(Math.max(0, k - 5), 2), words(k >> 1, 3)];
        const plainBatch = await encodeBatch(bert, texts, { ...options, mask, bucket: 1 });
        const bucketedBatch = await encodeBatch(bert, texts, { ...options, mask, bucket: WEBGPU_BUCKET });
        bucketedBatch.forEach((e, b) => expectSame(e, plainBatch[b]));
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('has nothing to warm up or compile', async () => {
    expect(await warmUpBuckets(bert)).toBe(0);
    let ran = false;
    expect(await compileOnly(() => (ran = true))).toBe(0);
    expect(ran).toBe(false);
    expect(compiledPrograms()).toBeNull();
  });
});
