/**
 * The engine, reachable from the browser's devtools console as `bertPlayground`
 * — for curious students, and for the browser tests and benchmarks, which drive
 * it directly.
 *
 * The engine runs in a worker (src/worker), so every call forwards there and
 * returns a promise, with the engine's own names and results:
 *
 *   const bert = await bertPlayground.loadModel('/weights/bert-mini/');   // or loadModel(urlSource(url))
 *   const e = await bertPlayground.encode(bert, 'the cat sat', { lm: 'all' });  // the same Encoded
 *   bert.dispose();                                                      // the worker frees it
 *
 * A model is a handle: its config, its tokenizer (which runs here), and an id
 * naming the weights in the worker. Callbacks in options (trainHead's onEpoch
 * and onProgress, trainPrompt's onProgress, runFewShot's onCell and
 * onProgress) are called as the worker reports; `signal` cancels. Changes from
 * when the engine ran on the page's thread: there is no `tf` — use `memory()`
 * and `backend()` (both async); `wasmLoops()`/`wasmGemm()` are async; runFewShot
 * takes its data as `{kind: 'own', examples, labels, folds}` or `{kind:
 * 'sentiment', name, rows, testSize}` (the worker makes the datasets).
 */
import type { BackendName, ClassifierHead, EncodeOptions, LabelledExample, PromptClassifier, RandomShape, Verbalizer } from '../engine';
import { engine, type ModelHandle, type ModelSource } from './engineClient';
import type { EngineOps, FewShotData, TrainEvent } from '../worker/ops';

/** A model as the console hands it out: a handle that can free itself. */
export type ConsoleModel = ModelHandle & { dispose(): void };

/** An operation's argument `i` (after its context). */
type Arg<K extends keyof EngineOps, I extends number> = NonNullable<Parameters<EngineOps[K]>[I]>;
type Progress<T> = (value: T) => void;

const urlSource = (url: string): ModelSource => ({ kind: 'url', url, page: window.location.href });

async function loadModel(source: string | ModelSource, options: { signal?: AbortSignal } = {}): Promise<ConsoleModel> {
  const { model } = await engine().loadModel(typeof source === 'string' ? urlSource(source) : source, options);
  return { ...model, dispose: () => engine().release(model) };
}

const on = (model: ModelHandle) => ({ models: [model] });

export const consoleApi = {
  urlSource,
  loadModel,
  /** A seeded random BERT of any shape (benchmarks, experiments). */
  randomModel: (shape: RandomShape, seed?: number) => loadModel({ kind: 'random', shape, seed }),
  encode: (model: ModelHandle, text: string, options: EncodeOptions = {}) => engine().call('encode', [model.id, text, options], on(model)),
  encodeBatch: (model: ModelHandle, texts: string[], options: EncodeOptions = {}) => engine().call('encodeBatch', [model.id, texts, options], on(model)),
  fillMask: (model: ModelHandle, text: string, options: Arg<'fillMask', 3> = {}) => engine().call('fillMask', [model.id, text, options], on(model)),
  trainHead: (
    model: ModelHandle,
    examples: LabelledExample[],
    { signal, onEpoch, onProgress, ...options }: Arg<'trainHead', 3> & {
      signal?: AbortSignal;
      onEpoch?: Progress<Extract<TrainEvent, { kind: 'epoch' }>['report']>;
      onProgress?: Progress<Extract<TrainEvent, { kind: 'progress' }>['progress']>;
    },
  ) =>
    engine().call('trainHead', [model.id, examples, options], {
      ...on(model),
      signal,
      onProgress: (e) => (e.kind === 'epoch' ? onEpoch?.(e.report) : onProgress?.(e.progress)),
    }),
  classify: (model: ModelHandle, head: ClassifierHead, text: string) => engine().call('classify', [model.id, head, text], on(model)),
  tokenAttributions: (model: ModelHandle, head: ClassifierHead, text: string) => engine().call('tokenAttributions', [model.id, head, text], on(model)),
  /** Classification by filling a blank (engine/training/prompt/): zero-shot, few-shot, and classify with the [MASK] guesses. */
  zeroShotPrompt: (model: ModelHandle, labels: string[], options: { pattern?: string; verbalizer?: Verbalizer } = {}) =>
    engine().call('zeroShotPrompt', [model.id, labels, options], on(model)),
  trainPrompt: (
    model: ModelHandle,
    examples: LabelledExample[],
    { signal, onProgress, ...options }: Arg<'trainPrompt', 3> & { signal?: AbortSignal; onProgress?: (done: number, total: number) => void },
  ) => engine().call('trainPrompt', [model.id, examples, options], { ...on(model), signal, onProgress: (p) => onProgress?.(p.done, p.total) }),
  classifyPrompt: (model: ModelHandle, classifier: PromptClassifier, texts: string[], options: { topK?: number } = {}) =>
    engine().call('classifyPrompt', [model.id, classifier, texts, options], on(model)),
  /** The "does pre-training help?" learning curves (engine/training/fewshot.ts). */
  runFewShot: (
    data: FewShotData,
    { main, twin = null, signal, onCell, onProgress, ...options }: Arg<'runFewShot', 4> & {
      main: ModelHandle;
      twin?: ModelHandle | null;
      signal?: AbortSignal;
      onCell?: Progress<unknown>;
      onProgress?: Progress<{ done: number; total: number; what: string }>;
    },
  ) =>
    engine().call('runFewShot', [main.id, twin?.id ?? null, data, options], {
      models: [main, twin],
      signal,
      onProgress: (e) => (e.kind === 'cell' ? onCell?.(e.cell) : onProgress?.(e)),
    }),
  /** Start tfjs again on the first backend of `chain` that starts (no timing); without one, as the page does. */
  initBackend: (chain?: BackendName[]) => engine().call('initBackend', [{ forced: null, chain }]),
  /** The active backend's name (was `tf.getBackend()`). */
  backend: () => engine().call('backend', []),
  /** tfjs's tensor and byte counts in the worker (was `tf.memory()`). */
  memory: () => engine().call('memory', []),
  /** On the wasm backend, whether the fused kernels' loops run in WebAssembly SIMD or JavaScript. */
  wasmLoops: () => engine().call('wasmLoops', []),
  /** On the wasm backend, whether matrix products run on the relaxed-SIMD (FMA) kernel rather than tfjs's own. */
  wasmGemm: () => engine().call('wasmGemm', []),
  gemmThreads: () => engine().call('gemmThreads', []),
  /** For the browser tests: the kernels one encode runs, a tfjs flag, whether a backend's code is loaded. */
  profileKernels: (model: ModelHandle, text: string, options: EncodeOptions = {}) => engine().call('profileKernels', [model.id, text, options], on(model)),
  tfFlag: (name: string) => engine().call('tfFlag', [name]),
  /** WebGPU: compile every sequence bucket's programs ahead (returns how many were compiled); how many are compiled so far. */
  warmUpBuckets: (model: ModelHandle, options: Arg<'warmUpBuckets', 2> = {}) => engine().call('warmUpBuckets', [model.id, options], on(model)),
  compiledPrograms: () => engine().call('compiledPrograms', []),
  backendRegistered: (name: BackendName) => engine().call('backendRegistered', [name]),
  /** For the browser tests: destroys the WebGPU device, as a driver reset would. */
  loseDevice: () => engine().call('loseDevice', []),
  /** For the browser tests: makes the worker crash ('throw': an uncaught error) or stop silently ('close'). */
  crashEngine: (how: 'throw' | 'close' = 'throw') => void engine().call('crash', [how]).catch(() => undefined),
};

declare global {
  interface Window {
    bertPlayground: typeof consoleApi;
  }
}

export function exposeConsoleApi(): void {
  window.bertPlayground = consoleApi;
}
