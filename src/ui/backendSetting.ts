/**
 * The backend choice, per browser: the user's setting ('auto' or a backend)
 * and the winner of the last timed start-up, so that later visits skip the
 * timing. A `?backend=` URL parameter beats both for one page load.
 */
import type { BackendChoice, BackendName } from '../engine';

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

export function readSetting(storage: Storage | undefined = globalThis.localStorage): BackendSetting {
  const value = storage?.getItem(SETTING_KEY);
  return isName(value) ? value : 'auto';
}

export function writeSetting(setting: BackendSetting, storage: Storage | undefined = globalThis.localStorage): void {
  if (setting === 'auto') storage?.removeItem(SETTING_KEY);
  else storage?.setItem(SETTING_KEY, setting);
}

/** The backend this page load must use, if any: the URL first, then the setting. */
export function forcedBackend(search: string, storage: Storage | undefined = globalThis.localStorage): BackendName | null {
  const wanted = new URLSearchParams(search).get('backend');
  if (isName(wanted)) return wanted;
  const setting = readSetting(storage);
  return setting === 'auto' ? null : setting;
}

export function readMeasured(agent: string, storage: Storage | undefined = globalThis.localStorage): Measured | undefined {
  try {
    const value = JSON.parse(storage?.getItem(MEASURED_KEY) ?? 'null') as Partial<Measured> | null;
    if (value === null || !isName(value.name) || value.agent !== agent || typeof value.timings !== 'object') return undefined;
    return { name: value.name, timings: value.timings ?? {}, agent };
  } catch {
    return undefined; // unreadable: time again
  }
}

/** Remember a timed winner; other ways of choosing leave the record alone. */
export function rememberChoice(choice: BackendChoice, agent: string, storage: Storage | undefined = globalThis.localStorage): void {
  if (choice.how !== 'timed') return;
  const value: Measured = { name: choice.name, timings: choice.timings, agent };
  storage?.setItem(MEASURED_KEY, JSON.stringify(value));
}

export function forgetMeasured(storage: Storage | undefined = globalThis.localStorage): void {
  storage?.removeItem(MEASURED_KEY);
}
