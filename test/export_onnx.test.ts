// tools/export_onnx: the ONNX graph it writes, run by onnxruntime-web (wasm, Node), gives the same
// last_hidden_state and attentions as our engine on the same checkpoint. Needs Debian's PyTorch and
// ONNX (.ci/run installs them); without them the test fails and says how to get them, unless
// SKIP_PYTHON=1 is set.
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/engine/checkpoint/checkpoint';
import { BertModel } from '../src/engine/model/model';
import { folderSource, initNodeBackend } from '../src/engine/node';

const PYTHON = '/usr/bin/python3';
const INSTALL = 'sudo apt-get install -y python3-onnx python3-torch';
const skipPython = process.env.SKIP_PYTHON === '1';
const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
const hasPython = probe.status === 0;
if (!hasPython && skipPython) {
  console.warn(`tools/export_onnx tests skipped (SKIP_PYTHON=1): ${PYTHON} cannot import torch/onnx — ${INSTALL}`);
}

interface GoldenCase {
  input_ids: number[];
  token_type_ids: number[];
}

// One bidirectional encoder and one decoder (causal mask built inside the graph).
const FIXTURES = ['tiny-mlm-f32', 'tiny-decoder'];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe.skipIf(skipPython && !hasPython)('tools/export_onnx', () => {
  let dir = '';
  beforeAll(async () => {
    if (!hasPython) {
      throw new Error(
        `${PYTHON} cannot import torch and onnx (${probe.stderr?.trim() || probe.error?.message || 'not found'}): ` +
          `${INSTALL} — or set SKIP_PYTHON=1 to skip these tests`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'export-onnx-'));
    ort.env.wasm.numThreads = 1;
    await initNodeBackend(['cpu']);
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('passes its own Python test (contract, NumPy evaluation of the graph, weights, error messages)', () => {
    const r = spawnSync(PYTHON, ['tools/export_onnx/test_export_onnx.py'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 130_000);

  it.each(FIXTURES)('%s: onnxruntime-web on the export agrees with the engine within 1e-4', async (name) => {
    const folder = `test/fixtures/checkpoints/${name}`;
    const out = join(dir, `${name}.onnx`);
    const r = spawnSync(PYTHON, ['tools/export_onnx/export_onnx.py', folder, out], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);

    const model = new BertModel(await loadCheckpoint(folderSource(folder)));
    const session = await ort.InferenceSession.create(out, { executionProviders: ['wasm'] });
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state', 'attentions']);
    const { cases } = JSON.parse(readFileSync(`test/fixtures/golden/${name}.json`, 'utf8')) as { cases: GoldenCase[] };
    const { layers: L, heads: A, hidden: H } = model.config;

    // A padded batch of the golden inputs: the padding mask is exercised too.
    const B = cases.length;
    const T = Math.max(...cases.map((c) => c.input_ids.length)) + 2;
    const pad = (xs: number[]) => [...xs, ...new Array<number>(T - xs.length).fill(0)];
    const ids = cases.map((c) => pad(c.input_ids));
    const types = cases.map((c) => pad(c.token_type_ids));
    const lengths = cases.map((c) => c.input_ids.length);
    const int64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [B, T]);
    const result = await session.run({
      input_ids: int64(ids),
      attention_mask: int64(lengths.map((n) => Array.from({ length: T }, (_, t) => (t < n ? 1 : 0)))),
      token_type_ids: int64(types),
    });
    const ortHidden = result.last_hidden_state;
    const ortAttn = result.attentions;
    expect(ortHidden.dims).toEqual([B, T, H]);
    expect(ortAttn.dims).toEqual([L, B, A, T, T]);

    const mask = model.config.isDecoder ? 'causal' : 'bidirectional';
    const ours = model.forward({ ids, tokenTypes: types, lengths, mask, hiddenStates: true });
    const oursHidden = (await ours.hiddenStates!.data()) as Float32Array; // [L+1, B, T, H]
    const oursAttn = (await ours.attentions.data()) as Float32Array; // [L, B, A, T, T]
    tf.dispose(Object.values(ours));
    model.dispose();
    const oh = ortHidden.data as Float32Array;
    const oa = ortAttn.data as Float32Array;

    // Real tokens only: what padding rows hold is not part of either contract.
    let dHidden = 0;
    let dAttn = 0;
    lengths.forEach((n, b) => {
      for (let t = 0; t < n; t++) {
        const at = (b * T + t) * H;
        dHidden = Math.max(dHidden, maxAbsDiff(oh.subarray(at, at + H), oursHidden.subarray(L * B * T * H + at, L * B * T * H + at + H)));
      }
      for (let l = 0; l < L; l++) {
        for (let h = 0; h < A; h++) {
          for (let q = 0; q < n; q++) {
            const at = (((l * B + b) * A + h) * T + q) * T;
            dAttn = Math.max(dAttn, maxAbsDiff(oa.subarray(at, at + T), oursAttn.subarray(at, at + T)));
          }
        }
      }
    });
    await session.release();
    expect(dHidden).toBeLessThan(1e-4);
    expect(dAttn).toBeLessThan(1e-4);
  });
});
