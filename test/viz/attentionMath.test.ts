import { describe, expect, it } from 'vitest';
import {
  bidirectionalMask,
  causalMask,
  hideSpecial,
  identity,
  matMul,
  meanOverHeads,
  nonSpecialIndices,
  normWeighted,
  normalizeRows,
  rollout,
  rowSums,
  sideOf,
  visibleCounts,
  withResidual,
} from '../../src/viz/attentionMath';

const f32 = (xs: number[]) => Float32Array.from(xs);
const close = (actual: ArrayLike<number>, expected: number[], digits = 6) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => expect(actual[i]).toBeCloseTo(e, digits));
};

/** Random row-stochastic n×n matrix, deterministic (LCG) so failures reproduce. */
function randomStochastic(n: number, seed: number): Float32Array {
  let s = seed;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const m = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) m[i] = rand() + 0.01;
  return normalizeRows(m, n);
}

describe('sideOf / rowSums / normalizeRows', () => {
  it('finds the side of a square matrix and rejects others', () => {
    expect(sideOf(new Float32Array(9))).toBe(3);
    expect(sideOf(new Float32Array(0))).toBe(0);
    expect(() => sideOf(new Float32Array(8))).toThrow(/square/);
  });
  it('sums rows and renormalises them to 1, leaving all-zero rows at 0', () => {
    const m = f32([1, 3, 0, 0]);
    close(rowSums(m, 2), [4, 0]);
    close(normalizeRows(m, 2), [0.25, 0.75, 0, 0]);
  });
  it('checks the size', () => {
    expect(() => rowSums(new Float32Array(5), 2)).toThrow(/2×2/);
  });
});

describe('hideSpecial', () => {
  const tokens = ['[CLS]', 'the', 'cat', '[SEP]'];
  // Rows: each query's attention over [CLS] the cat [SEP]; lots of it on specials.
  const m = f32([
    0.7, 0.1, 0.1, 0.1, //
    0.5, 0.1, 0.3, 0.1, //
    0.4, 0.15, 0.05, 0.4, //
    0.25, 0.25, 0.25, 0.25,
  ]);

  it('picks the non-special tokens', () => {
    expect(nonSpecialIndices(tokens)).toEqual([1, 2]);
    expect(nonSpecialIndices(['[CLS]', 'a', '[PAD]', '[SEP]'])).toEqual([1]);
    expect(nonSpecialIndices(tokens, ['[CLS]'])).toEqual([1, 2, 3]);
  });

  it('keeps the word sub-matrix and renormalises each row to 1', () => {
    const sub = hideSpecial(m, 4, [1, 2]);
    // "the": 0.1 and 0.3 of 0.4 → 0.25, 0.75; "cat": 0.15 and 0.05 of 0.2 → 0.75, 0.25
    close(sub, [0.25, 0.75, 0.75, 0.25]);
    close(rowSums(sub, 2), [1, 1]);
  });

  it('follows the order of keepIndices', () => {
    close(hideSpecial(m, 4, [2, 1]), [0.25, 0.75, 0.75, 0.25]);
  });

  it('is the identity operation when every token is kept', () => {
    close(hideSpecial(m, 4, [0, 1, 2, 3]), Array.from(m));
  });

  it('leaves a row at zero when all its attention was on hidden tokens', () => {
    const z = f32([0.5, 0, 0.5, 0.5, 0, 0.5, 0.2, 0.4, 0.4]);
    close(hideSpecial(z, 3, [1, 2]), [0, 1, 0.5, 0.5]);
    close(hideSpecial(z, 3, [0, 1]).subarray(0, 2), [1, 0]);
    close(hideSpecial(f32([0, 1, 1, 0]), 2, [0]), [0]);
  });

  it('rejects bad indices and sizes', () => {
    expect(() => hideSpecial(m, 4, [4])).toThrow(/out of range/);
    expect(() => hideSpecial(m, 3, [0])).toThrow();
  });
});

describe('meanOverHeads', () => {
  it('averages element-wise', () => {
    close(meanOverHeads([f32([1, 0, 0, 1]), f32([0, 1, 1, 0]), f32([1, 1, 1, 1])]), [2 / 3, 2 / 3, 2 / 3, 2 / 3]);
    close(meanOverHeads([f32([0.2, 0.8])]), [0.2, 0.8]);
  });
  it('rejects no heads or heads of different sizes', () => {
    expect(() => meanOverHeads([])).toThrow(/no heads/);
    expect(() => meanOverHeads([f32([1]), f32([1, 2])])).toThrow(/differ/);
  });
});

describe('matMul / identity / withResidual', () => {
  it('multiplies row-major matrices', () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]
    close(matMul(f32([1, 2, 3, 4]), f32([5, 6, 7, 8]), 2), [19, 22, 43, 50]);
    const a = randomStochastic(4, 1);
    close(matMul(identity(4), a, 4), Array.from(a));
    close(matMul(a, identity(4), 4), Array.from(a));
  });
  it('mixes in the residual as 0.5·A + 0.5·I', () => {
    close(withResidual(f32([0, 1, 1, 0]), 2), [0.5, 0.5, 0.5, 0.5]);
    close(withResidual(f32([0.2, 0.8, 0.6, 0.4]), 2), [0.6, 0.4, 0.3, 0.7]);
  });
});

describe('rollout (Abnar & Zuidema 2020)', () => {
  // Layer 1: two heads, mean [[0.75,0.25],[0.25,0.75]] → with residual [[0.875,0.125],[0.125,0.875]].
  const layer1 = [f32([1, 0, 0.5, 0.5]), f32([0.5, 0.5, 0, 1])];
  // Layer 2: one head [[0.2,0.8],[0.6,0.4]] → with residual [[0.6,0.4],[0.3,0.7]].
  const layer2 = [f32([0.2, 0.8, 0.6, 0.4])];

  it('matches a hand-computed two-layer example (Ā2 · Ā1, not Ā1 · Ā2)', () => {
    // Ā2·Ā1 row 0 = 0.6·[0.875,0.125] + 0.4·[0.125,0.875] = [0.575, 0.425]
    //       row 1 = 0.3·[0.875,0.125] + 0.7·[0.125,0.875] = [0.35, 0.65]
    close(rollout([layer1, layer2], 2), [0.575, 0.425, 0.35, 0.65]);
    // The other order would give row 0 = [0.5625, 0.4375]: make sure we are not doing that.
    expect(rollout([layer1, layer2], 2)[0]).not.toBeCloseTo(0.5625, 4);
  });

  it('is the residual-mixed mean for one layer and the identity for none', () => {
    close(rollout([layer1], 2), [0.875, 0.125, 0.125, 0.875]);
    close(rollout([], 3), Array.from(identity(3)));
  });

  it('keeps rows stochastic over many layers', () => {
    const n = 5;
    const layers = Array.from({ length: 12 }, (_, l) => Array.from({ length: 4 }, (_, h) => randomStochastic(n, 100 * l + h + 1)));
    const r = rollout(layers, n);
    close(rowSums(r, n), Array(n).fill(1), 5);
    expect(Math.min(...r)).toBeGreaterThanOrEqual(0);
  });

  it('agrees with an explicit loop on a 3×3 three-layer case', () => {
    const n = 3;
    const layers = [0, 1, 2].map((l) => [randomStochastic(n, 10 + l), randomStochastic(n, 20 + l)]);
    let expected = identity(n);
    for (const heads of layers) {
      const a = meanOverHeads(heads);
      const bar = new Float32Array(n * n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += 0.5 * a[i * n + j] + (i === j ? 0.5 : 0);
        for (let j = 0; j < n; j++) bar[i * n + j] = (0.5 * a[i * n + j] + (i === j ? 0.5 : 0)) / s;
      }
      expected = matMul(bar, expected, n);
    }
    close(rollout(layers, n), Array.from(expected), 6);
  });
});

describe('normWeighted (Kobayashi et al. 2020)', () => {
  const a = f32([0.5, 0.5, 0.25, 0.75]);
  const norms = f32([2, 1]);
  it('multiplies each column j by ‖f(x_j)‖', () => {
    close(normWeighted(a, norms), [1, 0.5, 0.5, 0.75]);
  });
  it('optionally renormalises rows to sum to 1', () => {
    close(normWeighted(a, norms, { normalizeRows: true }), [2 / 3, 1 / 3, 0.4, 0.6]);
  });
  it('with equal norms, normalised, gives back the attention', () => {
    const m = randomStochastic(4, 7);
    close(normWeighted(m, f32([3, 3, 3, 3]), { normalizeRows: true }), Array.from(m));
  });
  it('a zero-norm token gets zero weight however much attention it had', () => {
    const r = normWeighted(f32([0.9, 0.1, 0.9, 0.1]), f32([0, 1]), { normalizeRows: true });
    close(r, [0, 1, 0, 1]);
  });
  it('rejects a norm vector of the wrong length', () => {
    expect(() => normWeighted(a, f32([1, 2, 3]))).toThrow();
  });
});

describe('masks and visible counts', () => {
  it('causal: nothing above the diagonal', () => {
    expect(Array.from(causalMask(3))).toEqual([1, 0, 0, 1, 1, 0, 1, 1, 1]);
    const n = 6;
    const m = causalMask(n);
    for (let q = 0; q < n; q++) for (let k = 0; k < n; k++) expect(m[q * n + k]).toBe(k <= q ? 1 : 0);
  });
  it('bidirectional: everything visible', () => {
    expect(Array.from(bidirectionalMask(2))).toEqual([1, 1, 1, 1]);
  });
  it('counts visible keys per query', () => {
    expect(visibleCounts(causalMask(4), 4)).toEqual([1, 2, 3, 4]);
    expect(visibleCounts(bidirectionalMask(4), 4)).toEqual([4, 4, 4, 4]);
    expect(visibleCounts([0, 1, 0, 0], 2)).toEqual([1, 0]);
    expect(visibleCounts(causalMask(0), 0)).toEqual([]);
    expect(() => visibleCounts(causalMask(3), 4)).toThrow();
  });
});
