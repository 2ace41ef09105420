/**
 * Cancellation, one way everywhere: long work takes an AbortSignal and, when
 * it fires, throws an Error named 'AbortError' (as fetch does), which callers
 * tell apart from a real failure with `isAbortError`.
 */

/** An Error named 'AbortError' whose message says what stopped. */
export function abortError(what: string): Error {
  const error = new Error(`${what} was cancelled`);
  error.name = 'AbortError';
  return error;
}

/** Throws abortError(what) when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted === true) throw abortError(what);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
