// The pre-training lab (src/engine/training/pretrain): masking, batches, AdamW, the lock-step
// trainer through the inference model, its gradients, checkpoints and memory, and head roles.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { memorySource } from '../src/engine/checkpoint/source';
import { encode, loadModel } from '../src/engine/model/bert';
import { BertModel, type ForwardInput } from '../src/engine/model/model';
import { folderSource, initNodeBackend } from '../src/engine/node';
import { WordPieceTokenizer } from '../src/engine/tokenizer/tokenizer';
import { BatchOrder, holdOut, tokenWindows } from '../src/engine/training/pretrain/batches';
import { headRoles, type AttentionSample } from '../src/engine/training/pretrain/headRoles';
import { maskWindows } from '../src/engine/training/pretrain/masking';
import { AdamW, learningRate } from '../src/engine/training/pretrain/optimizer';
import { Pretrainer, type PretrainOptions } from '../src/engine/training/pretrain/trainer';
import { prng } from '../src/engine/util/prng';

const vocabText = readFileSync('public/weights/bert-mini/vocab.txt', 'utf8');
const trainText = readFileSync('public/data/pretrain/train.txt', 'utf8');
const heldOutText = readFileSync('public/data/pretrain/heldout.txt', 'utf8');
const tokenizer = WordPieceTokenizer.fromVocabText(vocabText);

/** A lab small enough for a unit test: 1 layer, 16 wide, windows of 16 pieces, 4 to a batch. */
function tiny(extra: Partial<PretrainOptions> = {}): Pretrainer {
  return Pretrainer.create({
    vocabText,
    trainText: trainText.slice(0, 6000),
    heldOutText: heldOutText.slice(0, 3000),
    shape: { layers: 1, hidden: 16, heads: 2, intermediate: 32 },
    seqLength: 16,
    batchSize: 4,
    heldOutWindows: 40,
    schedule: { peak: 1e-2, warmup: 2, total: 100 },
    ...extra,
  });
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('masking (BERT 80/10/10, dynamic)', () => {
  const special = new Set([0, 1, 2, 3, 4]);
  const o = { maskId: 4, vocabSize: 1000, specialIds: special };
  it('chooses ≈15% of ordinary pieces, 80% [MASK] / 10% random / 10% kept, never a special token', () => {
    const random = prng(7);
    const windows = Array.from({ length: 64 }, () => [2, ...Array.from({ length: 62 }, () => 5 + Math.floor(random() * 995)), 3]);
    let chosen = 0;
    const kinds = { mask: 0, random: 0, keep: 0 };
    const problems: string[] = [];
    for (let draw = 0; draw < 50; draw++) {
      const m = maskWindows(windows, random, o);
      chosen += m.positions.length;
      m.kinds.forEach((k) => kinds[k]++);
      // (Problems counted, then asserted once: an expect per piece would dominate the test's time.)
      m.positions.forEach(([b, t], i) => {
        const id = m.ids[b][t];
        const wrong =
          special.has(windows[b][t]) ||
          m.labels[i] !== windows[b][t] ||
          (m.kinds[i] === 'mask' && id !== 4) ||
          (m.kinds[i] === 'keep' && id !== windows[b][t]) ||
          (m.kinds[i] === 'random' && special.has(id));
        if (wrong) problems.push(`draw ${draw}: (${b}, ${t}) ${m.kinds[i]} → ${id}`);
      });
      // Everything not chosen is untouched (the first and last pieces are [CLS]/[SEP]).
      const picked = new Set(m.positions.map(([b, t]) => b * 64 + t));
      m.ids.forEach((w, b) => w.forEach((id, t) => picked.has(b * 64 + t) || id === windows[b][t] || problems.push(`draw ${draw}: (${b}, ${t}) changed`)));
    }
    expect(problems).toEqual([]);
    const ordinary = 50 * 64 * 62; // 198,400 candidates: sd of the share ≈ 0.0008
    expect(chosen / ordinary).toBeGreaterThan(0.145);
    expect(chosen / ordinary).toBeLessThan(0.155);
    expect(kinds.mask / chosen).toBeCloseTo(0.8, 1);
    expect(Math.abs(kinds.random / chosen - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(kinds.keep / chosen - 0.1)).toBeLessThan(0.01);
  });

  it('chooses at least one piece, and refuses a batch of special tokens only', () => {
    const m = maskWindows([[2, 9, 3]], () => 0.99, o); // 0.99 never passes the 15% draw
    expect(m.positions).toEqual([[0, 1]]);
    expect(() => maskWindows([[2, 3]], prng(1), o)).toThrow(/no ordinary piece/);
    expect(() => maskWindows([[2, 9, 3]], prng(1), { ...o, rate: 1.5 })).toThrow(/rate/);
  });
});

describe('batches', () => {
  it('cuts each document into [CLS] … [SEP] windows of the asked length', () => {
    const w = tokenWindows(tokenizer, 'the cat sat on the mat . the dog ran .\n\nanother short one .', 6);
    expect(w.windows.length).toBeGreaterThan(1);
    for (const row of w.windows) {
      expect(row.length).toBe(6);
      expect(row[0]).toBe(tokenizer.clsId);
      expect(row[5]).toBe(tokenizer.sepId);
    }
    expect(tokenizer.idToToken(w.windows[0][1])).toBe('the');
    expect(() => tokenWindows(tokenizer, 'x', 3)).toThrow(/≥ 4/);
  });

  it('holds out every tenth document of a pasted text (or every tenth line of a short one)', () => {
    const docs = Array.from({ length: 30 }, (_, i) => `doc ${i} line a\ndoc ${i} line b`).join('\n\n');
    const split = holdOut(docs);
    expect(split.heldOut.split('\n\n')).toEqual(['doc 9 line a\ndoc 9 line b', 'doc 19 line a\ndoc 19 line b', 'doc 29 line a\ndoc 29 line b']);
    expect(split.train.split('\n\n')).toHaveLength(27);
    const lines = holdOut(Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n'));
    expect(lines.heldOut).toBe('line 9\n\nline 19');
    expect(() => holdOut('x', 1)).toThrow(/≥ 2/);
  });

  it('is a seeded permutation per epoch, the same for any order of asking', () => {
    const a = new BatchOrder(10, 4, 3);
    const steps = [0, 1, 2, 3, 4].map((s) => a.indices(s));
    const b = new BatchOrder(10, 4, 3);
    expect([4, 2, 0, 3, 1].map((s) => b.indices(s))).toEqual([4, 2, 0, 3, 1].map((s) => steps[s]));
    const epoch0 = steps.flat().slice(0, 10);
    expect([...epoch0].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(steps.flat().slice(10, 20)).not.toEqual(epoch0); // the next epoch is shuffled anew
    expect(new BatchOrder(10, 4, 4).indices(0)).not.toEqual(steps[0]);
  });
});

describe('AdamW and the schedule', () => {
  it('warms up linearly, then decays linearly or by a cosine to the floor', () => {
    const s = { peak: 1, warmup: 10, total: 110, decay: 'linear' as const, floor: 0 };
    expect(learningRate(0, s)).toBeCloseTo(0.1);
    expect(learningRate(9, s)).toBeCloseTo(1);
    expect(learningRate(60, s)).toBeCloseTo(0.5);
    expect(learningRate(500, s)).toBe(0);
    expect(learningRate(60, { ...s, decay: 'cosine' })).toBeCloseTo(0.5);
    expect(learningRate(35, { ...s, decay: 'cosine' })).toBeCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)));
    expect(learningRate(500, { ...s, floor: 0.1 })).toBeCloseTo(0.1);
  });

  it('matches the AdamW formula, decays matrices only and clips the global norm', () => {
    const matrix = tf.variable(tf.tensor2d([[1, -2]]));
    const bias = tf.variable(tf.tensor1d([0.5]));
    const opt = new AdamW([matrix, bias], { weightDecay: 0.1, clipNorm: 1, beta1: 0.9, beta2: 0.98, epsilon: 1e-6 });
    const g = { [matrix.name]: tf.tensor2d([[3, 0]]), [bias.name]: tf.tensor1d([4]) }; // norm 5 → scaled by 1/5
    const norm = opt.apply(g, 0.01);
    expect(norm.dataSync()[0]).toBeCloseTo(5);
    // First step: m̂ = g', v̂ = g'², so each moves by lr·sign(g') (where g' ≠ 0), plus lr·λ·p for the matrix.
    const m = matrix.dataSync();
    expect(m[0]).toBeCloseTo(1 - 0.01 - 0.01 * 0.1 * 1, 5);
    expect(m[1]).toBeCloseTo(-2 - 0.01 * 0.1 * -2, 5);
    expect(bias.dataSync()[0]).toBeCloseTo(0.5 - 0.01, 5);
    tf.dispose([norm, ...Object.values(g), matrix, bias]);
    opt.dispose();
  });
});

describe('Pretrainer', () => {
  let lab: Pretrainer;
  beforeAll(() => {
    lab = tiny();
  });
  afterAll(() => lab.dispose());

  it('describes its run in plain numbers, with the unigram baseline', async () => {
    expect(lab.settings).toMatchObject({ seqLength: 16, batchSize: 4, vocabSize: 8192, causalTargets: 'masked' });
    expect(lab.settings.trainWindows).toBeGreaterThan(50);
    const e = await lab.evaluate();
    expect(e.step).toBe(0);
    expect(e.masked.predictions).toBe(e.causal.predictions); // both scored on the same held-out pieces
    expect(['the', '.', ',']).toContain(e.unigramPiece);
    expect(e.unigramTop1).toBeLessThan(0.2);
    expect(e.masked.loss).toBeCloseTo(Math.log(8192), 0); // an untrained model is about uniform
  });

  it('trains both models in lock-step: the twin reads the batch, the masked model its masking', async () => {
    const spy = vi.spyOn(BertModel.prototype, 'forward');
    const r = await lab.step();
    const inputs = spy.mock.calls.map((c) => c[0] as ForwardInput);
    spy.mockRestore();
    const { windows, masked } = lab.batch(r.step - 1);
    const bidirectional = inputs.filter((i) => i.mask === 'bidirectional');
    const causal = inputs.filter((i) => i.mask === 'causal');
    expect(bidirectional).toHaveLength(1);
    expect(causal).toHaveLength(1);
    expect(causal[0].ids).toEqual(windows);
    expect(bidirectional[0].ids).toEqual(masked.ids);
    expect(bidirectional[0].lmPositions).toEqual(masked.positions);
    // Both are asked for the same pieces: the twin from the row before each.
    expect(causal[0].lmPositions).toEqual(masked.positions.map(([b, t]) => [b, t - 1]));
    expect(r).toMatchObject({ step: 1, tokens: 64 });
    const first = lab.step();
    await expect(lab.step()).rejects.toThrow(/already running/);
    await first;
    expect(r.maskedLoss).toBeGreaterThan(0);
    expect(r.causalLoss).toBeGreaterThan(0);
  });

  it('is reproducible for a seed: the same losses twice, other losses for another seed', async () => {
    const run = async (seed: number) => {
      const p = tiny({ seed });
      try {
        const losses: number[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await p.step();
          losses.push(r.maskedLoss, r.causalLoss);
        }
        return losses;
      } finally {
        p.dispose();
      }
    };
    const a = await run(5);
    expect(await run(5)).toEqual(a);
    expect(await run(6)).not.toEqual(a);
  });

  it('lowers both losses when it sees one fixed batch again and again', async () => {
    // A text of exactly one batch (4 windows of 14 pieces): every step reads the same windows.
    const words = Array.from({ length: 56 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog'][(i * 3) % 8]).join(' ');
    const p = tiny({ trainText: words, causalTargets: 'all', schedule: { peak: 1e-2, warmup: 1, total: 1000 } });
    try {
      expect(p.settings.trainWindows).toBe(4);
      const first = await p.step();
      let last = first;
      for (let i = 0; i < 30; i++) last = await p.step();
      expect(last.causalLoss).toBeLessThan(first.causalLoss - 2);
      expect(last.maskedLoss).toBeLessThan(first.maskedLoss - 2);
    } finally {
      p.dispose();
    }
  }, 30_000);

  it('keeps the tensor count flat over many steps, evaluations and snapshots', async () => {
    const p = tiny();
    try {
      await p.step();
      await p.evaluate();
      await p.snapshot('the [MASK] sat on the mat .');
      const before = tf.memory().numTensors;
      for (let i = 0; i < 12; i++) await p.step();
      await p.evaluate();
      await p.snapshot('the [MASK] sat on the mat .');
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      p.dispose();
    }
    p.dispose(); // twice is harmless
    await expect(p.step()).rejects.toThrow(/disposed/);
  }, 30_000);

  it('saves a Hugging Face folder that loadModel reads back to the same scores and attention', async () => {
    for (const objective of ['masked', 'causal'] as const) {
      const probe = 'the [MASK] of the sea .';
      const snap = await lab.snapshot(probe);
      const files = lab.toCheckpoint(objective);
      expect([...files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
      const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
      expect(config).toMatchObject({ architectures: [objective === 'masked' ? 'BertForMaskedLM' : 'BertLMHeadModel'], is_decoder: objective === 'causal' });
      const bert = await loadModel(memorySource(new Map([...files].map(([n, b]) => [n, b.slice().buffer as ArrayBuffer])), 'saved'));
      try {
        const e = await encode(bert, probe);
        const mine = snap[objective];
        expect(e.tokens).toEqual(snap.tokens);
        expect(e.lm.map((l) => l.position)).toEqual(mine.guesses.map((g) => g.position));
        e.lm.forEach((l, i) => {
          expect(l.predictions.map((p) => p.id)).toEqual(mine.guesses[i].predictions.map((p) => p.id));
          l.predictions.forEach((p, k) => expect(p.score).toBeCloseTo(mine.guesses[i].predictions[k].score, 5));
        });
        e.attentions.forEach((heads, l) =>
          heads.forEach((a, h) => a.forEach((w, k) => expect(Math.abs(w - mine.attentions[l][h][k])).toBeLessThan(1e-5))),
        );
      } finally {
        bert.dispose();
      }
    }
  });
});

describe('gradients through the inference model', () => {
  it('match central finite differences on a 1-layer toy (wasm backend, float32)', () => {
    const checkpoint = randomCheckpoint({ layers: 1, hidden: 8, heads: 2, intermediate: 16, vocabSize: 40, maxPositions: 8 }, 3);
    // Query and key ×10 (as the lab initialises them, N(0, 0.1)): with ±0.05 weights attention is
    // almost uniform and their gradients are too small to check against float32 differences.
    for (const [name, w] of checkpoint.weights) if (/self\.(query|key)\.weight$/.test(name)) w.values.forEach((v, i) => (w.values[i] = 10 * v));
    const model = new BertModel(checkpoint, { trainable: true });
    const input: ForwardInput = {
      ids: [
        [2, 7, 9, 11, 4, 3],
        [2, 5, 5, 13, 6, 3],
      ],
      tokenTypes: [
        [0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0],
      ],
      lengths: [6, 6],
      mask: 'bidirectional',
      lmPositions: [
        [0, 4],
        [1, 2],
        [1, 3],
      ],
    };
    const labels = tf.oneHot(tf.tensor1d([8, 20, 30], 'int32'), 40);
    const loss = () => tf.losses.softmaxCrossEntropy(labels, model.forward(input).lmLogits as tf.Tensor2D) as tf.Scalar;
    const weights = model.weightsByName();
    const { grads } = tf.variableGrads(loss, [...weights.values()] as tf.Variable[]);
    // Parameters of every kind — the word embeddings (id 5 is read twice), positions, query, FFN,
    // LayerNorm, the LM head's transform and bias — each at its entry with the largest gradient.
    const names = [
      'embeddings.word_embeddings.weight',
      'embeddings.position_embeddings.weight',
      'embeddings.LayerNorm.bias',
      'encoder.layer.0.attention.self.query.weight',
      'encoder.layer.0.attention.self.key.weight',
      'encoder.layer.0.intermediate.dense.weight',
      'encoder.layer.0.output.LayerNorm.weight',
      'cls.predictions.transform.dense.bias',
      'cls.predictions.bias',
    ];
    const probes = names.map((name): [string, number] => {
      const g = Array.from(grads[(weights.get(name) as tf.Variable).name].dataSync()).map(Math.abs);
      return [name, g.indexOf(Math.max(...g))];
    });
    // And the row of id 5, read twice in the batch: its gradient is the sum of both reads (the scatter-add).
    const row5 = Array.from(grads[(weights.get(names[0]) as tf.Variable).name].dataSync().slice(40, 48)).map(Math.abs);
    probes.push([names[0], 40 + row5.indexOf(Math.max(...row5))]);
    const h = 3e-3; // LayerNorm rescales by 1/σ with σ ≈ 0.05 here: larger steps leave the linear range
    for (const [name, index] of probes) {
      const v = weights.get(name) as tf.Variable;
      const analytic = grads[v.name].dataSync()[index];
      const original = v.dataSync().slice();
      const at = (delta: number) => {
        const moved = original.slice();
        moved[index] += delta;
        v.assign(tf.tensor(moved, v.shape));
        return tf.tidy(() => loss().dataSync()[0]);
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      v.assign(tf.tensor(original, v.shape));
      // Float32: the loss (≈3.7) carries ~2.4e-7 of rounding, /2h ≈ 4e-5; the O(h²) term is ~1% of the gradient.
      expect(Math.abs(analytic - numeric), `${name}[${index}]: ${analytic} vs ${numeric}`).toBeLessThan(1e-4 + 2e-2 * Math.abs(analytic));
      expect(Math.abs(analytic), name).toBeGreaterThan(1e-5); // a zero gradient would pass trivially
    }
    tf.dispose([labels, ...Object.values(grads)]);
    model.dispose();
  });
});

describe('headRoles (Clark et al. 2019)', () => {
  /** A T×T attention from a rule: which key each query looks at. */
  const pointing = (T: number, key: (q: number) => number) => {
    const a = new Float32Array(T * T);
    for (let q = 0; q < T; q++) a[q * T + key(q)] = 1;
    return a;
  };
  const tokens = ['[CLS]', 'the', 'cat', 'sat', '.', '[SEP]'];

  it('reads hand-built heads: previous, next, [SEP], and a uniform one', () => {
    const T = tokens.length;
    const uniform = new Float32Array(T * T).fill(1 / T);
    const sample: AttentionSample = {
      tokens,
      attentions: [[pointing(T, (q) => Math.max(q - 1, 0)), pointing(T, (q) => Math.min(q + 1, T - 1)), pointing(T, () => T - 1), uniform]],
    };
    const [[prev, next, sep, flat]] = headRoles([sample]);
    expect(prev.previous).toBe(1);
    expect(prev.next).toBe(0);
    expect(next.next).toBe(1);
    expect(sep.sep).toBe(1);
    expect(sep.previous).toBe(0);
    expect(sep.next).toBeCloseTo(1 / 4); // of the 4 inner queries, only "." has [SEP] as its next token
    for (const share of [flat.previous, flat.next, flat.self, flat.cls, flat.sep, flat.punctuation]) expect(share).toBeCloseTo(1 / 6);
    // Uniform: keys outside {q−1, q, q+1, [CLS], [SEP], "."}: "sat" for "the", none for "cat", "the" for "sat", both for ".".
    expect(flat.other).toBeCloseTo((1 / 6 + 0 + 1 / 6 + 2 / 6) / 4);
    expect(() => headRoles([])).toThrow(/no attention/);
    expect(() => headRoles([{ tokens: ['a'], attentions: [[new Float32Array(4)]] }])).toThrow(/weights for 1 tokens/);
  });

  it("reads the shipped model's heads: shares in [0, 1] that add up", async () => {
    const bert = await loadModel(folderSource('public/weights/bert-mini'));
    try {
      const samples = await Promise.all(
        ['The old man looked at the sea, and the sea looked back.', 'She sold the house in the spring.'].map((t) => encode(bert, t)),
      );
      const roles = headRoles(samples);
      expect(roles).toHaveLength(bert.config.layers);
      for (const r of roles.flat()) {
        for (const v of Object.values(r)) expect(v).toBeGreaterThanOrEqual(-1e-6);
        expect(r.previous + r.next + r.self).toBeLessThanOrEqual(1 + 1e-5);
        expect(r.cls + r.sep + r.punctuation).toBeLessThanOrEqual(1 + 1e-5);
        expect(r.other).toBeLessThanOrEqual(1 - Math.max(r.previous, r.next, r.self, r.cls, r.sep, r.punctuation) + 1e-5);
      }
      // The GPU-trained BERT-mini has positional heads (tools/pretrain/README.md: the first CPU run had none).
      expect(Math.max(...roles.flat().map((r) => Math.max(r.previous, r.next)))).toBeGreaterThan(0.5);
    } finally {
      bert.dispose();
    }
  });
});
