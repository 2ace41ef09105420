/**
 * Reading back what the page keeps in localStorage — the backend setting, the
 * language, the examples, the trained head and prompt, the experiment — when
 * the stored text may be anything: an older version's format, another site's
 * value under our key, a hand edit, half a write. One rule for every key: a
 * value that does not read back is never thrown at the page; the page takes
 * its default, the bad text is kept aside under `<key>:corrupt` (so nothing
 * the user had is lost, and the default is not overwritten by it at the next
 * load), and a notice says so (`useStorageProblems`).
 */
import { useSyncExternalStore } from 'react';

export type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined;

/** localStorage, or undefined where touching it throws (some private modes, sandboxed frames). */
export function defaultStore(): Store {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

/** Where a value that did not read back is kept. */
export const asideKey = (key: string) => `${key}:corrupt`;

/** A stored value the page could not use, as the notice shows it. */
export interface StorageProblem {
  key: string;
  /** Why it was not used, in English (a parser's message). */
  why: string;
  /** Where the bad text was kept; null when the storage refused that write too. */
  keptAs: string | null;
}

/**
 * Thrown by a `parse` function for a value it refuses as a whole; its message
 * becomes the notice's reason. Any other error a parser throws (JSON.parse's,
 * an engine reader's) is treated the same way.
 */
export class StoredValueError extends Error {}

/**
 * The value under `key` as `parse` reads it; null when there is none (or the
 * storage is blocked). `parse` gets the raw text and returns the value, or
 * throws to refuse it whole: the page then gets null (its default), the text
 * is kept aside and the problem is reported. A parser that keeps part of a
 * value (one field fell back to its default) calls `partly(why)`: the value is
 * used, and the original text is kept aside and reported all the same.
 */
export function readStored<T>(key: string, parse: (raw: string, partly: (why: string) => void) => T, store: Store = defaultStore()): T | null {
  let raw: string | null;
  try {
    raw = store?.getItem(key) ?? null;
  } catch {
    return null; // blocked: nothing to read, nothing to keep aside
  }
  if (raw === null) return null;
  let partial: string | null = null;
  try {
    const value = parse(raw, (why) => (partial ??= why));
    if (partial !== null) keepAside(key, raw, partial, store, false);
    return value;
  } catch (error) {
    keepAside(key, raw, error instanceof Error ? error.message : String(error), store, true);
    return null;
  }
}

/** JSON.parse with a message that says what the text was not. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new StoredValueError('not JSON');
  }
}

/** A JSON object (not an array, not null), or a StoredValueError. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  const value = parseJson(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StoredValueError('not a JSON object');
  return value as Record<string, unknown>;
}

/** Writes (or, for null, removes) a value; a full or blocked storage keeps it for this visit only. */
export function writeStored(key: string, text: string | null, store: Store = defaultStore()): boolean {
  try {
    if (text === null) store?.removeItem(key);
    else store?.setItem(key, text);
    return true;
  } catch {
    return false;
  }
}

function keepAside(key: string, raw: string, why: string, store: Store, remove: boolean): void {
  // An earlier bad value kept aside under the same key is not overwritten: this one gets a dated key.
  let target = asideKey(key);
  try {
    const earlier = store?.getItem(target) ?? null;
    // A value kept as it was (one field fell back) and already set aside at an earlier visit: told then.
    if (!remove && earlier === raw) return;
    if (earlier !== null && earlier !== raw) target = `${target}-${Date.now()}`;
  } catch {
    // unreadable: the write below fails the same way
  }
  const keptAs = writeStored(target, raw, store) ? target : null;
  // Removed only once it is safe elsewhere: a full storage keeps the original in place.
  if (remove && keptAs !== null) writeStored(key, null, store);
  report({ key, why, keptAs });
}

// The problems met so far on this page, for the notice. Reads happen while
// components render (state initialisers): listeners hear of a new problem in
// a microtask, not during another component's render.
let problems: readonly StorageProblem[] = [];
const listeners = new Set<() => void>();

function report(problem: StorageProblem): void {
  if (problems.some((p) => p.key === problem.key)) return;
  problems = [...problems, problem];
  queueMicrotask(() => listeners.forEach((l) => l()));
}

/** Every stored value that could not be used on this page so far. */
export function storageProblems(): readonly StorageProblem[] {
  return problems;
}

/** Forgets the problems shown (the notice's close button). */
export function clearStorageProblems(): void {
  problems = [];
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useStorageProblems(): readonly StorageProblem[] {
  return useSyncExternalStore(subscribe, storageProblems, storageProblems);
}
