/**
 * The worker's backend: started once (the page passes what it read from the
 * URL and localStorage, which a worker cannot reach), timed on a model of the
 * shipped shape, and watched — when the GPU goes away mid-session (the WebGPU
 * device is lost, or a run fails with a lost device or context) the next
 * backend of the chain takes over, untimed (the page is in use), and every
 * model is loaded again onto it under the same id, from the checkpoint kept
 * while it lived on a GPU. The page hears of it through an event.
 */
import {
  applyTfjsFlags,
  type Bert,
  type BackendChoice,
  type BackendName,
  chainAfter,
  type Checkpoint,
  encode,
  fromCheckpoint,
  initBackend,
  isDeviceLost,
  onGpu,
  randomCheckpoint,
  selfTest,
  watchDeviceLoss,
} from '../engine';
import type { ModelRegistry } from './host';
import type { ModelId } from './protocol';
import { wasmPaths } from './wasmPaths';

export interface Started {
  choice: BackendChoice;
  selfTest: { ok: boolean; values: number[] };
}

export interface StartRequest {
  /** `?backend=` or the setting: this one only. */
  forced: BackendName | null;
  /** The winner of an earlier visit's timing, used without timing when it still starts. */
  remembered?: { name: BackendName; timings: Partial<Record<BackendName, number>> };
  /** A chain to try instead (the console's `initBackend(['cpu'])`). */
  chain?: BackendName[];
  /**
   * wasm threads (`?threads=`): 1, 2…; absent: min(4, ⌈cores / 2⌉) where the
   * page is cross-origin isolated, else 1. Read when the wasm backend first starts.
   */
  threads?: number;
  /** The page's `?tfjsflags=` text (tfjs reads it from the URL, which a worker does not have): applyTfjsFlags. */
  tfjsFlags?: string;
}

/** Sent to the page when another backend took over. */
export interface BackendLostEvent {
  type: 'backend-lost';
  from: BackendName;
  message: string;
  started: Started | null;
  /** Set when no backend could take over. */
  error: string | null;
  /** Models that could not come back (their checkpoint was not kept, or does not fit): released. */
  dropped: ModelId[];
}

/** The shipped models' shape: the trial costs what a keystroke will cost (random weights, same work). */
const TRIAL_SHAPE = { layers: 4, hidden: 256, heads: 4, intermediate: 1024, vocabSize: 8192, maxPositions: 128 };
const TRIAL_SENTENCE = 'The cat sat on the mat because it was tired.';

let trialCheckpoint: Checkpoint | null = null;

async function trial(): Promise<void> {
  // The weights are drawn once (5M seeded numbers); each trial only uploads them to its backend.
  trialCheckpoint ??= randomCheckpoint(TRIAL_SHAPE);
  const bert = fromCheckpoint(trialCheckpoint);
  try {
    await encode(bert, TRIAL_SENTENCE, { valueNorms: true });
  } finally {
    bert.dispose();
  }
}

export class WorkerBackend {
  private current: BackendChoice | null = null;
  private stopWatching: () => void = () => {};
  /** Settles when the first start has (models wait for it before going onto the backend). */
  private first: Promise<unknown> | null = null;
  /** A switch under way after a lost GPU: runs wait for it. */
  private switching: Promise<void> | null = null;
  /** What each model was made from, kept while the weights live on a GPU (on the CPU backends nothing can be lost). */
  private readonly checkpoints = new WeakMap<Bert, Checkpoint>();

  constructor(
    private readonly registry: ModelRegistry<Bert>,
    private readonly send: (event: BackendLostEvent) => void,
  ) {}

  async start(request: StartRequest): Promise<Started> {
    const run = (async () => {
      await this.settled();
      if (request.tfjsFlags !== undefined) {
        // A developer's switch, typed in the URL: a bad entry is said in the console, as tfjs would, and skipped.
        const flags = applyTfjsFlags(request.tfjsFlags);
        flags.refused.forEach((line) => console.warn(line));
        for (const name of Object.keys(flags.pending)) {
          console.warn(`tfjsflags: ${name} is not a flag of the tfjs modules loaded so far; it applies if a backend loaded later registers it`);
        }
      }
      const choice = await initBackend({
        chain: request.chain ?? (request.forced !== null ? [request.forced] : undefined),
        wasmPaths,
        trial: request.chain === undefined ? trial : undefined,
        remembered: request.chain === undefined ? request.remembered : undefined,
        threads: request.threads,
      });
      this.watch(choice);
      return { choice, selfTest: await selfTest() };
    })();
    this.first ??= run.catch(() => undefined);
    return run;
  }

  /** Resolves once a backend is up and no switch is under way (models go onto the backend after this). */
  async settled(): Promise<void> {
    await this.first;
    await this.switching;
  }

  /** Makes a model from a checkpoint on the backend active now, keeping the checkpoint when that is a GPU. */
  modelFrom(checkpoint: Checkpoint): Bert {
    const bert = fromCheckpoint(checkpoint);
    if (onGpu()) this.checkpoints.set(bert, checkpoint);
    return bert;
  }

  /** A run failed: when it is because the GPU went away, the next backend takes over. True when so. */
  noticeRunError(error: unknown): boolean {
    if (!isDeviceLost(error)) return false;
    this.lose(error instanceof Error ? error.message : String(error));
    return true;
  }

  private watch(choice: BackendChoice): void {
    this.stopWatching();
    this.current = choice;
    this.stopWatching = watchDeviceLoss((message) => this.lose(message));
  }

  private lose(message: string): void {
    const from = this.current?.name;
    if (from === undefined || this.switching !== null || chainAfter(from).length === 0) return;
    this.stopWatching();
    this.switching = (async () => {
      const dropped: ModelId[] = [];
      let started: Started | null = null;
      let error: string | null = null;
      try {
        const choice = await initBackend({ chain: chainAfter(from), wasmPaths });
        this.watch(choice);
        started = { choice, selfTest: await selfTest() };
        // The same models again on the new backend; the old ones went with their device.
        for (const [id, bert] of this.registry.entries()) {
          const checkpoint = this.checkpoints.get(bert);
          try {
            if (checkpoint === undefined) throw new Error('not kept');
            this.registry.replace(id, this.modelFrom(checkpoint));
          } catch {
            dropped.push(id); // does not fit on the new backend (memory), or was never kept
            this.registry.release(id);
          }
        }
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
      } finally {
        this.switching = null;
      }
      this.send({ type: 'backend-lost', from, message, started, error, dropped });
    })();
  }
}
