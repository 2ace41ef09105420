/**
 * The worker's side of the protocol (protocol.ts): runs the operations the page
 * asks for, each with its own AbortSignal and progress channel, holding the
 * models it names until it ends. Knows nothing of tfjs or BERT — ops.ts brings
 * the engine; tests bring stand-ins.
 *
 * Channels: a call on a channel supersedes the one before it. A call still
 * waiting is dropped (answered with an AbortError, never run); a running one
 * is aborted, and only the newest waiting call runs when it ends. So a burst of
 * keystrokes costs at most the run under way plus the last one.
 */
import { Holds, type Disposable } from './holds';
import { ERROR_NAMES, errorData, type CallMessage, type Endpoint, type ErrorData, type ModelId, namedError, postMoving, type ToWorker } from './protocol';

/** What an operation gets besides its arguments. */
export interface Context<M, P = never> {
  /** Fires when the page cancels the run or a newer call on its channel supersedes it. */
  signal: AbortSignal;
  /** Sends a progress message (any number, before the result). */
  progress(value: P): void;
  /** A model the call named (held for the whole run). */
  model(id: ModelId): M;
}

/** An operation: a context, then plain arguments; resolves to a plain result. */
export type Op<M> = (ctx: Context<M, never>, ...args: never[]) => Promise<unknown>;

/** The models living in the worker, by id, and who holds them. */
export class ModelRegistry<M extends Disposable> {
  private readonly models = new Map<ModelId, M>();
  private readonly holds = new Holds<M>();
  private next = 1;

  add(model: M): ModelId {
    const id = this.next++;
    this.models.set(id, model);
    return id;
  }

  get(id: ModelId): M | undefined {
    return this.models.get(id);
  }

  /** Every model the page still owns, with its id. */
  entries(): [ModelId, M][] {
    return [...this.models.entries()];
  }

  /** Puts `model` under `id` in place of the one there (another backend took over); the old one is let go of. */
  replace(id: ModelId, model: M): void {
    const old = this.models.get(id);
    this.models.set(id, model);
    if (old !== undefined && old !== model) this.holds.letGo(old);
  }

  /** The page is done with `id`: freed now, or when the last run holding it ends. */
  release(id: ModelId): void {
    const model = this.models.get(id);
    if (model === undefined) return;
    this.models.delete(id);
    this.holds.letGo(model);
  }

  /** Holds the models named; null (holding none) when one is unknown or already released. */
  hold(ids: readonly ModelId[]): { models: Map<ModelId, M>; release: () => void } | null {
    const models = new Map<ModelId, M>();
    for (const id of ids) {
      const model = this.models.get(id);
      if (model === undefined) return null;
      models.set(id, model);
    }
    const release = this.holds.holdAll([...models.values()]);
    return release === null ? null : { models, release };
  }
}

interface Run<M> {
  call: CallMessage;
  controller: AbortController;
  /** The models the call named, held from its arrival until it ends. */
  models: Map<ModelId, M>;
  release: () => void;
  /** Superseded by a newer call on its channel: the page has already given up on it. */
  superseded: boolean;
}

export interface ServeOptions {
  /** Turns a thrown error into what the page sees (ops.ts names lost-GPU errors). */
  describeError?: (error: unknown) => ErrorData;
}

/** Answers calls arriving on `endpoint` with `ops`; models come from `registry`. */
export function serve<M extends Disposable>(
  endpoint: Endpoint,
  ops: Record<string, Op<M>>,
  registry: ModelRegistry<M>,
  options: ServeOptions = {},
): void {
  const running = new Map<number, Run<M>>();
  const channels = new Map<string, { running: Run<M> | null; waiting: Run<M> | null }>();
  const describe = options.describeError ?? errorData;

  const fail = (id: number, error: ErrorData) => endpoint.postMessage({ type: 'error', id, error });
  const aborted = (run: Run<M>) => fail(run.call.id, errorData(namedError(ERROR_NAMES.abort, `${run.call.op}: superseded or cancelled`)));

  const finish = (run: Run<M>) => {
    run.release();
    running.delete(run.call.id);
    const channel = run.call.channel === null ? undefined : channels.get(run.call.channel);
    if (channel === undefined || channel.running !== run) return;
    channel.running = null;
    const next = channel.waiting;
    channel.waiting = null;
    if (next !== null) start(next);
  };

  const start = (run: Run<M>) => {
    const { call } = run;
    if (call.channel !== null) channels.get(call.channel)!.running = run;
    running.set(call.id, run);
    const op = ops[call.op];
    const ctx: Context<M, unknown> = {
      signal: run.controller.signal,
      progress: (value) => {
        if (!run.superseded) endpoint.postMessage({ type: 'progress', id: call.id, value });
      },
      model: (id) => {
        const model = run.models.get(id);
        if (model === undefined) throw new Error(`${call.op}: model ${id} was not named in the call`);
        return model;
      },
    };
    Promise.resolve()
      .then(() => {
        if (op === undefined) throw new Error(`the engine has no operation "${call.op}"`);
        return (op as (ctx: Context<M, unknown>, ...args: unknown[]) => Promise<unknown>)(ctx, ...call.args);
      })
      .then(
        (value) => {
          if (run.superseded) aborted(run);
          else postMoving(endpoint, { type: 'result', id: call.id, value }, value);
        },
        (error: unknown) => (run.superseded ? aborted(run) : fail(call.id, describe(error))),
      )
      .finally(() => finish(run));
  };

  const receive = (call: CallMessage) => {
    const hold = registry.hold(call.models);
    if (hold === null) {
      fail(call.id, errorData(namedError(ERROR_NAMES.gone, `${call.op}: the model was replaced before this run could start`)));
      return;
    }
    const run: Run<M> = { call, controller: new AbortController(), models: hold.models, release: hold.release, superseded: false };
    if (call.channel === null) {
      start(run);
      return;
    }
    const channel = channels.get(call.channel) ?? { running: null, waiting: null };
    channels.set(call.channel, channel);
    if (channel.waiting !== null) drop(channel.waiting);
    if (channel.running === null) {
      start(run);
      return;
    }
    channel.waiting = run;
    channel.running.superseded = true;
    channel.running.controller.abort(namedError(ERROR_NAMES.abort, 'superseded'));
  };

  /** A waiting run that will never start: answered, its models let go. */
  const drop = (run: Run<M>) => {
    run.release();
    aborted(run);
  };

  const cancel = (id: number) => {
    const run = running.get(id);
    if (run !== undefined) {
      run.controller.abort(namedError(ERROR_NAMES.abort, 'cancelled'));
      return;
    }
    for (const channel of channels.values()) {
      if (channel.waiting?.call.id === id) {
        drop(channel.waiting);
        channel.waiting = null;
      }
    }
  };

  endpoint.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as ToWorker;
    if (message.type === 'call') receive(message);
    else if (message.type === 'cancel') cancel(message.id);
    else if (message.type === 'ping') endpoint.postMessage({ type: 'pong' });
  });
}
