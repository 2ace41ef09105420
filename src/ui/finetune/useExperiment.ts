import { useCallback, useEffect, useRef, useState } from 'react';
import type { Bert } from '../../engine/bert';
import {
  crossValidationDatasets,
  runFewShot,
  sentimentDataset,
  stats,
  type FewShotCell,
  type FewShotDataset,
  type FewShotMethod,
} from '../../engine/fewshot';
import type { Example } from '../examples';
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

export interface RunInputs {
  main: Bert;
  twin: Bert | null;
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
      let results: ExperimentResults = { settings, labels: runLabels, model: main.location, pattern, cells: [], status: 'done' };
      setState({ running: true, progress: null, results, error: null });
      try {
        let datasets: FewShotDataset[];
        if (own) {
          datasets = crossValidationDatasets(examples, labels, settings.folds, 0);
        } else {
          setState((s) => ({ ...s, progress: { done: 0, total: 1, what: settings.source } }));
          datasets = [sentimentDataset(settings.source, await fetchSentiment(settings.source, abort.signal), settings.testSize)];
        }
        await runFewShot(datasets, {
          labels: runLabels,
          ks: settings.ks,
          draws: settings.draws,
          methods: settings.methods,
          main,
          twin,
          pattern,
          signal: abort.signal,
          onProgress: (progress) => setState((s) => ({ ...s, progress })),
          onCell: (cell) => {
            results = { ...results, cells: [...results.cells, cell] };
            setState((s) => ({ ...s, results }));
          },
        });
        saveExperimentResults(results);
        setState((s) => ({ ...s, running: false }));
      } catch (error) {
        const cancelled = abort.signal.aborted || (error instanceof Error && error.name === 'AbortError');
        results = { ...results, status: 'cancelled' };
        if (cancelled && results.cells.length > 0) saveExperimentResults(results);
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
