/**
 * The messages between the page (client.ts) and the engine's worker (host.ts).
 * Plain data only: a request names an operation of ops.ts and its arguments;
 * the worker answers with progress, then one result or one error. Nothing here
 * imports the engine, so both sides (and Node tests) can use it.
 *
 *   page → worker   { type: 'call', id, op, args, models, channel }
 *                   { type: 'cancel', id }          stop a run (its AbortSignal fires)
 *                   { type: 'ping' }                the watchdog asks: are you there?
 *   worker → page   { type: 'progress', id, value } any number, before the end
 *                   { type: 'result', id, value }   typed arrays' buffers transferred
 *                   { type: 'error', id, error }    name and message of what was thrown
 *                   { type: 'event', event }        unasked news (the GPU went away)
 *                   { type: 'pong' }
 */

/** A model living in the worker, named by a number the worker gave it. */
export type ModelId = number;

export interface CallMessage {
  type: 'call';
  id: number;
  op: string;
  args: unknown[];
  /** Models the run uses: held from the moment the worker receives the call until the run ends. */
  models: ModelId[];
  /** A newer call on the same channel supersedes this one (only the newest waiting call runs). */
  channel: string | null;
}

export type ToWorker = CallMessage | { type: 'cancel'; id: number } | { type: 'ping' };

export interface ErrorData {
  name: string;
  message: string;
}

export type FromWorker =
  | { type: 'progress'; id: number; value: unknown }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: ErrorData }
  | { type: 'event'; event: unknown }
  | { type: 'pong' };

/** What both ends talk through: a Worker, the worker's global scope, or a MessagePort in tests. */
export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** Error names the page tells apart (an Error's name survives the trip; its class does not). */
export const ERROR_NAMES = {
  /** Cancelled, or superseded by a newer call on its channel: the page ignores it. */
  abort: 'AbortError',
  /** The model was let go of (replaced) before the run could start: it ends as a cancelled one. */
  gone: 'ModelGoneError',
  /** The GPU went away under the run; the worker moves to the next backend and says so (an event). */
  deviceLost: 'DeviceLostError',
  /** The worker stopped (crashed, or stopped answering); the client starts a new one. */
  stopped: 'EngineStoppedError',
} as const;

export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export function errorData(error: unknown): ErrorData {
  if (error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)) {
    const e = error as { name?: unknown; message?: unknown };
    return { name: typeof e.name === 'string' ? e.name : 'Error', message: String(e.message) };
  }
  return { name: 'Error', message: String(error) };
}

/**
 * The buffers under every typed array in `value` (each once), to transfer
 * rather than copy: an encoding's attention maps are views of a few buffers.
 * Walks plain objects, arrays and Maps; a SharedArrayBuffer is shared, not moved.
 */
export function transferables(value: unknown): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer) buffers.add(v.buffer);
      return;
    }
    if (v instanceof ArrayBuffer) {
      buffers.add(v);
      return;
    }
    if (v instanceof Map) {
      v.forEach((x) => walk(x));
      return;
    }
    if (Array.isArray(v)) {
      // An array of numbers or strings holds no buffer: skip long ones quickly.
      if (v.length > 0 && typeof v[0] !== 'object') return;
      v.forEach(walk);
      return;
    }
    if (Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(walk);
  };
  walk(value);
  return [...buffers];
}

/**
 * Posts `message`, moving the buffers of its typed arrays when it can. A buffer
 * that cannot be moved (WebAssembly memory, a detached one) makes the browser
 * refuse the whole list: the message then goes as a copy.
 */
export function postMoving(endpoint: Endpoint, message: unknown, value: unknown): void {
  const transfer = transferables(value);
  if (transfer.length > 0) {
    try {
      endpoint.postMessage(message, transfer);
      return;
    } catch {
      // fall through: copy
    }
  }
  endpoint.postMessage(message);
}
