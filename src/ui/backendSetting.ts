/**
 * The backend choice, per browser: the user's setting ('auto' or a backend)
 * and the winner of the last timed start-up, so that later visits skip the
 * timing. A `?backend=` URL parameter beats both for one page load.
 */
import type { BackendChoice, BackendName } from '../engine';
import { defaultStore, parseJsonObject, readStored, type Store, StoredValueError, writeStored } from './storedValue';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export type BackendSetting = 'auto' | BackendName;

const SETTING_KEY = 'bert-playground:backend';
const MEASURED_KEY = 'bert-playground:backend-measured';

export interface Measured {
  name: BackendName;
  timings: Partial<Record<BackendName, number>>;
  /** The browser it was measured in: a new browser version or GPU driver is timed again. */
  agent: string;
}

const isName = (x: unknown): x is BackendName => BACKEND_NAMES.includes(x as BackendName);

export function readSetting(storage: Store = defaultStore()): BackendSetting {
  const name = (raw: string) => {
    if (!isName(raw)) throw new StoredValueError(`"${raw.slice(0, 40)}" is not one of ${BACKEND_NAMES.join(', ')}`);
    return raw;
  };
  return readStored(SETTING_KEY, name, storage) ?? 'auto';
}

export function writeSetting(setting: BackendSetting, storage: Store = defaultStore()): void {
  writeStored(SETTING_KEY, setting === 'auto' ? null : setting, storage);
}

/** The backend this page load must use, if any: the URL first, then the setting. */
export function forcedBackend(search: string, storage: Store = defaultStore()): BackendName | null {
  const wanted = new URLSearchParams(search).get('backend');
  if (isName(wanted)) return wanted;
  const setting = readSetting(storage);
  return setting === 'auto' ? null : setting;
}

/**
 * `?threads=N` (1–16): wasm threads for this visit; absent or not a whole number
 * in range: the engine's default (src/engine/runtime/backend.ts says why it is 1).
 */
export function wasmThreadsWanted(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('threads');
  if (raw === null || !/^\d{1,2}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 && n <= 16 ? n : undefined;
}

export function readMeasured(agent: string, storage: Store = defaultStore()): Measured | undefined {
  const measured = (raw: string): Measured => {
    const value = parseJsonObject(raw);
    const timings = value.timings;
    // The timings are shown (toFixed): each must be a backend's finite number of ms.
    const timed = typeof timings === 'object' && timings !== null && !Array.isArray(timings) &&
      Object.entries(timings).every(([n, ms]) => isName(n) && typeof ms === 'number' && Number.isFinite(ms));
    if (!isName(value.name) || typeof value.agent !== 'string' || !timed) throw new StoredValueError('not a timed backend choice');
    return { name: value.name, timings: timings as Measured['timings'], agent: value.agent };
  };
  const value = readStored(MEASURED_KEY, measured, storage);
  // Another browser version's record is not damaged, only out of date: timed again, no notice.
  return value !== null && value.agent === agent ? value : undefined;
}

/** Remember a timed winner; other ways of choosing leave the record alone. */
export function rememberChoice(choice: BackendChoice, agent: string, storage: Store = defaultStore()): void {
  if (choice.how !== 'timed') return;
  const value: Measured = { name: choice.name, timings: choice.timings, agent };
  writeStored(MEASURED_KEY, JSON.stringify(value), storage);
}

export function forgetMeasured(storage: Store = defaultStore()): void {
  writeStored(MEASURED_KEY, null, storage);
}
