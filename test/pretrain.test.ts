// The pretraining pipeline (tools/pretrain) end to end on a tiny inline corpus, on Debian's
// PyTorch. Where PyTorch is missing the test is skipped and says how to get it (.ci/run installs it).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
const hasTorch = probe.status === 0;
if (!hasTorch) {
  console.warn(
    `tools/pretrain smoke test skipped: ${PYTHON} cannot import torch/numpy — sudo apt-get install -y python3-torch python3-numpy libopenblas0-pthread`,
  );
}

describe('tools/pretrain', () => {
  it.skipIf(!hasTorch)('builds a vocabulary, trains both twins, resumes, exports and reloads (tiny corpus)', () => {
    const r = spawnSync(PYTHON, ['tools/pretrain/test_pretrain.py'], { encoding: 'utf8', timeout: 180_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 200_000);
});
