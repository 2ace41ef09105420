import { describe, expect, it } from 'vitest';
import { clampLayerHead, selectAttention, type AttentionSource } from '../../src/viz/selectAttention';

// Two layers of two heads over "[CLS] a b [SEP]"; every row sums to 1.
const n = 4;
const tokens = ['[CLS]', 'a', 'b', '[SEP]'];
/** A row-stochastic n×n matrix whose row q puts `self` on the diagonal and spreads the rest evenly. */
function matrix(self: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) m[q * n + k] = q === k ? self : (1 - self) / (n - 1);
  return m;
}
const source: AttentionSource = {
  tokens,
  attentions: [
    [matrix(0.1), matrix(0.4)],
    [matrix(0.7), matrix(1)],
  ],
  valueNorms: [
    [Float32Array.from([1, 1, 1, 1]), Float32Array.from([4, 1, 1, 0])],
    [Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 1, 1, 1])],
  ],
};

const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 6);
};

describe('selectAttention', () => {
  it('one head is that head’s matrix as it came, with every token', () => {
    const s = selectAttention(source, { layer: 1, head: 0, meanHeads: false });
    expect(s.tokens).toEqual(tokens);
    expect(s.matrix).toBe(source.attentions[1][0]);
  });

  it('the mean of heads averages the layer’s heads cell by cell', () => {
    const s = selectAttention(source, { layer: 0, head: 1, meanHeads: true });
    close(s.matrix, matrix(0.25));
  });

  it('layer and head beyond the model are clamped to its last', () => {
    expect(clampLayerHead(source, { layer: 9, head: 5 })).toEqual({ layer: 1, head: 1 });
    expect(selectAttention(source, { layer: 9, head: 5, meanHeads: false }).matrix).toBe(source.attentions[1][1]);
  });

  it('rollout ignores layer and head: the product of the layers’ head means with the residual', () => {
    const a = selectAttention(source, { layer: 0, head: 0, meanHeads: false, rollout: true });
    const b = selectAttention(source, { layer: 1, head: 1, meanHeads: true, rollout: true });
    expect(Array.from(a.matrix)).toEqual(Array.from(b.matrix));
    // Last layer's heads average to self 0.85: with the residual, each layer keeps (1 + self)/2 on the diagonal.
    const layer0 = (1 + 0.25) / 2;
    const layer1 = (1 + 0.85) / 2;
    const off = (s: number) => (1 - s) / (n - 1);
    // (L1 · L0)[0][0] for two "self s, rest even" matrices.
    expect(a.matrix[0]).toBeCloseTo(layer1 * layer0 + (n - 1) * off(layer1) * off(layer0), 6);
    for (let q = 0; q < n; q++) expect(a.matrix.subarray(q * n, (q + 1) * n).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
  });

  it('norm-weighted attention scales each key by its value norm and renormalises rows', () => {
    const s = selectAttention(source, { layer: 0, head: 1, meanHeads: false, normWeighted: true })!;
    // Head (0, 1), row 0: weights 0.4, 0.2, 0.2, 0.2 times norms 4, 1, 1, 0 → 1.6, 0.2, 0.2, 0 → /2.
    close(s.matrix.subarray(0, n), [0.8, 0.1, 0.1, 0]);
  });

  it('norm-weighted attention cannot be shown under rollout or without value norms', () => {
    expect(selectAttention(source, { layer: 0, head: 0, meanHeads: false, normWeighted: true, rollout: true })).toBeNull();
    expect(selectAttention({ ...source, valueNorms: null }, { layer: 0, head: 0, meanHeads: false, normWeighted: true })).toBeNull();
  });

  it('hiding special tokens drops [CLS]/[SEP] and renormalises what is left', () => {
    const s = selectAttention(source, { layer: 1, head: 0, meanHeads: false, hideSpecial: true });
    expect(s.tokens).toEqual(['a', 'b']);
    // Row "a": 0.7 on itself, 0.1 on "b" → 0.875, 0.125.
    close(s.matrix, [0.875, 0.125, 0.125, 0.875]);
  });

  it('a sentence of only special tokens is kept whole rather than emptied', () => {
    const only = { ...source, tokens: ['[CLS]', '[SEP]', '[SEP]', '[SEP]'] };
    const s = selectAttention(only, { layer: 0, head: 0, meanHeads: false, hideSpecial: true });
    expect(s.tokens).toHaveLength(4);
  });
});
