/**
 * The engine's public surface, in the spirit of tfjs-models: `loadModel`, then
 * `encode` / `encodeBatch` / `fillMask`. Tensors never leave this file: results
 * are plain typed arrays, and everything allocated is disposed here.
 */
import * as tf from '@tensorflow/tfjs';
import type { MaskMode } from './attention';
import { loadCheckpoint, type Checkpoint } from '../checkpoint/checkpoint';
import type { BertConfig } from '../checkpoint/config';
import type { CheckpointSource, ReadOptions } from '../checkpoint/source';
import { cutMask, tokenizerOptionsFromConfig, WordPieceTokenizer, type Encoding } from '../tokenizer/tokenizer';
import { sequenceBucket } from '../kernels/buckets';
import { compileOnly } from '../runtime/backend';
import { throwIfAborted } from '../util/abort';
import { padBatch } from './batch';
import { BertModel } from './model';
import { topK, type Prediction } from './predictions';

export type { MaskMode } from './attention';
export type { Prediction } from './predictions';

export interface Bert {
  config: BertConfig;
  tokenizer: WordPieceTokenizer;
  model: BertModel;
  /** Where it was loaded from. */
  location: string;
  /** The mask this checkpoint was trained with: causal for decoders (GPT-style), else bidirectional. */
  defaultMask: MaskMode;
  /** Bytes of weights read. */
  bytes: number;
  dispose(): void;
}

export async function loadModel(source: CheckpointSource, options: ReadOptions = {}): Promise<Bert> {
  return fromCheckpoint(await loadCheckpoint(source, options));
}

export function fromCheckpoint(checkpoint: Checkpoint): Bert {
  const { config } = checkpoint;
  // Without tokenizer_config.json, BERT's defaults apply (uncased), truncated to the position table.
  const tokenizer = WordPieceTokenizer.fromVocabText(
    checkpoint.vocabText,
    checkpoint.tokenizerConfig === null
      ? { maxLength: config.maxPositions }
      : tokenizerOptionsFromConfig(checkpoint.tokenizerConfig, config.maxPositions),
  );
  if (tokenizer.vocabSize !== config.vocabSize) {
    throw new Error(
      `${checkpoint.location}: vocab.txt has ${tokenizer.vocabSize} tokens but config.json says vocab_size ${config.vocabSize}`,
    );
  }
  const model = new BertModel(checkpoint);
  return {
    config,
    tokenizer,
    model,
    location: checkpoint.location,
    defaultMask: config.isDecoder ? 'causal' : 'bidirectional',
    bytes: checkpoint.bytes,
    dispose: () => model.dispose(),
  };
}

export interface EncodeOptions {
  /** Attention mask; defaults to the model's own (see Bert.defaultMask). */
  mask?: MaskMode;
  /** Second segment for sentence-pair input (token_type_ids 1). */
  pair?: string;
  /** Which positions get language-model scores: the [MASK] tokens (default), all, or none. */
  lm?: 'masked' | 'all' | 'none';
  /** Token positions (counting [CLS]) to replace with [MASK] before the model reads them. */
  maskPositions?: number[];
  /** Also compute ‖f_h(x_j)‖ for norm-weighted attention (Kobayashi et al. 2020). */
  valueNorms?: boolean;
  /**
   * Also read back every layer's hidden states (like Hugging Face's
   * `output_hidden_states`). Off by default: they are (L+1)·T·H floats that
   * the attention views never show, and each read-back is a GPU→CPU copy.
   */
  hiddenStates?: boolean;
  /** Also read back the pooler's tanh(W·h[CLS] + b), when the checkpoint has a pooler. */
  pooled?: boolean;
  /** How many decoded guesses each language-model score carries (default 5). */
  topK?: number;
  /**
   * Pad (masked) to a multiple of this many tokens, so that nearby lengths
   * share one shape; the results are the same, cut to the sentence. Default
   * sequenceBucket(): 16 on WebGPU, whose programs are compiled per shape
   * (kernels/buckets.ts), 1 (no padding) elsewhere.
   */
  bucket?: number;
}

export interface LmScores {
  /** Index in tokens (counting [CLS]) of the token being predicted. */
  position: number;
  /** Raw scores over the vocabulary. */
  logits: Float32Array;
  /** The options.topK most probable tokens, decoded, best first. */
  predictions: Prediction[];
}

export interface Encoded extends Encoding {
  mask: MaskMode;
  layers: number;
  heads: number;
  hidden: number;
  /** [L+1] arrays of seq×hidden, row-major: the embeddings, then each layer's output; null unless asked for. */
  hiddenStates: Float32Array[] | null;
  /** [layer][head] arrays of seq×seq, row-major: row = query, column = key. */
  attentions: Float32Array[][];
  /** The pooled [CLS] vector; null unless asked for, or when the checkpoint has no pooler. */
  pooled: Float32Array | null;
  lm: LmScores[];
  classifierLogits: Float32Array | null;
  /** [layer][head] arrays of length seq: ‖f_h(x_j)‖, when asked for. */
  valueNorms: Float32Array[][] | null;
  backend: string;
  /** Wall time of the forward pass and read-back, in milliseconds. */
  ms: number;
}

export async function encode(bert: Bert, text: string, options: EncodeOptions = {}): Promise<Encoded> {
  return (await runBatch(bert, [withMasks(bert, bert.tokenizer.encode(text, options.pair), options.maskPositions)], options))[0];
}

/** The encoding with some tokens replaced by [MASK] (as clicking a token chip does). */
function withMasks(bert: Bert, e: Encoding, positions: number[] = []): Encoding {
  const valid = positions.filter((p) => p > 0 && p < e.ids.length && e.specialTokensMask[p] === 0);
  if (valid.length === 0) return e;
  const ids = [...e.ids];
  const tokens = [...e.tokens];
  for (const p of valid) {
    ids[p] = bert.tokenizer.maskId;
    tokens[p] = bert.tokenizer.idToToken(bert.tokenizer.maskId);
  }
  return { ...e, ids, tokens };
}

/** Several texts in one padded batch (padding keys are masked out). */
export async function encodeBatch(bert: Bert, texts: string[], options: EncodeOptions = {}): Promise<Encoded[]> {
  return runBatch(bert, texts.map((t) => bert.tokenizer.encode(t, options.pair)), options);
}

/**
 * Which output row predicts token i. An encoder trained on masked-LM predicts a
 * token from its own position; a decoder trained on next-token prediction
 * predicts it from the position before (it has only seen the left context).
 */
function predictorRow(bert: Bert, position: number): number {
  return bert.config.isDecoder ? position - 1 : position;
}

/**
 * Refuse to show numbers the model could not compute. Weights are checked for
 * NaN/Inf at load, but a finite weight can still be absurdly large (one flipped
 * exponent bit in a corrupted file gives 3e38), and then a product overflows
 * to Inf and softmax makes NaN. A non-finite value anywhere spreads to every
 * later layer, so the last layer's attention shows it: scanning that block is
 * cheap, and only when it is bad are the earlier layers searched for where it began.
 */
function checkFinite(attentions: Float32Array, layers: number, others: (Float32Array | null)[]): void {
  const bad = (a: Float32Array, from = 0, to = a.length) => {
    for (let i = from; i < to; i++) if (!Number.isFinite(a[i])) return true;
    return false;
  };
  const block = attentions.length / layers;
  if (bad(attentions, (layers - 1) * block)) {
    let layer = 0;
    while (layer < layers - 1 && !bad(attentions, layer * block, (layer + 1) * block)) layer++;
    throw new Error(
      `the model's attention in layer ${layer + 1} is not a number (NaN/Inf): a weight in or before that layer is too large to compute with; the checkpoint is probably corrupted`,
    );
  }
  if (others.some((a) => a !== null && bad(a))) {
    throw new Error('the model produced numbers that are not finite (NaN/Inf): a weight of its output layers is too large; the checkpoint is probably corrupted');
  }
}

/**
 * The encodings as one padded batch through the model (synchronous: no run
 * can start in between, which compileOnly relies on). The caller disposes `out`.
 */
function forwardBatch(bert: Bert, encodings: Pick<Encoding, 'ids' | 'tokenTypeIds'>[], options: EncodeOptions) {
  const mask = options.mask ?? bert.defaultMask;
  const batch = padBatch(encodings, bert.tokenizer.padId, options.bucket ?? sequenceBucket(), bert.config.maxPositions);
  const wanted = options.lm ?? 'masked';
  const lmRequests: { batch: number; position: number }[] = [];
  if (bert.model.hasLmHead && wanted !== 'none') {
    encodings.forEach((e, b) =>
      e.ids.forEach((id, position) => {
        const predictable = predictorRow(bert, position) >= 0;
        if (predictable && (wanted === 'all' || id === bert.tokenizer.maskId)) lmRequests.push({ batch: b, position });
      }),
    );
  }
  const out = bert.model.forward({
    ...batch,
    mask,
    lmPositions: lmRequests.map((r) => [r.batch, predictorRow(bert, r.position)]),
    valueNorms: options.valueNorms,
    hiddenStates: options.hiddenStates,
    pooled: options.pooled,
  });
  return { out, mask, lmRequests, T: batch.ids[0].length };
}

async function runBatch(bert: Bert, encodings: Encoding[], options: EncodeOptions): Promise<Encoded[]> {
  const started = performance.now();
  const { out, mask, lmRequests, T } = forwardBatch(bert, encodings, options);
  // Hidden states and the pooled vector only when asked for: what is not read back is not made (pooler) or stays on the backend.
  const tensors = [
    out.hiddenStates,
    out.attentions,
    out.pooled,
    out.lmLogits,
    out.classifierLogits,
    out.valueNorms,
  ];
  const k = options.topK ?? 5;
  try {
    // One read-back per output, all in flight together (each is a GPU→CPU sync).
    const [hidden, attn, pooled, logits, classes, norms] = await Promise.all(
      tensors.map((t) => (t === undefined ? Promise.resolve(null) : (t.data() as Promise<Float32Array>))),
    );
    const { layers, heads, hidden: H, labels, vocabSize } = {
      ...bert.config,
      labels: bert.config.labels.length,
    };
    const B = encodings.length;
    checkFinite(attn!, layers, [logits, classes, hidden, pooled]);
    const ms = performance.now() - started;
    return encodings.map((e, b) => {
      const n = e.ids.length;
      // One sentence not padded to a bucket: its rows are whole blocks of the read-back buffers, so
      // views (subarray) serve instead of copies (~2 ms at 128 tokens: 16 attention maps, 5 hidden states).
      const whole = B === 1 && T === n;
      const hiddenStates =
        hidden === null
          ? null
          : Array.from({ length: layers + 1 }, (_, l) => {
              if (whole) return hidden.subarray(l * T * H, (l + 1) * T * H);
              const rows = new Float32Array(n * H);
              for (let t = 0; t < n; t++) rows.set(hidden.subarray(((l * B + b) * T + t) * H, ((l * B + b) * T + t + 1) * H), t * H);
              return rows;
            });
      const attentions = Array.from({ length: layers }, (_, l) =>
        Array.from({ length: heads }, (_, h) => {
          const base = ((l * B + b) * heads + h) * T * T;
          if (whole) return attn!.subarray(base, base + T * T);
          const m = new Float32Array(n * n);
          for (let q = 0; q < n; q++) m.set(attn!.subarray(base + q * T, base + q * T + n), q * n);
          return m;
        }),
      );
      const lm: LmScores[] = [];
      lmRequests.forEach((r, i) => {
        if (r.batch !== b) return;
        const row = logits!.slice(i * vocabSize, (i + 1) * vocabSize);
        lm.push({ position: r.position, logits: row, predictions: topK(bert.tokenizer, row, k) });
      });
      return {
        ...e,
        mask,
        layers,
        heads,
        hidden: H,
        hiddenStates,
        attentions,
        pooled: pooled === null ? null : pooled.slice(b * H, (b + 1) * H),
        lm,
        classifierLogits: classes === null ? null : classes.slice(b * labels, (b + 1) * labels),
        valueNorms:
          norms === null
            ? null
            : Array.from({ length: layers }, (_, l) =>
                Array.from({ length: heads }, (_, h) => norms.slice(((l * B + b) * heads + h) * T, ((l * B + b) * heads + h) * T + n)),
              ),
        backend: tf.getBackend(),
        ms,
      };
    });
  } finally {
    tf.dispose(Object.values(out));
  }
}

export interface FillMaskResult {
  /** Index of the [MASK] in tokens, counting [CLS]. */
  position: number;
  predictions: Prediction[];
  /** Whether the text was cut to fit the model's positions (the same in every entry: it is the text's). */
  truncated: boolean;
  /** Code units of the text after the last kept piece when it was cut (Encoding.droppedChars). */
  droppedChars: number;
}

/** Says that the [MASK] typed at `at` (code units into the text) lay beyond `positions` and was cut off. */
export function maskCutMessage(at: number, positions: number): string {
  return `the [MASK] at character ${at + 1} lies beyond the model's ${positions} positions; it was cut off — shorten the text before it`;
}

/**
 * Top-k guesses for every [MASK] in the text, best first, with softmax
 * probabilities; none when the text has no [MASK]. Throws (maskCutMessage)
 * when the text's [MASK]s all lie past the model's positions.
 */
export async function fillMask(
  bert: Bert,
  text: string,
  options: { topK?: number; mask?: MaskMode } = {},
): Promise<FillMaskResult[]> {
  if (!bert.model.hasLmHead) {
    throw new Error(`${bert.location} has no language-model head (${bert.config.architecture}); fill-mask needs BertForMaskedLM or BertLMHeadModel`);
  }
  const encoding = bert.tokenizer.encode(text);
  if (!encoding.ids.includes(bert.tokenizer.maskId)) {
    // Nothing to fill: no forward pass. A [MASK] that was typed but cut gets a message that says so.
    const at = cutMask(text, encoding);
    if (at !== null) throw new Error(maskCutMessage(at, bert.tokenizer.maxLength));
    return [];
  }
  const [encoded] = await runBatch(bert, [encoding], { mask: options.mask, lm: 'masked', topK: options.topK });
  const { truncated, droppedChars } = encoded;
  return encoded.lm.map(({ position, predictions }) => ({ position, predictions, truncated, droppedChars }));
}

/** [rows×cols] row-major → nested arrays, for JSON output. */
export function toNested(values: Float32Array, cols: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < values.length; i += cols) rows.push(Array.from(values.subarray(i, i + cols)));
  return rows;
}

/** A text with the position whose masked-LM guess is wanted (training/prompt/ builds these). */
export interface MaskQuery {
  encoding: Encoding;
  /** Index in encoding.ids (counting [CLS]) of the [MASK] to read. */
  position: number;
}

/**
 * log P(token | context) over the whole vocabulary at one [MASK] per text —
 * the masked-LM head read as a classifier (training/prompt/). For a decoder the row
 * before the [MASK] predicts it, from the left context only. Sentences of
 * similar length share a batch (less padding); rows come back in input order.
 */
export async function maskLogProbs(
  bert: Bert,
  queries: MaskQuery[],
  options: { batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Float32Array[]> {
  if (!bert.model.hasLmHead) {
    throw new Error(`${bert.location} has no language-model head (${bert.config.architecture}); a prompt needs BertForMaskedLM or BertLMHeadModel`);
  }
  queries.forEach(({ encoding, position }, i) => {
    if (encoding.ids[position] !== bert.tokenizer.maskId || predictorRow(bert, position) < 0) {
      throw new Error(`text ${i}: position ${position} is not a [MASK] after [CLS]`);
    }
  });
  const batchSize = options.batchSize ?? 16;
  const length = (i: number) => queries[i].encoding.ids.length;
  const order = queries.map((_, i) => i).sort((a, b) => length(b) - length(a) || a - b);
  const rows = new Array<Float32Array>(queries.length);
  const V = bert.config.vocabSize;
  for (let start = 0; start < order.length; start += batchSize) {
    throwIfAborted(options.signal, 'reading the [MASK] guesses');
    const idx = order.slice(start, start + batchSize);
    const logProbs = tf.tidy(() => {
      const out = bert.model.forward({
        ...padBatch(idx.map((i) => queries[i].encoding), bert.tokenizer.padId, sequenceBucket(), bert.config.maxPositions),
        mask: bert.defaultMask,
        lmPositions: idx.map((i, b) => [b, predictorRow(bert, queries[i].position)]),
      });
      return tf.logSoftmax(out.lmLogits as tf.Tensor2D);
    });
    try {
      const values = (await logProbs.data()) as Float32Array;
      idx.forEach((i, r) => (rows[i] = values.slice(r * V, (r + 1) * V)));
    } finally {
      logProbs.dispose();
    }
    options.onProgress?.(Math.min(start + batchSize, order.length), order.length);
  }
  return rows;
}

export interface WarmUpOptions {
  /** Warm the buckets up to this many tokens (default: the tokenizer's limit). */
  maxTokens?: number;
  /** The masks the page runs (default both: the model's own, and causal for the decoder twin). */
  masks?: MaskMode[];
  /** As in EncodeOptions: compile the programs of ‖f_h(x_j)‖ too (default true: the page's views ask for them). */
  valueNorms?: boolean;
  signal?: AbortSignal;
  /** After each bucket: buckets done, buckets in all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Compile, without running, the WebGPU programs that sentences of every
 * bucket up to maxTokens will use (runtime/backend.ts compileOnly), so that
 * the first sentence of each length costs no compile. Meant to run in the
 * background once a model has loaded; stop it (signal) before disposing the
 * model. Smallest buckets first (short sentences are what a class types), one
 * forward pass per bucket and mask. Resolves with the number of programs
 * compiled; at once with 0 where there are no buckets (not on WebGPU).
 */
export async function warmUpBuckets(bert: Bert, options: WarmUpOptions = {}): Promise<number> {
  const bucket = sequenceBucket();
  if (bucket <= 1) return 0;
  const limit = Math.max(1, Math.min(options.maxTokens ?? bert.tokenizer.maxLength, bert.config.maxPositions));
  const lengths: number[] = [];
  for (let T = bucket; T - bucket < limit; T += bucket) lengths.push(Math.min(T, limit));
  const masks = options.masks ?? [...new Set<MaskMode>([bert.defaultMask, 'causal'])];
  const { clsId, sepId, padId, maskId } = bert.tokenizer;
  let compiled = 0;
  for (const [i, T] of lengths.entries()) {
    throwIfAborted(options.signal, 'warming up the WebGPU programs');
    // One token short of the bucket, as most sentences are (padding, so the mask is built); one [MASK] for the LM head.
    const n = Math.max(T - 1, Math.min(T, 3));
    const ids = [clsId, ...Array.from({ length: n - 2 }, (_, j) => (j === 0 ? maskId : padId)), sepId].slice(0, n);
    const sample = { ids, tokenTypeIds: ids.map(() => 0) };
    for (const mask of masks) {
      compiled += await compileOnly(() => {
        const { out } = forwardBatch(bert, [sample], { mask, valueNorms: options.valueNorms ?? true, bucket });
        tf.dispose(Object.values(out));
      });
    }
    options.onProgress?.(i + 1, lengths.length);
  }
  return compiled;
}
