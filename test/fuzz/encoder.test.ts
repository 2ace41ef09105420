// Fuzz: small random BERTs (any shape, causal or not, weights from gentle to sharp)
// through the encoder on both Node backends, on random padded batches.
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomCheckpoint, type RandomShape } from '../../src/engine/checkpoint/random';
import { BertModel, type ForwardInput } from '../../src/engine/model/model';
import { initNodeBackend } from '../../src/engine/node';
import { fuzzParameters, fuzzRuns, fuzzTimeout, reportRun } from './settings';

const MAX_POSITIONS = 16;

interface Case {
  shape: Required<RandomShape>;
  seed: number;
  /** Multiplies every weight but the LayerNorm scales: 0.05 is BERT-init-like, 8 gives near one-hot attention. */
  scale: number;
  lengths: number[];
  padding: number;
  bidirectionalWhatIf: boolean;
  ids: number[][];
  tokenTypes: number[][];
}

const shapes = fc
  .record({
    layers: fc.integer({ min: 1, max: 2 }),
    heads: fc.integer({ min: 1, max: 4 }),
    headSize: fc.integer({ min: 2, max: 8 }),
    intermediate: fc.integer({ min: 4, max: 64 }),
    vocabSize: fc.integer({ min: 6, max: 40 }),
    architecture: fc.constantFrom('BertModel', 'BertForMaskedLM', 'BertLMHeadModel'),
  })
  .filter(({ heads, headSize }) => heads * headSize >= 8 && heads * headSize <= 32)
  .map(
    ({ heads, headSize, ...rest }): Required<RandomShape> => ({ ...rest, heads, hidden: heads * headSize, maxPositions: MAX_POSITIONS }),
  );

const cases: fc.Arbitrary<Case> = fc
  .record({
    shape: shapes,
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    scale: fc.constantFrom(0.05, 0.5, 2, 8),
    lengths: fc.array(fc.integer({ min: 1, max: MAX_POSITIONS - 3 }), { minLength: 1, maxLength: 3 }),
    padding: fc.integer({ min: 0, max: 3 }),
    bidirectionalWhatIf: fc.boolean(),
    // Raw material for ids and token types, cut to the batch's shape below.
    raw: fc.array(fc.nat(), { minLength: 3 * MAX_POSITIONS, maxLength: 3 * MAX_POSITIONS }),
  })
  .map(({ raw, ...c }) => {
    const T = Math.max(...c.lengths) + c.padding;
    const ids = c.lengths.map((_, b) => Array.from({ length: T }, (_, t) => raw[b * MAX_POSITIONS + t] % c.shape.vocabSize));
    const tokenTypes = c.lengths.map((_, b) => Array.from({ length: T }, (_, t) => (raw[b * MAX_POSITIONS + t] >> 8) & 1));
    return { ...c, ids, tokenTypes };
  });

function modelFor(c: Case): BertModel {
  const checkpoint = randomCheckpoint(c.shape, c.seed);
  for (const [name, w] of checkpoint.weights) {
    if (name.endsWith('LayerNorm.weight')) continue;
    for (let i = 0; i < w.values.length; i++) w.values[i] *= c.scale / 0.05;
  }
  return new BertModel(checkpoint);
}

/** Problems with one forward pass: non-finite numbers, attention rows that are not distributions over what they may see. */
function forwardProblems(c: Case): string[] {
  const model = modelFor(c);
  // A decoder always reads causally; an encoder is also run causally, as the page's mask contrast does.
  const causal = model.config.isDecoder || !c.bidirectionalWhatIf;
  const T = c.ids[0].length;
  const input: ForwardInput = {
    ids: c.ids,
    tokenTypes: c.tokenTypes,
    lengths: c.lengths,
    mask: causal ? 'causal' : 'bidirectional',
    lmPositions: model.hasLmHead ? c.lengths.flatMap((n, b) => Array.from({ length: n }, (_, t): [number, number] => [b, t])) : [],
    valueNorms: true,
    hiddenStates: true,
  };
  const problems: string[] = [];
  const out = model.forward(input);
  try {
    for (const [name, t] of Object.entries(out)) {
      if (t === undefined) continue; // a head the checkpoint lacks
      const values = (t as tf.Tensor).dataSync();
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) problems.push(`${name}[${bad}] is ${values[bad]}`);
    }
    const attn = out.attentions.dataSync(); // [L, B, heads, T, T]
    const { layers, heads } = model.config;
    for (let l = 0; l < layers; l++) {
      c.lengths.forEach((n, b) => {
        for (let h = 0; h < heads; h++) {
          for (let q = 0; q < n; q++) {
            const row = (((l * c.lengths.length + b) * heads + h) * T + q) * T;
            let sum = 0;
            for (let k = 0; k < T; k++) {
              const a = attn[row + k];
              const hidden = k >= n || (causal && k > q);
              if (a < 0 || (hidden && a > 1e-6)) problems.push(`layer ${l} batch ${b} head ${h}: query ${q} gives key ${k} ${a}`);
              if (!hidden) sum += a;
            }
            if (Math.abs(sum - 1) > 1e-4) problems.push(`layer ${l} batch ${b} head ${h}: query ${q}'s row sums to ${sum}`);
          }
        }
      });
    }
  } finally {
    tf.dispose(Object.values(out));
    model.dispose();
  }
  return problems.slice(0, 5);
}

describe.each(['cpu', 'wasm'] as const)('fuzz: encoder on %s', (backend) => {
  beforeAll(async () => {
    await initNodeBackend([backend]);
  });

  it('random small checkpoints: finite outputs, attention rows sum to 1, padding and the future get 0', () => {
    const started = performance.now();
    const runs = fuzzRuns(100);
    const before = tf.memory().numTensors;
    const shapesSeen = new Set<string>();
    const hiddenSeen = new Set<number>();
    fc.assert(
      fc.property(cases, (c) => {
        shapesSeen.add(`${c.shape.heads}:${c.shape.hidden}`);
        hiddenSeen.add(c.shape.hidden);
        expect(forwardProblems(c)).toEqual([]);
      }),
      fuzzParameters(100),
    );
    // Every tensor a forward pass and a model make is freed again, but for the value-norm
    // constants model/attention.ts keeps on purpose: one per (heads, hidden) and one per hidden.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(shapesSeen.size + hiddenSeen.size);
    reportRun(`encoder on ${backend}`, runs, started);
  }, fuzzTimeout);
});
