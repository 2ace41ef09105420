/**
 * Pre-training in the engine: a nano-BERT (masked LM) and its causal twin
 * (next-token prediction, GPT's objective) trained in lock-step — every step
 * both see the same windows of text, the masked model with 15% of its pieces
 * corrupted, the twin unmasked behind a causal mask. Both run the inference
 * model itself (model/model.ts, built with tf.Variable weights): one forward
 * definition. Driven one step at a time, so a page can pause, resume, draw
 * curves and snapshots between steps. Tensors never leave this file.
 */
import * as tf from '@tensorflow/tfjs';
import { BertModel, type ForwardInput } from '../../model/model';
import { topK, type Prediction } from '../../model/predictions';
import { tokenizerOptionsFromConfig, WordPieceTokenizer } from '../../tokenizer/tokenizer';
import { prng } from '../../util/prng';
import { BatchOrder, tokenWindows, type TokenWindows } from './batches';
import { hfFolder, initialCheckpoint, type LabShape, type Objective } from './checkpoint';
import { maskWindows, type MaskedBatch } from './masking';
import { AdamW, learningRate, type AdamWOptions, type Schedule } from './optimizer';

export type { LabShape, Objective } from './checkpoint';

export interface PretrainOptions {
  /** vocab.txt: the shipped model's 8,192 WordPiece pieces by default (the caller reads the file). */
  vocabText: string;
  /** tokenizer_config.json's fields; default uncased BERT. */
  tokenizerConfig?: Record<string, unknown>;
  /** Training text: documents separated by blank lines. */
  trainText: string;
  /** Held-out text, never trained on: the evaluation's. */
  heldOutText: string;
  shape?: Partial<LabShape>;
  /** Pieces per window, [CLS] and [SEP] included; also the models' position table. Default 64. */
  seqLength?: number;
  /** Windows per step. Default 32. */
  batchSize?: number;
  seed?: number;
  schedule?: Partial<Schedule>;
  adamW?: AdamWOptions;
  /** Held-out windows scored by evaluate(). Default 128. */
  heldOutWindows?: number;
  /**
   * Which pieces the twin learns to predict each step: 'masked' (default) —
   * the same pieces the masked model is asked for, each from its left context
   * only; 'all' — every next piece, as tools/pretrain trains it. Its output
   * layer over 8,192 pieces dominates a step's cost, so 'all' is ~6× the
   * twin's head work for the same batch (measured: see PRETRAIN_DEFAULTS).
   */
  causalTargets?: 'masked' | 'all';
}

/**
 * What the lab trains by default, chosen by measurement (Node 20, tfjs-wasm,
 * one thread, shipped 8,192-piece vocabulary, public/data/pretrain, both
 * models per step; CPU seconds, as the 2-core machine was shared):
 * 2/128/2/512 ran ~1,170 pieces per CPU-second, 2/64/2/256 ~2,300 (the
 * output layer over 8,192 pieces dominates: it scales with the width), and
 * per CPU-second the narrow model learned as fast or faster. Windows of 32
 * pieces ran ~20% more pieces a second but learned no faster, with a higher
 * loss. Batches of 16 windows: twice the updates for the same work, which
 * matters more than batch noise this early. Peak 3e-3 beat 2e-3: after 300
 * CPU-seconds (640 steps) held-out masked top-1 8.5% against 7.1%, the
 * unigram baseline 4.1%. The schedule ends (at 10% of the peak) after
 * ~1,400 steps: about ten minutes on one core.
 */
export const PRETRAIN_DEFAULTS = {
  shape: { layers: 2, hidden: 64, heads: 2, intermediate: 256 } satisfies LabShape,
  seqLength: 64,
  batchSize: 16,
  seed: 0,
  schedule: { peak: 3e-3, warmup: 50, total: 1400, decay: 'linear', floor: 0.1 } satisfies Schedule,
  heldOutWindows: 128,
  causalTargets: 'masked' as 'masked' | 'all',
};

export interface PretrainSettings {
  shape: LabShape;
  seqLength: number;
  batchSize: number;
  seed: number;
  schedule: Schedule;
  causalTargets: 'masked' | 'all';
  vocabSize: number;
  /** Windows cut from the training and the held-out text, and the held-out ones evaluate() scores. */
  trainWindows: number;
  heldOutWindows: number;
  evaluatedWindows: number;
  /** Pieces of training text. */
  trainPieces: number;
}

export interface StepResult {
  /** Steps done, this one included. */
  step: number;
  /** Mean cross-entropy (nats) on this batch, before the update: masked pieces / next pieces. */
  maskedLoss: number;
  causalLoss: number;
  learningRate: number;
  /** Global gradient norms before clipping. */
  maskedGradNorm: number;
  causalGradNorm: number;
  /** Pieces in this batch (B·T), and passes over the training windows so far. */
  tokens: number;
  epochs: number;
}

export interface Scores {
  /** Mean cross-entropy (nats). */
  loss: number;
  /** Share of predictions whose most probable piece is right. */
  top1: number;
  predictions: number;
}

export interface Evaluation {
  step: number;
  /** The masked model on the held-out windows' masked pieces (the same masks every time). */
  masked: Scores;
  /** The causal twin predicting the same held-out pieces, each from its left context only. */
  causal: Scores;
  /** Always guessing the training text's most frequent piece (`unigramPiece`), on the same pieces. */
  unigramTop1: number;
  unigramPiece: string;
}

export interface ModelSnapshot {
  /** [layer][head] arrays of T×T, row-major: row = query, column = key (as encode's `attentions`). */
  attentions: Float32Array[][];
  /** Per [MASK] in the probe: the model's five best guesses (the twin guesses from the left context only). */
  guesses: { position: number; predictions: Prediction[] }[];
}

export interface Snapshot {
  step: number;
  tokens: string[];
  masked: ModelSnapshot;
  causal: ModelSnapshot;
}

interface Twin {
  objective: Objective;
  model: BertModel;
  optimizer: AdamW;
}

export class Pretrainer {
  readonly settings: PretrainSettings;
  readonly tokenizer: WordPieceTokenizer;
  private readonly tokenizerConfig: Record<string, unknown>;
  private readonly train: TokenWindows;
  private readonly order: BatchOrder;
  private readonly specialIds: ReadonlySet<number>;
  /** The held-out windows evaluate() scores, and their masking: fixed at creation. */
  private readonly heldOut: { windows: number[][]; masked: MaskedBatch };
  private readonly unigramId: number;
  private readonly twins: Record<Objective, Twin>;
  private done = 0;
  private disposed = false;
  /** A step in flight: a second one would read the same batch. */
  private stepping = false;

  static create(options: PretrainOptions): Pretrainer {
    return new Pretrainer(options);
  }

  private constructor(o: PretrainOptions) {
    const shape = { ...PRETRAIN_DEFAULTS.shape, ...o.shape };
    const seqLength = o.seqLength ?? PRETRAIN_DEFAULTS.seqLength;
    const batchSize = o.batchSize ?? PRETRAIN_DEFAULTS.batchSize;
    const seed = o.seed ?? PRETRAIN_DEFAULTS.seed;
    const schedule = { ...PRETRAIN_DEFAULTS.schedule, ...o.schedule };
    checkShape(shape);
    if (!(schedule.peak > 0) || !(schedule.warmup >= 1) || !(schedule.total >= schedule.warmup)) {
      throw new Error('schedule: peak > 0, warmup ≥ 1 and total ≥ warmup are needed');
    }
    this.tokenizerConfig = o.tokenizerConfig ?? { do_lower_case: true, tokenizer_class: 'BertTokenizer' };
    this.tokenizer = WordPieceTokenizer.fromVocabText(o.vocabText, tokenizerOptionsFromConfig(this.tokenizerConfig, seqLength));
    const t = this.tokenizer;
    this.specialIds = new Set([t.padId, t.unkId, t.clsId, t.sepId, t.maskId]);
    this.train = tokenWindows(t, o.trainText, seqLength);
    const held = tokenWindows(t, o.heldOutText, seqLength);
    if (held.windows.length === 0) throw new Error(`the held-out text is too short for one window of ${seqLength} pieces`);
    this.order = new BatchOrder(this.train.windows.length, batchSize, seed);
    // Evenly spread over the held-out text, masked once with their own seed.
    const evaluated = Math.min(o.heldOutWindows ?? PRETRAIN_DEFAULTS.heldOutWindows, held.windows.length);
    const windows = Array.from({ length: evaluated }, (_, i) => held.windows[Math.floor((i * held.windows.length) / evaluated)]);
    this.heldOut = { windows, masked: this.mask(windows, prng(seed ^ 0x5eed)) };
    this.unigramId = mostFrequent(this.train.windows, this.specialIds);
    this.settings = {
      shape,
      seqLength,
      batchSize,
      seed,
      schedule,
      causalTargets: o.causalTargets ?? PRETRAIN_DEFAULTS.causalTargets,
      vocabSize: t.vocabSize,
      trainWindows: this.train.windows.length,
      heldOutWindows: held.windows.length,
      evaluatedWindows: evaluated,
      trainPieces: this.train.pieces,
    };
    const twin = (objective: Objective): Twin => {
      const checkpoint = initialCheckpoint(shape, t, o.vocabText, this.tokenizerConfig, seqLength, objective, seed);
      const model = new BertModel(checkpoint, { trainable: true });
      return { objective, model, optimizer: new AdamW([...model.weightsByName().values()] as tf.Variable[], o.adamW) };
    };
    const masked = twin('masked');
    try {
      this.twins = { masked, causal: twin('causal') };
    } catch (error) {
      masked.optimizer.dispose();
      masked.model.dispose();
      throw error;
    }
  }

  /** Steps done. */
  get steps(): number {
    return this.done;
  }

  /** Pieces both models have read so far (each model reads every one). */
  get tokensSeen(): number {
    return this.done * this.settings.batchSize * this.settings.seqLength;
  }

  /** One update of both models on the next batch. */
  async step(): Promise<StepResult> {
    this.alive();
    if (this.stepping) throw new Error('a step is already running: await it before the next');
    this.stepping = true;
    try {
      return await this.stepOnce();
    } finally {
      this.stepping = false;
    }
  }

  private async stepOnce(): Promise<StepResult> {
    const step = this.done;
    const { windows, masked } = this.batch(step);
    const lr = learningRate(step, this.settings.schedule);
    const results = [
      this.update(this.twins.masked, this.maskedInput(masked), masked.labels, lr),
      this.update(this.twins.causal, ...this.causalInput(windows, this.settings.causalTargets === 'masked' ? masked.positions : null), lr),
    ];
    try {
      const [mLoss, mNorm, cLoss, cNorm] = await Promise.all(results.flat().map(async (t) => (await t.data())[0]));
      this.done++;
      return {
        step: this.done,
        maskedLoss: mLoss,
        causalLoss: cLoss,
        learningRate: lr,
        maskedGradNorm: mNorm,
        causalGradNorm: cNorm,
        tokens: windows.length * this.settings.seqLength,
        epochs: this.order.epochsAfter(this.done),
      };
    } finally {
      tf.dispose(results.flat());
    }
  }

  /**
   * Batch number `step` (0-based) as both models read it: the windows (the
   * twin's input) and their masking (the masked model's input and targets).
   * The same for a given seed and step, whatever was asked before.
   */
  batch(step: number): { windows: number[][]; masked: MaskedBatch } {
    const windows = this.order.indices(step).map((i) => this.train.windows[i]);
    return { windows, masked: this.mask(windows, prng(mix(this.settings.seed, step))) };
  }

  /** Held-out scores of both models, and the unigram baseline. */
  async evaluate(): Promise<Evaluation> {
    this.alive();
    const { windows, masked } = this.heldOut;
    const B = this.settings.batchSize;
    const sums = { masked: [0, 0, 0], causal: [0, 0, 0] }; // Σ loss, Σ correct, count
    for (let at = 0; at < windows.length; at += B) {
      const rows = windows.slice(at, at + B);
      const picked = masked.positions.flatMap(([b], i) => (b >= at && b < at + B ? [i] : []));
      const part: MaskedBatch = {
        ids: masked.ids.slice(at, at + B),
        positions: picked.map((i) => [masked.positions[i][0] - at, masked.positions[i][1]]),
        labels: picked.map((i) => masked.labels[i]),
        kinds: picked.map((i) => masked.kinds[i]),
      };
      const scored = [
        this.score(this.twins.masked, this.maskedInput(part), part.labels),
        this.score(this.twins.causal, ...this.causalInput(rows, part.positions)),
      ];
      const values = await Promise.all(scored.map((s) => s.data()));
      tf.dispose(scored);
      (['masked', 'causal'] as const).forEach((k, i) => values[i].forEach((v, j) => (sums[k][j] += v)));
    }
    const scores = ([loss, correct, n]: number[]): Scores => ({ loss: loss / n, top1: correct / n, predictions: n });
    const share = (labels: number[]) => labels.filter((id) => id === this.unigramId).length / Math.max(1, labels.length);
    return {
      step: this.done,
      masked: scores(sums.masked),
      causal: scores(sums.causal),
      unigramTop1: share(masked.labels),
      unigramPiece: this.tokenizer.idToToken(this.unigramId),
    };
  }

  /**
   * What a step slider keeps: both models' attention on a probe sentence, and
   * their guesses for each [MASK] in it (e.g. "the [MASK] sat on the mat .").
   */
  async snapshot(probe: string): Promise<Snapshot> {
    this.alive();
    const e = this.tokenizer.encode(probe);
    const masks = e.ids.flatMap((id, p) => (id === this.tokenizer.maskId ? [p] : []));
    const one = async (twin: Twin): Promise<ModelSnapshot> => {
      const causal = twin.objective === 'causal';
      // The twin guesses piece p from the row before it: it has only read the left context.
      const rows = masks.map((p) => (causal ? p - 1 : p)).filter((r) => r >= 0);
      const out = twin.model.forward({
        ids: [e.ids],
        tokenTypes: [e.tokenTypeIds],
        lengths: [e.ids.length],
        mask: causal ? 'causal' : 'bidirectional',
        lmPositions: rows.map((r) => [0, r]),
      });
      try {
        const [attn, logits] = await Promise.all([out.attentions.data(), out.lmLogits?.data() ?? Promise.resolve(new Float32Array())]);
        const { layers, heads, vocabSize: V } = twin.model.config;
        const T = e.ids.length;
        const attentions = Array.from({ length: layers }, (_, l) =>
          Array.from({ length: heads }, (_, h) => Float32Array.from(attn.subarray((l * heads + h) * T * T, (l * heads + h + 1) * T * T))),
        );
        const guesses = rows.map((r, i) => ({
          position: causal ? r + 1 : r,
          predictions: topK(this.tokenizer, (logits as Float32Array).subarray(i * V, (i + 1) * V), 5),
        }));
        return { attentions, guesses };
      } finally {
        tf.dispose([out.attentions, out.lmLogits, out.pooled, out.hiddenStates, out.valueNorms, out.classifierLogits].filter((t) => t !== undefined));
      }
    };
    return { step: this.done, tokens: e.tokens, masked: await one(this.twins.masked), causal: await one(this.twins.causal) };
  }

  /** One model as a Hugging Face folder (file name → bytes) that loadModel reads. */
  toCheckpoint(objective: Objective): Map<string, Uint8Array> {
    this.alive();
    const { model } = this.twins[objective];
    return hfFolder(model, model.config, objective, this.tokenizer, this.tokenizerConfig);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const twin of Object.values(this.twins)) {
      twin.optimizer.dispose();
      twin.model.dispose();
    }
  }

  // ---------------------------------------------------------------------------

  private alive(): void {
    if (this.disposed) throw new Error('this pre-training run was disposed');
  }

  private mask(windows: number[][], random: () => number): MaskedBatch {
    const t = this.tokenizer;
    return maskWindows(windows, random, { maskId: t.maskId, vocabSize: t.vocabSize, specialIds: this.specialIds });
  }

  private maskedInput(m: MaskedBatch): ForwardInput {
    return { ...block(m.ids), mask: 'bidirectional', lmPositions: m.positions };
  }

  /**
   * The twin reads the windows as they are; piece (b, t) is predicted from
   * row t − 1. `targets`: which pieces; null: every ordinary piece (not [CLS] nor the closing [SEP]).
   */
  private causalInput(windows: number[][], targets: [number, number][] | null): [ForwardInput, number[]] {
    const pieces = targets ?? windows.flatMap((w, b) => w.flatMap((id, t) => (t > 0 && !this.specialIds.has(id) ? [[b, t] as [number, number]] : [])));
    const positions = pieces.map(([b, t]): [number, number] => [b, t - 1]);
    return [{ ...block(windows), mask: 'causal', lmPositions: positions }, pieces.map(([b, t]) => windows[b][t])];
  }

  /** Cross-entropy of the LM scores at `lmPositions` against `labels`. Call inside tf.tidy or a gradient. */
  private loss(model: BertModel, input: ForwardInput, labels: number[]): { loss: tf.Scalar; logits: tf.Tensor2D } {
    const logits = model.forward(input).lmLogits as tf.Tensor2D; // every lab model has its LM head
    const truth = tf.oneHot(tf.tensor1d(labels, 'int32'), model.config.vocabSize);
    return { loss: tf.losses.softmaxCrossEntropy(truth, logits) as tf.Scalar, logits };
  }

  /** One AdamW step; returns [loss before the update, gradient norm], scalars the caller disposes. */
  private update(twin: Twin, input: ForwardInput, labels: number[], lr: number): tf.Scalar[] {
    const { value, grads } = tf.variableGrads(() => this.loss(twin.model, input, labels).loss, twin.optimizer.variables);
    try {
      return [value, twin.optimizer.apply(grads, lr)];
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  /** [Σ loss, Σ correct, count] on one batch, without a gradient. */
  private score(twin: Twin, input: ForwardInput, labels: number[]): tf.Tensor1D {
    return tf.tidy(() => {
      const { loss, logits } = this.loss(twin.model, input, labels);
      const correct = tf.equal(logits.argMax(1), tf.tensor1d(labels, 'int32')).sum().cast('float32');
      return tf.stack([loss.mul(labels.length), correct, tf.scalar(labels.length)]) as tf.Tensor1D;
    });
  }
}

/** Windows as a full [B, T] block: one segment, no padding. */
function block(ids: number[][]): Pick<ForwardInput, 'ids' | 'tokenTypes' | 'lengths'> {
  return { ids, tokenTypes: ids.map((w) => w.map(() => 0)), lengths: ids.map((w) => w.length) };
}

/** A per-step seed: the run's seed and the step, mixed so that neighbouring steps draw unrelated masks. */
function mix(seed: number, step: number): number {
  return (Math.imul(seed + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
}

function mostFrequent(windows: number[][], special: ReadonlySet<number>): number {
  const counts = new Map<number, number>();
  for (const w of windows) for (const id of w) if (!special.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  let best = -1;
  let most = -1;
  for (const [id, n] of counts) if (n > most || (n === most && id < best)) [best, most] = [id, n];
  return best;
}

function checkShape(s: LabShape): void {
  for (const [name, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer (got ${v})`);
  }
  if (s.hidden % s.heads !== 0) throw new Error(`hidden size ${s.hidden} is not a multiple of ${s.heads} heads`);
}
