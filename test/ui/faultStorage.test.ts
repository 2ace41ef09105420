import { afterEach, describe, expect, it } from 'vitest';
import { readMeasured, readSetting } from '../../src/ui/backendSetting';
import { loadStoredExamples, STARTER_EXAMPLES } from '../../src/ui/examples';
import { DEFAULT_PANEL, KEYS, loadExperimentResults, loadPanelSettings } from '../../src/ui/finetune/storage';
import { asideKey, clearStorageProblems, readStored, storageProblems, StoredValueError } from '../../src/ui/storedValue';

/** localStorage in memory; `full` makes every write throw as a full storage does. */
function memoryStore(initial: Record<string, string> = {}, full = false) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => {
      if (full) throw new DOMException('quota', 'QuotaExceededError');
      data.set(k, v);
    },
    removeItem: (k: string) => void data.delete(k),
  };
}

const EXAMPLES = 'bert-playground.examples.v1';
const BACKEND = 'bert-playground:backend';

afterEach(() => clearStorageProblems());

describe('a stored value that does not read back', () => {
  it('nothing stored: the default, and no notice', () => {
    const store = memoryStore();
    expect(loadStoredExamples(store).examples).toHaveLength(STARTER_EXAMPLES.length);
    expect(readSetting(store)).toBe('auto');
    expect(storageProblems()).toEqual([]);
  });

  it('corrupt JSON: the default, the text kept aside, the key cleared, a notice naming the key', () => {
    const store = memoryStore({ [EXAMPLES]: '{"labels":["a","b"],"examples":[{"label":"a","te' });
    const raw = store.data.get(EXAMPLES);
    expect(loadStoredExamples(store).examples).toHaveLength(STARTER_EXAMPLES.length);
    expect(store.data.get(asideKey(EXAMPLES))).toBe(raw);
    expect(store.data.has(EXAMPLES)).toBe(false);
    expect(storageProblems()).toEqual([{ key: EXAMPLES, why: 'not JSON', keptAs: asideKey(EXAMPLES) }]);
    // The next read finds nothing: no second notice, the same default.
    expect(loadStoredExamples(store).examples).toHaveLength(STARTER_EXAMPLES.length);
    expect(storageProblems()).toHaveLength(1);
  });

  it('foreign values of the right JSON type are refused too (examples that are not label/text pairs)', () => {
    const store = memoryStore({ [EXAMPLES]: JSON.stringify({ labels: ['a'], examples: [['a', 'x']] }) });
    expect(loadStoredExamples(store).labels).toEqual(['positive', 'negative']);
    expect(storageProblems()[0].why).toMatch(/label\/text pairs/);
  });

  it('a foreign backend setting or a timing that is not a number falls back without throwing', () => {
    const store = memoryStore({
      [BACKEND]: 'quantum',
      'bert-playground:backend-measured': JSON.stringify({ name: 'wasm', agent: 'A', timings: { wasm: 'fast' } }),
    });
    expect(readSetting(store)).toBe('auto');
    expect(readMeasured('A', store)).toBeUndefined();
    expect(storageProblems().map((p) => p.key)).toEqual([BACKEND, 'bert-playground:backend-measured']);
    expect(store.data.get(asideKey(BACKEND))).toBe('quantum');
    // Another browser's record is only out of date: no notice.
    clearStorageProblems();
    store.data.set('bert-playground:backend-measured', JSON.stringify({ name: 'wasm', agent: 'B', timings: { wasm: 20 } }));
    expect(readMeasured('A', store)).toBeUndefined();
    expect(readMeasured('B', store)).toEqual({ name: 'wasm', agent: 'B', timings: { wasm: 20 } });
    expect(storageProblems()).toEqual([]);
  });

  it('an earlier bad value kept aside is not overwritten by a new one', () => {
    const store = memoryStore({ [BACKEND]: 'tpu', [asideKey(BACKEND)]: 'quantum' });
    expect(readSetting(store)).toBe('auto');
    expect(store.data.get(asideKey(BACKEND))).toBe('quantum');
    const dated = [...store.data.keys()].find((k) => k.startsWith(`${asideKey(BACKEND)}-`));
    expect(dated).toBeDefined();
    expect(store.data.get(dated!)).toBe('tpu');
    expect(storageProblems()[0].keptAs).toBe(dated);
  });

  it('a full storage: the default for now, the original left in place (nothing lost), and the notice says so', () => {
    const store = memoryStore({ [EXAMPLES]: 'not json' }, true);
    expect(loadStoredExamples(store).examples).toHaveLength(STARTER_EXAMPLES.length);
    expect(store.data.get(EXAMPLES)).toBe('not json');
    expect(storageProblems()).toEqual([{ key: EXAMPLES, why: 'not JSON', keptAs: null }]);
  });

  it('a blocked storage (getItem throws) gives the default and no notice', () => {
    const blocked = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    expect(readSetting(blocked)).toBe('auto');
    expect(loadPanelSettings(blocked)).toEqual(DEFAULT_PANEL);
    expect(storageProblems()).toEqual([]);
  });

  it('one bad field of the panel settings costs only itself; the original is kept aside and reported once', () => {
    const raw = JSON.stringify({ ...DEFAULT_PANEL, method: 'telepathy', verbalizer: 'positive=great' });
    const store = memoryStore({ [KEYS.panel]: raw });
    const settings = loadPanelSettings(store);
    expect(settings).toEqual({ ...DEFAULT_PANEL, verbalizer: 'positive=great' });
    expect(store.data.get(KEYS.panel)).toBe(raw); // still used: not removed
    expect(store.data.get(asideKey(KEYS.panel))).toBe(raw);
    expect(storageProblems()).toEqual([{ key: KEYS.panel, why: 'method could not be used', keptAs: asideKey(KEYS.panel) }]);
    // At the next visit the same value is not reported again (it was, and it is kept aside already).
    clearStorageProblems();
    loadPanelSettings(store);
    expect(storageProblems()).toEqual([]);
  });

  it('results that do not read back are refused whole, with the reason', () => {
    const store = memoryStore({ [KEYS.results]: JSON.stringify({ labels: ['a', 'b'], model: 'm', pattern: 'p', status: 'done', cells: [{}] }) });
    expect(loadExperimentResults(store)).toBeNull();
    expect(storageProblems()[0]).toMatchObject({ key: KEYS.results, why: 'its cells are not results' });
  });

  it('a parser that throws anything (an engine reader) counts as a refusal; StoredValueError messages are kept', () => {
    const store = memoryStore({ a: 'x', b: 'y' });
    expect(readStored('a', () => { throw new Error('head has 3 layers'); }, store)).toBeNull();
    expect(readStored('b', () => { throw new StoredValueError('no'); }, store)).toBeNull();
    expect(storageProblems().map((p) => p.why)).toEqual(['head has 3 layers', 'no']);
  });
});
