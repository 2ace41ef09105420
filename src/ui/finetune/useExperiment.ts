import { useCallback, useEffect, useRef, useState } from 'react';
import type { FewShotCell, FewShotMethod } from '../../engine';
import { engine, isCancel, type ModelHandle } from '../engineClient';
import { crossValidationDatasets, stats } from '../../engine/pure';
import type { Example } from '../examples';
import type { FewShotData } from '../../worker/ops';
import {
  loadExperimentResults,
  loadExperimentSettings,
  saveExperimentResults,
  saveExperimentSettings,
  type ExperimentResults,
  type ExperimentSettings,
} from './storage';

/** The review sets' labels, as sentimentDataset names them. */
export const SENTIMENT_LABELS = ['negative', 'positive'];

export interface ExperimentProgress {
  done: number;
  total: number;
  what: string;
}

export interface ExperimentState {
  running: boolean;
  progress: ExperimentProgress | null;
  /** The current run's results so far, or the last run's (also after a reload). */
  results: ExperimentResults | null;
  error: string | null;
}

/** A shipped review set: [{text, class 0|1}], fetched from the app's own files (works offline once cached). */
async function fetchSentiment(name: string, signal: AbortSignal): Promise<{ text: string; class: number }[]> {
  const url = `${import.meta.env.BASE_URL}data/sentiment/${name}.json`;
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const rows: unknown = await response.json();
  if (!Array.isArray(rows)) throw new Error(`${url}: expected a list of {text, class: 0 or 1}`);
  // The fixtures end with one empty row ({text: '', class: null}): rows without text are skipped.
  const kept = rows.filter((r: { text?: unknown }) => typeof r?.text === 'string' && r.text.trim() !== '');
  const bad = kept.findIndex((r: { class?: unknown }) => r.class !== 0 && r.class !== 1);
  if (bad >= 0 || kept.length === 0) throw new Error(`${url}: expected a list of {text, class: 0 or 1} (row ${bad + 1})`);
  return kept as { text: string; class: number }[];
}

/** Pools each (method, k)'s scores over the datasets (cross-validation folds): mean ± sd over every draw. */
export function poolCells(cells: readonly FewShotCell[]): Map<FewShotMethod, { k: number; mean: number; sd: number; n: number }[]> {
  const scores = new Map<string, { method: FewShotMethod; k: number; scores: number[] }>();
  for (const c of cells) {
    const key = `${c.method}:${c.k}`;
    const entry = scores.get(key) ?? { method: c.method, k: c.k, scores: [] };
    entry.scores.push(...c.scores);
    scores.set(key, entry);
  }
  const out = new Map<FewShotMethod, { k: number; mean: number; sd: number; n: number }[]>();
  for (const { method, k, scores: xs } of scores.values()) {
    const list = out.get(method) ?? [];
    list.push({ k, ...stats(xs), n: xs.length });
    out.set(method, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.k - b.k);
  return out;
}

/**
 * Which of the k values can run on the class's own examples with this many folds: a draw takes k examples,
 * as even over the labels as k allows (balancedDraw), from the folds outside the test fold. `tooBig`: some
 * fold's rest has too few of some label; `tooSmall`: fewer than one per label (no method trains on that).
 */
export function ownKs(examples: Example[], labels: string[], folds: number, ks: readonly number[]): { tooBig: number[]; tooSmall: number[] } {
  const tooBig: number[] = [];
  const tooSmall: number[] = [];
  if (labels.length < 2 || !(Number.isInteger(folds) && folds >= 2)) return { tooBig, tooSmall };
  // The same folds as the run (crossValidationDatasets, seed 0): per fold, how many of each label its pool holds.
  const pools = crossValidationDatasets(examples, labels, folds, 0).map((d) => labels.map((l) => d.pool.filter((e) => e.label === l).length));
  for (const k of ks) {
    if (k === 0) continue;
    if (k < labels.length) tooSmall.push(k);
    else if (pools.some((pool) => pool.some((n, c) => n < Math.floor(k / labels.length) + (c < k % labels.length ? 1 : 0)))) tooBig.push(k);
  }
  return { tooBig, tooSmall };
}

export interface RunInputs {
  main: ModelHandle;
  twin: ModelHandle | null;
  /** The class's examples and labels, for source 'own'. */
  examples: Example[];
  labels: string[];
  pattern: string;
}

/** The "does pre-training help?" experiment: settings and results survive a reload; runs show progress and can be cancelled. */
export function useExperiment() {
  const [settings, setSettingsState] = useState<ExperimentSettings>(loadExperimentSettings);
  const [state, setState] = useState<ExperimentState>(() => ({ running: false, progress: null, results: loadExperimentResults(), error: null }));
  const controller = useRef<AbortController | null>(null);

  const setSettings = useCallback((next: ExperimentSettings) => {
    setSettingsState(next);
    saveExperimentSettings(next);
  }, []);

  const run = useCallback(
    async ({ main, twin, examples, labels, pattern }: RunInputs) => {
      controller.current?.abort();
      const abort = new AbortController();
      controller.current = abort;
      const own = settings.source === 'own';
      const runLabels = own ? labels : SENTIMENT_LABELS;
      // k values the class's examples cannot supply are left out (the panel says which, and why).
      const skipped = own ? Object.values(ownKs(examples, labels, settings.folds, settings.ks)).flat() : [];
      const runSettings = { ...settings, ks: settings.ks.filter((k) => !skipped.includes(k)) };
      let results: ExperimentResults = { settings: runSettings, labels: runLabels, model: main.location, pattern, cells: [], status: 'done' };
      setState({ running: true, progress: null, results, error: null });
      try {
        let data: FewShotData;
        if (own) {
          data = { kind: 'own', examples: examples.map(({ text, label }) => ({ text, label })), labels, folds: settings.folds };
        } else {
          setState((s) => ({ ...s, progress: { done: 0, total: 1, what: settings.source } }));
          data = { kind: 'sentiment', name: settings.source, rows: await fetchSentiment(settings.source, abort.signal), testSize: settings.testSize };
        }
        // In the engine's worker, which holds both models for the whole run.
        await engine().call(
          'runFewShot',
          [main.id, twin?.id ?? null, data, { labels: runLabels, ks: runSettings.ks, draws: settings.draws, methods: settings.methods, pattern }],
          {
            models: [main, twin],
            signal: abort.signal,
            onProgress: (event) => {
              if (event.kind === 'progress') {
                const { done, total, what } = event;
                setState((s) => ({ ...s, progress: { done, total, what } }));
                return;
              }
              results = { ...results, cells: [...results.cells, event.cell] };
              setState((s) => ({ ...s, results }));
              // Saved at once as an unfinished run: a reload, or a new model's panel (which mounts before
              // this run has noticed its abort), then finds what was finished, marked as cut short.
              saveExperimentResults({ ...results, status: 'cancelled' });
            },
          },
        );
        saveExperimentResults(results);
        setState((s) => ({ ...s, running: false }));
      } catch (error) {
        // Cancel (or the panel leaving) vs a genuine error: both keep the cells that finished, and say which it was.
        // A model replaced (and freed) before the run began ends it as a cancelled one.
        const cancelled = abort.signal.aborted || isCancel(error);
        results = { ...results, status: cancelled ? 'cancelled' : 'error' };
        if (results.cells.length > 0) saveExperimentResults(results);
        setState((s) => ({
          ...s,
          running: false,
          results,
          error: cancelled ? null : error instanceof Error ? error.message : String(error),
        }));
      }
    },
    [settings],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  const clear = useCallback(() => {
    saveExperimentResults(null);
    setState((s) => ({ ...s, results: null, error: null }));
  }, []);
  useEffect(() => () => controller.current?.abort(), []);

  return { settings, setSettings, state, run, cancel, clear };
}
