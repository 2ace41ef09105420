// The tfjs encoder against golden outputs from the independent NumPy reference
// (tools/reference/bert_numpy.py, float64) on small random checkpoints.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/engine/checkpoint/checkpoint';
import { BertModel, type ForwardInput } from '../src/engine/model/model';
import { folderSource, initNodeBackend } from '../src/engine/node';

interface GoldenCase {
  input_ids: number[];
  token_type_ids: number[];
  hidden_states: number[][][];
  attentions: number[][][][];
  value_norms: number[][][];
  pooled: number[] | null;
  logits: number[][] | null;
  classifier_logits?: number[];
}
interface Golden {
  causal: boolean;
  cases: GoldenCase[];
}

const CHECKPOINTS = ['tiny-mlm-f32', 'tiny-mlm-f16-legacy', 'tiny-base-bf16-sharded', 'tiny-decoder', 'tiny-cls'];

function maxDiff(a: ArrayLike<number>, b: number[]): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// Both Node backends: a backend kernel bug (tfjs-wasm has had some) shows up as a mismatch.
describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
beforeAll(async () => {
  await initNodeBackend([backend]);
});

describe.each(CHECKPOINTS)('%s', (name) => {
  const golden = JSON.parse(readFileSync(`test/fixtures/golden/${name}.json`, 'utf8')) as Golden;
  const mode = golden.causal ? 'causal' : 'bidirectional';

  async function load(): Promise<BertModel> {
    return new BertModel(await loadCheckpoint(folderSource(`test/fixtures/checkpoints/${name}`)));
  }

  it('matches the reference one sequence at a time', async () => {
    const model = await load();
    expect(model.config.isDecoder).toBe(golden.causal);
    for (const c of golden.cases) {
      const T = c.input_ids.length;
      const allPositions: [number, number][] = c.input_ids.map((_, i) => [0, i]);
      const out = model.forward({
        ids: [c.input_ids],
        tokenTypes: [c.token_type_ids],
        lengths: [T],
        mask: mode,
        lmPositions: allPositions,
        valueNorms: true,
        hiddenStates: true,
        pooled: true,
      });
      expect(maxDiff(await out.hiddenStates!.data(), c.hidden_states.flat(2))).toBeLessThan(1e-4);
      expect(maxDiff(await out.attentions.data(), c.attentions.flat(3))).toBeLessThan(1e-5);
      expect(maxDiff(await out.valueNorms!.data(), c.value_norms.flat(2))).toBeLessThan(1e-4);
      if (c.pooled !== null) expect(maxDiff(await out.pooled!.data(), c.pooled)).toBeLessThan(1e-4);
      else expect(out.pooled).toBeUndefined();
      if (c.logits !== null) expect(maxDiff(await out.lmLogits!.data(), c.logits.flat())).toBeLessThan(1e-4);
      else expect(out.lmLogits).toBeUndefined();
      if (c.classifier_logits !== undefined) {
        expect(maxDiff(await out.classifierLogits!.data(), c.classifier_logits)).toBeLessThan(1e-4);
      }
      tf.dispose(Object.values(out));
    }
    model.dispose();
  });

  it('runs the pooler only when the pooled vector is asked for or the classifier needs it', async () => {
    const model = await load();
    const c = golden.cases[0];
    const input: ForwardInput = { ids: [c.input_ids], tokenTypes: [c.token_type_ids], lengths: [c.input_ids.length], mask: mode };
    let out: ReturnType<BertModel['forward']> | undefined;
    // The pooler's tanh is the only Tanh kernel of a forward pass (GELU is the erf form).
    const profile = await tf.profile(() => {
      out = model.forward(input);
    });
    const tanh = profile.kernels.filter((k) => k.name === 'Tanh').length;
    expect(out!.pooled).toBeUndefined();
    if (c.classifier_logits !== undefined) {
      expect(tanh).toBe(1);
      expect(maxDiff(await out!.classifierLogits!.data(), c.classifier_logits)).toBeLessThan(1e-4);
    } else {
      expect(tanh).toBe(0);
    }
    tf.dispose(Object.values(out!));
    model.dispose();
  });

  it('gives the same numbers in a padded batch', async () => {
    const model = await load();
    const T = Math.max(...golden.cases.map((c) => c.input_ids.length)) + 3; // force real padding
    const pad = (xs: number[]) => [...xs, ...new Array<number>(T - xs.length).fill(0)];
    const input: ForwardInput = {
      ids: golden.cases.map((c) => pad(c.input_ids)),
      tokenTypes: golden.cases.map((c) => pad(c.token_type_ids)),
      lengths: golden.cases.map((c) => c.input_ids.length),
      mask: mode,
      hiddenStates: true,
    };
    const out = model.forward(input);
    const hidden = (await out.hiddenStates!.array()) as number[][][][]; // [L+1][B][T][H]
    const attn = (await out.attentions.array()) as number[][][][][]; // [L][B][heads][T][T]
    golden.cases.forEach((c, b) => {
      const n = c.input_ids.length;
      const ours = hidden.map((layer) => layer[b].slice(0, n)).flat(2);
      expect(maxDiff(ours, c.hidden_states.flat(2))).toBeLessThan(1e-4);
      const oursAttn = attn.map((layer) => layer[b].map((head) => head.slice(0, n).map((row) => row.slice(0, n))));
      expect(maxDiff(oursAttn.flat(3), c.attentions.flat(3))).toBeLessThan(1e-5);
      // Padding keys get exactly zero attention.
      const padded = attn.flatMap((layer) => layer[b].flatMap((head) => head.slice(0, n).flatMap((row) => row.slice(n))));
      expect(Math.max(...padded)).toBe(0);
    });
    tf.dispose(Object.values(out));
    model.dispose();
  });
});
});
