import { describe, expect, it } from 'vitest';
import { forcedBackend, forgetMeasured, readMeasured, readSetting, rememberChoice, wasmThreadsWanted, writeSetting } from '../src/ui/backendSetting';
import type { BackendChoice } from '../src/engine/runtime/backend';

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    get length() {
      return map.size;
    },
    clear: () => map.clear(),
    getItem: (k) => map.get(k) ?? null,
    key: (i) => [...map.keys()][i] ?? null,
    removeItem: (k) => void map.delete(k),
    setItem: (k, v) => void map.set(k, String(v)),
  };
}

const timed: BackendChoice = { name: 'wasm', how: 'timed', reason: '', skipped: [], timings: { wasm: 21, webgpu: 1450 } };

describe('the backend setting', () => {
  it('defaults to auto, stores a backend, and forgets it when set back to auto', () => {
    const s = memoryStorage();
    expect(readSetting(s)).toBe('auto');
    writeSetting('webgl', s);
    expect(readSetting(s)).toBe('webgl');
    writeSetting('auto', s);
    expect(readSetting(s)).toBe('auto');
    expect(s.length).toBe(0);
  });

  it('the URL parameter beats the setting; nonsense in either is ignored', () => {
    const s = memoryStorage();
    expect(forcedBackend('', s)).toBeNull();
    writeSetting('cpu', s);
    expect(forcedBackend('', s)).toBe('cpu');
    expect(forcedBackend('?backend=webgpu', s)).toBe('webgpu');
    expect(forcedBackend('?backend=tpu', s)).toBe('cpu');
    s.setItem('bert-playground:backend', 'quantum');
    expect(readSetting(s)).toBe('auto');
  });

  it('?threads= asks for 1–16 wasm threads; anything else leaves the engine its default', () => {
    expect(wasmThreadsWanted('?threads=2')).toBe(2);
    expect(wasmThreadsWanted('?backend=wasm&threads=16')).toBe(16);
    expect(wasmThreadsWanted('')).toBeUndefined();
    for (const bad of ['0', '17', '2.5', '-1', 'two', '', '1e1', '002']) expect(wasmThreadsWanted(`?threads=${bad}`)).toBeUndefined();
  });

  it('remembers only timed winners, per browser, and survives a corrupted record', () => {
    const s = memoryStorage();
    rememberChoice({ ...timed, how: 'forced' }, 'agent A', s);
    expect(readMeasured('agent A', s)).toBeUndefined();
    rememberChoice(timed, 'agent A', s);
    expect(readMeasured('agent A', s)).toEqual({ name: 'wasm', timings: { wasm: 21, webgpu: 1450 }, agent: 'agent A' });
    expect(readMeasured('agent B (a browser update)', s)).toBeUndefined();
    s.setItem('bert-playground:backend-measured', '{not json');
    expect(readMeasured('agent A', s)).toBeUndefined();
    rememberChoice(timed, 'agent A', s);
    forgetMeasured(s);
    expect(readMeasured('agent A', s)).toBeUndefined();
  });
});
