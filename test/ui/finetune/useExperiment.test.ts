import { describe, expect, it } from 'vitest';
import { balancedDraw, crossValidationDatasets, prng } from '../../../src/engine';
import { ownKs } from '../../../src/ui/finetune/useExperiment';

const examples = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([label, n]) => Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, label })));

describe('ownKs', () => {
  it('names the k values some fold cannot draw, as the run would find them', () => {
    const ex = examples({ a: 10, b: 10 });
    const ks = [0, 4, 8, 16, 32, 64];
    const { tooBig, tooSmall } = ownKs(ex, ['a', 'b'], 4, ks);
    // 4 folds of 10: the rest holds 7 or 8 of each label, so 8 (4 per label) fits and 16 (8 per label) does not everywhere.
    expect(tooBig).toEqual([16, 32, 64]);
    expect(tooSmall).toEqual([]);
    // The same answer balancedDraw gives on the run's folds.
    const folds = crossValidationDatasets(ex, ['a', 'b'], 4, 0);
    for (const k of ks.filter((k) => k > 0)) {
      const every = folds.every((d) => balancedDraw(d.pool, ['a', 'b'], k, prng(1)) !== null);
      expect(every).toBe(!tooBig.includes(k));
    }
  });

  it('counts the uneven label (the first labels take the remainder) and k below one per label', () => {
    expect(ownKs(examples({ a: 4, b: 4, c: 4 }), ['a', 'b', 'c'], 2, [4, 8])).toEqual({ tooBig: [8], tooSmall: [] });
    expect(ownKs(examples({ a: 4, b: 4, c: 4, d: 4, e: 4 }), ['a', 'b', 'c', 'd', 'e'], 2, [0, 4, 8, 16])).toEqual({ tooBig: [16], tooSmall: [4] });
  });
});
