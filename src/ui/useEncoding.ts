import { useEffect, useRef, useState } from 'react';
import type { Encoded } from '../engine';
import { engine, isCancel, isDeviceLost, isEngineStopped, type ModelHandle } from './engineClient';

export interface Encodings {
  /** BERT-mini under its own (bidirectional) mask. */
  bert: Encoded;
  /**
   * The causal twin under its own (causal) mask — or, for a model without a
   * twin, the main model itself under the causal mask (a what-if: see
   * `models.twin`). Null when no visible view needed it (it is run as soon as
   * one does — see useEncoding).
   */
  twin: Encoded | null;
  /**
   * The models that produced these encodings. Views must read token ids with
   * these, not with the current models: after a model swap the old result is
   * still on screen until the new run finishes, and its ids belong to the old vocabulary.
   * `twin` is null when the main model has no causal twin.
   */
  models: Models;
  /** The sentence these encodings are of. */
  sentence: string;
  /** performance.now() when the edit that asked for this run happened. */
  requestedAt: number;
  /** Time from asking the worker to having both encodings on this thread, ms. */
  modelMs: number;
}

export type EncodingState = { result: Encodings | null; error: string | null };

/** The main model and its causal twin; only the shipped BERT-mini has one. */
export interface Models {
  bert: ModelHandle;
  twin: ModelHandle | null;
}

/**
 * Re-runs both models, in the engine's worker, as the sentence changes. No
 * debounce timer: an edit made while the worker is idle runs at once (a timer
 * would add its whole delay to every keystroke). Each edit supersedes the one
 * before on the worker's 'views' channel: a run still waiting there is
 * dropped, a running one is abandoned, and its result is never drawn — only
 * the newest edit's views are.
 *
 * The causal twin runs only while a visible view shows it (`withTwin`): on
 * wasm each model costs about as much as all the drawing, and most keystrokes
 * happen with only BERT-mini's views on screen. Likewise the value norms
 * (`valueNorms`) are computed only while the norm-weighted view is on.
 *
 * A model without a twin is run a second time under the causal mask instead:
 * "what if it could not look right?" — its attention only; its guesses under a
 * mask it was never trained with would teach nothing, so none are computed.
 *
 * `generation` (useBackend) changes when another backend or a new worker took
 * over: the views are computed again there.
 */
export function useEncoding(
  models: Models | null,
  sentence: string,
  maskPositions: readonly number[],
  withTwin: boolean,
  valueNorms: boolean,
  generation = 0,
): EncodingState {
  const [state, setState] = useState<EncodingState>({ result: null, error: null });
  const latest = useRef(0);
  const key = maskPositions.join(',');

  useEffect(() => {
    if (models === null) return;
    const asked = ++latest.current;
    const requestedAt = performance.now();
    const positions = key === '' ? [] : key.split(',').map(Number);
    engine()
      .call('encodeViews', [models.bert.id, models.twin?.id ?? null, sentence, { positions, withTwin, valueNorms }], {
        models: [models.bert, models.twin],
        channel: 'views',
      })
      .then(
        ({ bert, twin }) => {
          if (asked !== latest.current) return; // overtaken: a newer edit's views come next
          setState({ result: { bert, twin, models, sentence, requestedAt, modelMs: performance.now() - requestedAt }, error: null });
        },
        (error: unknown) => {
          if (asked !== latest.current) return;
          // Superseded, or the models were replaced; a lost GPU or a stopped worker: the run is made again once
          // the next backend (or worker) has the models (`generation`). None of these is the sentence's fault.
          if (isCancel(error) || isDeviceLost(error) || isEngineStopped(error)) return;
          setState((s) => ({ ...s, error: error instanceof Error ? error.message : String(error) }));
        },
      );
  }, [models, sentence, key, withTwin, valueNorms, generation]);
  useEffect(
    () => () => {
      latest.current++; // leaving: nothing in flight is drawn
    },
    [],
  );
  return state;
}
