// The shipped models (public/weights/) read by the engine agree with PyTorch on the
// exported files: test/fixtures/shipped-golden.json is written by tools/pretrain/golden.py.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, loadModel, type Bert } from '../src/engine/model/bert';
import { folderSource, initNodeBackend } from '../src/engine/node';

interface GoldenCase {
  text: string;
  tokens: string[];
  input_ids: number[];
  last_hidden_state: number[][];
  attentions: Record<string, number[][][]>;
  top5_ids: number[][];
}
interface Golden {
  tolerance: number;
  models: Record<string, { is_decoder: boolean; cases: GoldenCase[] }>;
}

const golden = JSON.parse(readFileSync('test/fixtures/shipped-golden.json', 'utf8')) as Golden;

function maxDiff(ours: ArrayLike<number>, ref: number[]): number {
  expect(ours.length).toBe(ref.length);
  let m = 0;
  for (let i = 0; i < ref.length; i++) m = Math.max(m, Math.abs(ours[i] - ref[i]));
  return m;
}

describe.each(Object.keys(golden.models))('shipped %s', (name) => {
  const ref = golden.models[name];
  let bert: Bert;
  beforeAll(async () => {
    await initNodeBackend();
    bert = await loadModel(folderSource(`public/weights/${name}`));
  });
  afterAll(() => bert.dispose());

  it('frees every tensor on dispose, the fused Q/K/V weights a long sentence makes on wasm included', async () => {
    const before = tf.memory().numTensors;
    const other = await loadModel(folderSource(`public/weights/${name}`));
    const e = await encode(other, Array.from({ length: 38 }, (_, i) => (i % 2 === 0 ? 'the' : 'cat')).join(' '));
    expect(e.ids.length).toBe(40); // long enough for the head-by-head path, which fuses Q/K/V
    expect(tf.getBackend()).toBe('wasm');
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is the architecture the card says, with the right default mask', () => {
    expect(bert.config.isDecoder).toBe(ref.is_decoder);
    expect(bert.defaultMask).toBe(ref.is_decoder ? 'causal' : 'bidirectional');
  });

  it.each(ref.cases.map((c) => [c.text, c] as const))('%s: tokens, hidden states, attentions and LM predictions match PyTorch', async (_, c) => {
    const e = await encode(bert, c.text, { lm: 'all', hiddenStates: true });
    expect(e.tokens).toEqual(c.tokens);
    expect(e.ids).toEqual(c.input_ids);
    const L = bert.config.layers;
    expect(maxDiff(e.hiddenStates![L], c.last_hidden_state.flat())).toBeLessThan(golden.tolerance);
    for (const [layer, heads] of Object.entries(c.attentions)) {
      const ours = e.attentions[Number(layer)].flatMap((h) => Array.from(h));
      expect(maxDiff(ours, heads.flat(2))).toBeLessThan(golden.tolerance);
    }
    // The reference's row i scores the token at i (masked LM) or at i+1 (next-token prediction).
    let agree = 0;
    c.top5_ids.forEach((top5, row) => {
      const predicted = ref.is_decoder ? row + 1 : row;
      const scores = e.lm.find((s) => s.position === predicted);
      if (scores === undefined) return; // the decoder's last row predicts past [SEP]
      const ourTop = scores.logits.indexOf(Math.max(...scores.logits));
      if (ourTop === top5[0]) agree++;
      expect(top5).toContain(ourTop);
    });
    expect(agree).toBeGreaterThanOrEqual(c.top5_ids.length - 2);
  });
});
