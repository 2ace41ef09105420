/**
 * The engine as the page sees it: the worker's operations (ops.ts), called by
 * name with typed arguments, and models as handles — a model's description
 * and its own tokenizer, built here from the vocabulary the worker sent
 * (tokenizing is plain JavaScript: the chips, the [UNK] notice and the prompt
 * checks need no round trip). The weights never leave the worker.
 *
 * Imports no engine code that touches tfjs (engine/pure): the page's thread
 * never loads it.
 */
import { WordPieceTokenizer } from '../engine/pure';
import type { BertConfig, LoadProgress, MaskMode } from '../engine';
import { type CallOptions, EngineClient, type OpArgs, type OpProgress, type OpResult, type Restart, type WorkerLike } from './client';
import type { EngineOps, ModelInfo, ModelSource } from './ops';
import type { BackendLostEvent } from './backend';
import { ERROR_NAMES, type ModelId, namedError } from './protocol';

export type { ModelSource } from './ops';
export type { BackendLostEvent, Started, StartRequest } from './backend';
export type { Restart } from './client';

/** A model living in the worker. Compared by identity: a model loaded again is a new handle. */
export interface ModelHandle {
  readonly id: ModelId;
  /** Where it was loaded from (a URL, a folder name): shown, and the key results are kept under. */
  readonly location: string;
  readonly config: BertConfig;
  /** The mask this checkpoint was trained with: causal for decoders (GPT-style), else bidirectional. */
  readonly defaultMask: MaskMode;
  /** Bytes of weights read. */
  readonly bytes: number;
  readonly tokenizer: WordPieceTokenizer;
  /** How to load it again into a new worker (after a crash). */
  readonly source: ModelSource;
  /** Which worker holds it (ids start again in a new worker: a stale handle must not name a new model). */
  readonly worker: number;
}

export interface RemoteCallOptions<P> extends Omit<CallOptions<P>, 'models'> {
  /** The models the run uses (nulls skipped): the worker holds them from the call's arrival to its end. */
  models?: readonly (ModelHandle | null)[];
}

/** Whether an error only means "this run was superseded or cancelled" (the page shows nothing). */
export function isCancel(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === ERROR_NAMES.abort || name === ERROR_NAMES.gone;
}

/** Whether a run failed because the GPU went away (another backend takes over; the page runs it again). */
export function isDeviceLost(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === ERROR_NAMES.deviceLost;
}

/** Whether a run failed because the worker stopped (a new one starts; the page runs it again). */
export function isEngineStopped(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === ERROR_NAMES.stopped;
}

export class RemoteEngine {
  private readonly client: EngineClient<EngineOps>;
  /** Counts workers: handles of an earlier one name nothing in this one. */
  private worker = 0;

  constructor(spawn: () => WorkerLike, options: { quietMs?: number; pingMs?: number; maxRestarts?: number } = {}) {
    this.client = new EngineClient<EngineOps>({ spawn, ...options });
    this.client.onRestart(() => this.worker++);
  }

  /** Calls an operation of ops.ts; `models` names the handles it uses. */
  call<K extends keyof EngineOps & string>(
    op: K,
    args: OpArgs<EngineOps[K]>,
    options: RemoteCallOptions<OpProgress<EngineOps[K]>> = {},
  ): Promise<OpResult<EngineOps[K]>> {
    const models = (options.models ?? []).filter((m) => m !== null);
    if (models.some((m) => m.worker !== this.worker)) {
      return Promise.reject(namedError(ERROR_NAMES.gone, `${op}: the model was in an engine that has stopped`));
    }
    return this.client.call(op, args, { ...options, models: models.map((m) => m.id) });
  }

  /** Loads a model into the worker; the handle carries its tokenizer. `notKept`: why a hub download was not cached. */
  async loadModel(
    source: ModelSource,
    options: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void } = {},
  ): Promise<{ model: ModelHandle; notKept: string | null }> {
    const worker = this.worker;
    const loaded = await this.client.call('loadModel', [source], options);
    return { model: handle(loaded, source, worker), notKept: loaded.notKept };
  }

  /** The page is done with `model`: the worker frees it now, or when the last run holding it ends. */
  release(model: ModelHandle | null): void {
    if (model !== null && model.worker === this.worker) this.client.call('release', [model.id]).catch(() => undefined);
  }

  /** News from the worker: another backend took over from a GPU that went away. */
  onBackendLost(listener: (event: BackendLostEvent) => void): () => void {
    return this.client.onEvent((event) => {
      if ((event as { type?: unknown }).type === 'backend-lost') listener(event as BackendLostEvent);
    });
  }

  /** A new worker took over from one that stopped: the backend must start again and the models load again. */
  onRestart(listener: (restart: Restart) => void): () => void {
    return this.client.onRestart(listener);
  }
}

function handle(info: ModelInfo, source: ModelSource, worker: number): ModelHandle {
  return {
    worker,
    id: info.id,
    location: info.location,
    config: info.config,
    defaultMask: info.defaultMask,
    bytes: info.bytes,
    tokenizer: WordPieceTokenizer.fromVocabText(info.vocabText, info.tokenizerOptions),
    source,
  };
}
