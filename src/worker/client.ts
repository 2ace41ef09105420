/**
 * The page's side of the protocol (protocol.ts): typed calls into the engine's
 * worker, each a promise; progress to a callback; a newer call on a channel
 * supersedes the one before (its promise rejects at once with an AbortError,
 * which the page ignores); events the worker sends unasked; and a new worker
 * when the old one stops — crashed (its 'error' event) or silent (a call
 * waiting, nothing heard, and no answer to a ping). Knows nothing of the
 * engine: `Ops` is only a type.
 */
import type { Context } from './host';
import { ERROR_NAMES, type Endpoint, type FromWorker, type ModelId, namedError } from './protocol';

/** A Worker, or a stand-in for tests. */
export interface WorkerLike extends Endpoint {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  terminate(): void;
}

/** Any operation (ops.ts's are checked against this). */
type AnyOp = (ctx: never, ...args: never[]) => Promise<unknown>;
export type OpArgs<F> = F extends (ctx: never, ...args: infer A) => Promise<unknown> ? A : never;
export type OpResult<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;
export type OpProgress<F> = F extends (ctx: Context<infer _M, infer P>, ...args: never[]) => Promise<unknown> ? P : never;

export interface CallOptions<P> {
  /** Models the run uses (held by the worker from the call's arrival to its end). */
  models?: readonly ModelId[];
  /** A newer call on the same channel supersedes this one. */
  channel?: string;
  /** Cancels the run in the worker; the operation decides what it answers (a stopped training keeps its head). */
  signal?: AbortSignal;
  onProgress?: (value: P) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (value: unknown) => void;
  channel: string | null;
}

export interface Restart {
  /** What stopped the old worker, in its own words. */
  reason: string;
  /** Too many stops in a row: no new worker was started. */
  gaveUp: boolean;
}

export interface ClientOptions {
  spawn: () => WorkerLike;
  /** A call waiting this long with nothing heard from the worker sends a ping (ms). */
  quietMs?: number;
  /** …and a ping unanswered this long means the worker is gone (ms). */
  pingMs?: number;
  /** Stops allowed within a minute before giving up (a worker that fails at start would loop). */
  maxRestarts?: number;
}

export class EngineClient<Ops extends Record<string, AnyOp>> {
  private worker: WorkerLike;
  private readonly pending = new Map<number, Pending>();
  private readonly channels = new Map<string, number>();
  private readonly eventListeners = new Set<(event: unknown) => void>();
  private readonly restartListeners = new Set<(restart: Restart) => void>();
  private nextId = 1;
  private lastHeard = Date.now();
  private pingSentAt: number | null = null;
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  private readonly stops: number[] = [];
  private stopped = false;

  constructor(private readonly options: ClientOptions) {
    this.worker = this.start();
  }

  /** Calls `op` in the worker with `args`. */
  call<K extends keyof Ops & string>(op: K, args: OpArgs<Ops[K]>, options: CallOptions<OpProgress<Ops[K]>> = {}): Promise<OpResult<Ops[K]>> {
    if (this.stopped) return Promise.reject(namedError(ERROR_NAMES.stopped, 'the engine stopped too often and was not restarted'));
    const id = this.nextId++;
    const channel = options.channel ?? null;
    if (channel !== null) {
      const previous = this.channels.get(channel);
      // The worker drops or aborts it on seeing this call; the page stops waiting for it now.
      if (previous !== undefined) this.settle(previous)?.reject(namedError(ERROR_NAMES.abort, `superseded by a newer call on "${channel}"`));
      this.channels.set(channel, id);
    }
    const promise = new Promise<OpResult<Ops[K]>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: options.onProgress as ((v: unknown) => void) | undefined, channel });
    });
    const { signal } = options;
    if (signal !== undefined) {
      const cancel = () => this.pending.has(id) && this.worker.postMessage({ type: 'cancel', id });
      if (signal.aborted) queueMicrotask(cancel);
      else signal.addEventListener('abort', cancel, { once: true });
    }
    this.worker.postMessage({ type: 'call', id, op, args, models: [...(options.models ?? [])], channel });
    this.arm();
    return promise;
  }

  /** Unasked news from the worker (ops.ts's events). Returns the unsubscribe. */
  onEvent(listener: (event: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** A new worker took over from one that stopped (its models and backend are gone: load them again). */
  onRestart(listener: (restart: Restart) => void): () => void {
    this.restartListeners.add(listener);
    return () => this.restartListeners.delete(listener);
  }

  /** Posts without waiting for an answer (a test asking the worker to crash, a model let go of). */
  post(message: unknown): void {
    this.worker.postMessage(message);
  }

  /** Ends the worker for good (tests). */
  dispose(): void {
    this.stopped = true;
    this.disarm();
    this.worker.terminate();
    this.failAll('the engine was shut down');
  }

  private start(): WorkerLike {
    const worker = this.options.spawn();
    worker.addEventListener('message', (event: MessageEvent) => {
      if (worker === this.worker) this.receive(event.data as FromWorker);
    });
    const crash = (what: string) => (event: Event) => {
      if (worker !== this.worker) return;
      const message = (event as ErrorEvent).message;
      this.restart(typeof message === 'string' && message !== '' ? message : what);
    };
    worker.addEventListener('error', crash('an error in the worker'));
    worker.addEventListener('messageerror', crash('a message that could not be read'));
    this.lastHeard = Date.now();
    return worker;
  }

  private receive(message: FromWorker): void {
    this.lastHeard = Date.now();
    this.pingSentAt = null;
    if (message.type === 'pong') return;
    if (message.type === 'event') {
      this.eventListeners.forEach((l) => l(message.event));
      return;
    }
    if (message.type === 'progress') {
      this.pending.get(message.id)?.onProgress?.(message.value);
      return;
    }
    const pending = this.settle(message.id);
    if (pending === undefined) return; // superseded: the page stopped waiting for it
    if (message.type === 'result') pending.resolve(message.value);
    else pending.reject(namedError(message.error.name, message.error.message));
  }

  /** Forgets call `id`, returning its callbacks (undefined when it was already settled). */
  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending === undefined) return undefined;
    this.pending.delete(id);
    if (pending.channel !== null && this.channels.get(pending.channel) === id) this.channels.delete(pending.channel);
    if (this.pending.size === 0) this.disarm();
    return pending;
  }

  private failAll(message: string): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(namedError(ERROR_NAMES.stopped, message));
  }

  /** The old worker is gone: every waiting call fails, and a new worker starts (unless it keeps stopping). */
  private restart(reason: string): void {
    this.disarm();
    this.worker.terminate();
    this.failAll(`the engine stopped (${reason})`);
    const now = Date.now();
    this.stops.push(now);
    while (this.stops.length > 0 && now - this.stops[0] > 60_000) this.stops.shift();
    const gaveUp = this.stops.length > (this.options.maxRestarts ?? 3);
    if (gaveUp) this.stopped = true;
    else this.worker = this.start();
    this.restartListeners.forEach((l) => l({ reason, gaveUp }));
  }

  // The watchdog runs only while a call waits: an idle worker has nothing to answer.
  private arm(): void {
    if (this.watchdog !== null || this.pending.size === 0) return;
    const quiet = this.options.quietMs ?? 10_000;
    const ping = this.options.pingMs ?? 20_000;
    const check = () => {
      this.watchdog = null;
      if (this.pending.size === 0) return;
      const now = Date.now();
      if (this.pingSentAt !== null && now - this.pingSentAt >= ping) {
        this.restart(`it stopped answering for ${Math.round((now - this.lastHeard) / 1000)} s`);
        return;
      }
      if (this.pingSentAt === null && now - this.lastHeard >= quiet) {
        this.pingSentAt = now;
        this.worker.postMessage({ type: 'ping' });
      }
      this.watchdog = setTimeout(check, Math.min(quiet, ping) / 4);
    };
    this.watchdog = setTimeout(check, Math.min(quiet, ping) / 4);
  }

  private disarm(): void {
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.pingSentAt = null;
  }
}
