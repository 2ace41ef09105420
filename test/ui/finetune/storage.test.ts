import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPERIMENT,
  DEFAULT_PANEL,
  KEYS,
  loadExperimentResults,
  loadExperimentSettings,
  loadPanelSettings,
  saveExperimentResults,
  saveExperimentSettings,
  savePanelSettings,
  type ExperimentResults,
} from '../../../src/ui/finetune/storage';

function memoryStore(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

const results: ExperimentResults = {
  settings: { ...DEFAULT_EXPERIMENT, ks: [0, 8], draws: 2, testSize: 40 },
  labels: ['negative', 'positive'],
  model: 'weights/bert-mini/',
  pattern: '{text} It was [MASK].',
  cells: [
    { dataset: 'yelp', method: 'prompt', k: 0, mean: 0.6, sd: 0, draws: 1, scores: [0.6] },
    { dataset: 'yelp', method: 'bow', k: 8, mean: 0.55, sd: 0.05, draws: 2, scores: [0.5, 0.6] },
  ],
  status: 'done',
};

describe('fine-tuning panel storage', () => {
  it('gives the defaults when nothing is stored, and the prompt is the default method', () => {
    const store = memoryStore();
    expect(loadPanelSettings(store)).toEqual(DEFAULT_PANEL);
    expect(DEFAULT_PANEL.method).toBe('prompt');
    expect(loadExperimentSettings(store)).toEqual(DEFAULT_EXPERIMENT);
    expect(loadExperimentResults(store)).toBeNull();
  });

  it('reads back what it saved', () => {
    const store = memoryStore();
    const panel = { method: 'head' as const, promptModel: 'twin' as const, pattern: '{text} Very [MASK].', verbalizer: 'positive=good;negative=bad', heldOut: 0.5 };
    savePanelSettings(panel, store);
    const experiment = { ...DEFAULT_EXPERIMENT, source: 'own' as const, ks: [0, 8], draws: 2, methods: ['prompt' as const, 'bow' as const] };
    saveExperimentSettings(experiment, store);
    saveExperimentResults(results, store);
    expect(loadPanelSettings(store)).toEqual(panel);
    expect(loadExperimentSettings(store)).toEqual(experiment);
    expect(loadExperimentResults(store)).toEqual(results);
    saveExperimentResults(null, store);
    expect(loadExperimentResults(store)).toBeNull();
  });

  it('falls back field by field on corrupted values', () => {
    const store = memoryStore({
      [KEYS.panel]: JSON.stringify({ method: 'magic', promptModel: 'twin', pattern: 42, verbalizer: 'positive=good', heldOut: 0.9 }),
      [KEYS.experiment]: JSON.stringify({ source: 'twitter', testSize: 7, folds: 1, draws: 2.5, ks: [8, 'x', 0, 1000], methods: ['nope'] }),
    });
    expect(loadPanelSettings(store)).toEqual({ ...DEFAULT_PANEL, promptModel: 'twin', verbalizer: 'positive=good' });
    expect(loadExperimentSettings(store)).toEqual({ ...DEFAULT_EXPERIMENT, ks: [0, 8] });
  });

  it('treats unreadable JSON, wrong shapes and bad cells as nothing stored', () => {
    for (const raw of ['{not json', '[]', 'null', '"text"']) {
      const store = memoryStore({ [KEYS.panel]: raw, [KEYS.experiment]: raw, [KEYS.results]: raw });
      expect(loadPanelSettings(store)).toEqual(DEFAULT_PANEL);
      expect(loadExperimentSettings(store)).toEqual(DEFAULT_EXPERIMENT);
      expect(loadExperimentResults(store)).toBeNull();
    }
    const badCell = { ...results, cells: [{ ...results.cells[0], mean: 7 }] };
    expect(loadExperimentResults(memoryStore({ [KEYS.results]: JSON.stringify(badCell) }))).toBeNull();
    const badScores = { ...results, cells: [{ ...results.cells[1], scores: [0.5] }] };
    expect(loadExperimentResults(memoryStore({ [KEYS.results]: JSON.stringify(badScores) }))).toBeNull();
  });

  it('survives a storage that throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('blocked');
      },
      setItem: () => {
        throw new Error('full');
      },
      removeItem: () => {
        throw new Error('blocked');
      },
    };
    expect(loadPanelSettings(broken)).toEqual(DEFAULT_PANEL);
    expect(() => savePanelSettings(DEFAULT_PANEL, broken)).not.toThrow();
  });
});
