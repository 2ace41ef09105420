/**
 * What the page can ask of the engine's worker: each operation takes the run's
 * context (its AbortSignal, a progress channel, the models it named) and plain
 * arguments, and returns plain values — an encoding's typed arrays cross as
 * moved buffers (host.ts). Models stay here, named by ids (host.ts's registry);
 * the page gets each model's description (ModelInfo) and builds its own
 * tokenizer from the vocabulary, which is plain JavaScript.
 *
 * The operations follow the engine's own names where they can (encode,
 * trainHead, runFewShot…); a few bundle what one page action needs into one
 * message (encodeViews: both models for one sentence; measureZeroShot).
 */
import * as tf from '@tensorflow/tfjs';
import {
  activeLoops,
  type Bert,
  type BertConfig,
  cachedSource,
  type CheckpointSource,
  type ClassifierHead,
  classify,
  classifyLogProbs,
  classifyPrompt,
  checkPromptClassifier,
  crossValidationDatasets,
  encode,
  encodeBatch,
  type EncodeOptions,
  exportSequenceClassification,
  type FewShotCell,
  fillMask,
  type LabelledExample,
  loadCheckpoint,
  type LoadProgress,
  type MaskMode,
  memorySource,
  patternLogProbs,
  pca2d,
  type Pooling,
  type PromptClassifier,
  randomCheckpoint,
  type RandomShape,
  recordingSource,
  runFewShot,
  saveCachedModel,
  sentenceFeatures,
  sentimentDataset,
  stratifiedHoldout,
  tokenAttributions,
  tokenizerOptionsFromConfig,
  trainHead,
  trainPrompt,
  urlSource,
  type Verbalizer,
  warmUpBuckets,
  type WarmUpOptions,
  wasmGemm,
  gemmThreads,
  zeroShotPrompt,
} from '../engine';
import type { Checkpoint } from '../engine';
import { type BackendLostEvent, type StartRequest, WorkerBackend } from './backend';
import { type Context, ModelRegistry } from './host';
import { ERROR_NAMES, errorData, type ErrorData, type ModelId } from './protocol';

type Ctx<P = never> = Context<Bert, P>;

/** A model as the page knows it: everything but the weights. */
export interface ModelInfo {
  id: ModelId;
  location: string;
  config: BertConfig;
  defaultMask: MaskMode;
  bytes: number;
  /** The vocabulary and the options the worker's tokenizer was built with: the page builds the same one. */
  vocabText: string;
  tokenizerOptions: ReturnType<typeof tokenizerOptionsFromConfig>;
}

/** Where a model comes from. URLs are resolved against `page` (the worker's own URL is elsewhere). */
export type ModelSource =
  | { kind: 'url'; url: string; page: string }
  /** A hub download, kept in Cache Storage once loaded (`keep`). */
  | { kind: 'hub'; id: string; base: string; keep: boolean }
  | { kind: 'cached'; id: string }
  /** Files the page was given (dropped, chosen); the page keeps them to load again after a restart. */
  | { kind: 'files'; files: File[]; label: string }
  | { kind: 'random'; shape: RandomShape; seed?: number };

export type TrainEvent =
  | { kind: 'progress'; progress: Parameters<NonNullable<Parameters<typeof trainHead>[2]['onProgress']>>[0] }
  | { kind: 'epoch'; report: Parameters<NonNullable<Parameters<typeof trainHead>[2]['onEpoch']>>[0] };
export type FewShotEvent = { kind: 'progress'; done: number; total: number; what: string } | { kind: 'cell'; cell: FewShotCell };
/** The few-shot experiment's data: the class's examples in folds, or a shipped review set. */
export type FewShotData =
  | { kind: 'own'; examples: LabelledExample[]; labels: string[]; folds: number }
  | { kind: 'sentiment'; name: string; rows: { text: string; class: number }[]; testSize: number };

type HeadOptions = Omit<Parameters<typeof trainHead>[2], 'signal' | 'onEpoch' | 'onProgress'>;
type PromptTrainOptions = Omit<Parameters<typeof trainPrompt>[2], 'signal' | 'onProgress'>;
type FewShotOptions = Omit<Parameters<typeof runFewShot>[1], 'main' | 'twin' | 'signal' | 'onProgress' | 'onCell'>;

export const registry = new ModelRegistry<Bert>();
const events = new Set<(event: BackendLostEvent) => void>();
export const backend = new WorkerBackend(registry, (event) => events.forEach((send) => send(event)));

/** Listens for the worker's unasked news (engine.worker.ts posts it to the page). */
export function onBackendEvent(send: (event: BackendLostEvent) => void): void {
  events.add(send);
}

/** A run that failed because the GPU went away is named so (and the next backend takes over). */
export function describeError(error: unknown): ErrorData {
  if (backend.noticeRunError(error)) return { name: ERROR_NAMES.deviceLost, message: errorData(error).message };
  return errorData(error);
}

function info(id: ModelId, bert: Bert, checkpoint: Checkpoint): ModelInfo {
  const { config } = checkpoint;
  return {
    id,
    location: bert.location,
    config,
    defaultMask: bert.defaultMask,
    bytes: bert.bytes,
    vocabText: checkpoint.vocabText,
    // As fromCheckpoint builds the worker's own tokenizer.
    tokenizerOptions:
      checkpoint.tokenizerConfig === null ? { maxLength: config.maxPositions } : tokenizerOptionsFromConfig(checkpoint.tokenizerConfig, config.maxPositions),
  };
}

async function source(spec: ModelSource): Promise<{ source: CheckpointSource; afterLoad?: () => Promise<string | null> }> {
  switch (spec.kind) {
    case 'url': {
      const fetchFromPage: typeof fetch = (input, init) => fetch(new URL(String(input), spec.page), init);
      return { source: urlSource(spec.url, fetchFromPage) };
    }
    case 'cached':
      return { source: cachedSource(spec.id) };
    case 'files': {
      const files = new Map<string, ArrayBuffer>();
      for (const file of spec.files) files.set(file.name, await file.arrayBuffer());
      return { source: memorySource(files, spec.label) };
    }
    case 'hub': {
      const recorder = recordingSource(urlSource(spec.base));
      // Kept once loaded: a failed load stores nothing. The answer is the reason it was not kept, if so.
      const afterLoad = async () => {
        if (!spec.keep) return null;
        try {
          await saveCachedModel(spec.id, spec.base, recorder.files);
          return null;
        } catch (error) {
          return errorData(error).message;
        }
      };
      return { source: recorder.source, afterLoad };
    }
    case 'random':
      throw new Error('a random model has no files');
  }
}

async function adopt(checkpoint: Checkpoint): Promise<ModelInfo> {
  await backend.settled(); // the download may finish before the backend is up
  const bert = backend.modelFrom(checkpoint);
  return info(registry.add(bert), bert, checkpoint);
}

export const ops = {
  // The backend.
  initBackend: (_ctx: Ctx, request: StartRequest) => backend.start(request),
  backend: async (_ctx: Ctx) => tf.getBackend(),
  memory: async (_ctx: Ctx) => {
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    return { numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers, numBytesInGPU: m.numBytesInGPU ?? null };
  },
  /** On the wasm backend, whether the fused kernels' loops run in WebAssembly SIMD or JavaScript. */
  wasmLoops: async (_ctx: Ctx) => activeLoops(),
  /** On the wasm backend, whether matrix products run on the relaxed-SIMD (FMA) kernel rather than tfjs's own. */
  wasmGemm: async (_ctx: Ctx) => wasmGemm(),
  /** Threads products use now on wasm and the parts the helper threads ran (docs/performance.md#wasm-threads). */
  gemmThreads: async (_ctx: Ctx) => gemmThreads(),

  // Models.
  async loadModel(ctx: Ctx<LoadProgress>, spec: ModelSource): Promise<ModelInfo & { notKept: string | null }> {
    if (spec.kind === 'random') return { ...(await adopt(randomCheckpoint(spec.shape, spec.seed))), notKept: null };
    const { source: from, afterLoad } = await source(spec);
    const checkpoint = await loadCheckpoint(from, { signal: ctx.signal, onProgress: (p) => ctx.progress(p) });
    const loaded = await adopt(checkpoint);
    return { ...loaded, notKept: (await afterLoad?.()) ?? null };
  },
  release: async (_ctx: Ctx, id: ModelId) => registry.release(id),

  // Reading a sentence.
  encode: (ctx: Ctx, model: ModelId, text: string, options: EncodeOptions = {}) => encode(ctx.model(model), text, options),
  encodeBatch: (ctx: Ctx, model: ModelId, texts: string[], options: EncodeOptions = {}) => encodeBatch(ctx.model(model), texts, options),
  fillMask: (ctx: Ctx, model: ModelId, text: string, options: Parameters<typeof fillMask>[2] = {}) => fillMask(ctx.model(model), text, options),
  /**
   * The page's views of one sentence: the main model, and — when a view shows it — its causal twin,
   * or (no twin) the main model again under the causal mask, attention only.
   */
  async encodeViews(ctx: Ctx, main: ModelId, twin: ModelId | null, sentence: string, options: { positions: number[]; withTwin: boolean; valueNorms: boolean }) {
    const base = { maskPositions: options.positions, valueNorms: options.valueNorms, lm: 'masked' as const };
    const bert = await encode(ctx.model(main), sentence, base);
    if (!options.withTwin || ctx.signal.aborted) return { bert, twin: null };
    const other =
      twin !== null ? await encode(ctx.model(twin), sentence, base) : await encode(ctx.model(main), sentence, { ...base, mask: 'causal', lm: 'none' });
    return { bert, twin: other };
  },

  // A head on frozen features.
  async trainHead(ctx: Ctx<TrainEvent>, model: ModelId, examples: LabelledExample[], options: HeadOptions) {
    const result = await trainHead(ctx.model(model), examples, {
      ...options,
      signal: ctx.signal,
      onProgress: (progress) => ctx.progress({ kind: 'progress', progress }),
      onEpoch: (report) => ctx.progress({ kind: 'epoch', report }),
    });
    // The same split trainHead made (same seed, same rule as the prompt's): how many were held out.
    const targets = examples.map((e) => options.labels.indexOf(e.label));
    const seed = options.seed ?? 0;
    const heldOut = stratifiedHoldout(targets, options.labels.length, options.validationFraction ?? 0.2, seed).validation.length;
    return { ...result, heldOut };
  },
  classify: (ctx: Ctx, model: ModelId, head: ClassifierHead, text: string) => classify(ctx.model(model), head, text),
  tokenAttributions: (ctx: Ctx, model: ModelId, head: ClassifierHead, text: string) => tokenAttributions(ctx.model(model), head, text),
  async classifyWithAttributions(ctx: Ctx, model: ModelId, head: ClassifierHead, text: string) {
    const bert = ctx.model(model);
    const [classification, attributions] = await Promise.all([classify(bert, head, text), tokenAttributions(bert, head, text)]);
    return { classification, attributions };
  },
  /** PCA of the examples' sentence vectors: before training, and after (with the head's retrained layers, if any). */
  async projections(ctx: Ctx, model: ModelId, texts: string[], pooling: Pooling, head: ClassifierHead | null) {
    const bert = ctx.model(model);
    const before = pca2d(await sentenceFeatures(bert, texts, pooling, { signal: ctx.signal }));
    const after = head?.unfrozen !== undefined ? pca2d(await sentenceFeatures(bert, texts, pooling, { head, signal: ctx.signal })) : null;
    return { before, after };
  },
  exportHead: async (ctx: Ctx, model: ModelId, head: ClassifierHead) => exportSequenceClassification(ctx.model(model), head),

  // A prompt read by the masked-LM head.
  zeroShotPrompt: (ctx: Ctx, model: ModelId, labels: string[], options: { pattern?: string; verbalizer?: Verbalizer } = {}) =>
    zeroShotPrompt(ctx.model(model), labels, { ...options, signal: ctx.signal }),
  trainPrompt: (ctx: Ctx<{ done: number; total: number }>, model: ModelId, examples: LabelledExample[], options: PromptTrainOptions) =>
    trainPrompt(ctx.model(model), examples, { ...options, signal: ctx.signal, onProgress: (done, total) => ctx.progress({ done, total }) }),
  classifyPrompt: (ctx: Ctx, model: ModelId, classifier: PromptClassifier, texts: string[], options: { topK?: number } = {}) =>
    classifyPrompt(ctx.model(model), classifier, texts, { ...options, signal: ctx.signal }),
  /** Whether a stored classifier still reads this model's vocabulary (its words, its pattern). */
  async checkPrompt(ctx: Ctx, model: ModelId, classifier: PromptClassifier) {
    try {
      checkPromptClassifier(ctx.model(model), classifier);
      return null;
    } catch (error) {
      return errorData(error).message;
    }
  },
  /** Zero-shot accuracy of the default (or given) words on the examples: held out, and all of them. */
  async measureZeroShot(
    ctx: Ctx,
    model: ModelId,
    input: { labels: string[]; examples: LabelledExample[]; pattern: string; verbalizer: Verbalizer | null; heldOut: number; seed: number },
  ) {
    const bert = ctx.model(model);
    const { labels, examples, pattern } = input;
    const classifier = await zeroShotPrompt(bert, labels, { pattern, verbalizer: input.verbalizer ?? undefined, signal: ctx.signal });
    const rows = await patternLogProbs(bert, pattern, examples.map((e) => e.text), { signal: ctx.signal });
    const predicted = classifyLogProbs(bert, classifier, rows).map((c) => c.label);
    const targets = examples.map((e) => labels.indexOf(e.label));
    const { validation } = stratifiedHoldout(targets, labels.length, input.heldOut, input.seed);
    const right = (idx: number[]) => idx.filter((i) => predicted[i] === examples[i].label).length;
    return {
      heldOutAccuracy: validation.length === 0 ? null : right(validation) / validation.length,
      heldOut: validation.length,
      allAccuracy: right(examples.map((_, i) => i)) / examples.length,
      all: examples.length,
      classifier,
    };
  },

  /** The "does pre-training help?" learning curves; every finished cell comes back as progress. */
  async runFewShot(ctx: Ctx<FewShotEvent>, main: ModelId, twin: ModelId | null, data: FewShotData, options: FewShotOptions) {
    const datasets =
      data.kind === 'own' ? crossValidationDatasets(data.examples, data.labels, data.folds, 0) : [sentimentDataset(data.name, data.rows, data.testSize)];
    return runFewShot(datasets, {
      ...options,
      main: ctx.model(main),
      twin: twin === null ? null : ctx.model(twin),
      signal: ctx.signal,
      onProgress: (p) => ctx.progress({ kind: 'progress', ...p }),
      onCell: (cell) => ctx.progress({ kind: 'cell', cell }),
    });
  },

  // For the browser tests and the curious: what the page's own thread can no longer see.
  /** The kernels one encode runs (tf.profile). */
  async profileKernels(ctx: Ctx, model: ModelId, text: string, options: EncodeOptions = {}) {
    const profile = await tf.profile(async () => {
      await encode(ctx.model(model), text, options);
    });
    return profile.kernels.map((k) => k.name);
  },
  tfFlag: async (_ctx: Ctx, name: string) => tf.env().get(name),
  /** WebGPU: compiles the programs of every sequence bucket ahead, without running them (engine/kernels/buckets.ts). */
  warmUpBuckets: (ctx: Ctx, model: ModelId, options: Omit<WarmUpOptions, 'signal'> = {}) => warmUpBuckets(ctx.model(model), { ...options, signal: ctx.signal }),
  /** WebGPU: how many shader programs tfjs has compiled so far (its pipeline cache); null on other backends. */
  async compiledPrograms(_ctx: Ctx) {
    const cache = (tf.backend() as unknown as { pipelineCache?: object }).pipelineCache;
    return cache === undefined ? null : Object.keys(cache).length;
  },
  backendRegistered: async (_ctx: Ctx, name: string) => tf.findBackendFactory(name) !== null,
  /** Destroys the WebGPU device under the backend, as a driver reset would. */
  async loseDevice(_ctx: Ctx) {
    const device = (tf.backend() as unknown as { device?: { destroy(): void } }).device;
    if (device === undefined) throw new Error(`the ${tf.getBackend()} backend has no GPU device to lose`);
    device.destroy();
  },
  /** Same-origin files this worker fetched (the page asks its service worker to keep them for offline use). */
  resources: async (_ctx: Ctx) => [String(globalThis.location), ...performance.getEntriesByType('resource').map((e) => e.name)],
  /**
   * Makes the worker fail as a crash would, for the tests of the page's restart: an uncaught error
   * (the page sees the worker's 'error' event) or a silent stop (`self.close()`: only the watchdog notices).
   */
  async crash(_ctx: Ctx, how: 'throw' | 'close') {
    if (how === 'close') (globalThis as unknown as { close(): void }).close();
    else
      setTimeout(() => {
        throw new Error('the engine was asked to crash');
      });
  },
};

export type EngineOps = typeof ops;
