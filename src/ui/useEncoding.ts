import { useEffect, useRef, useState } from 'react';
import { type Bert, encode, type Encoded } from '../engine';
import { holdAll } from './modelHolds';
import { reportRunError } from './useBackend';

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
  /** Time the models took, ms. */
  modelMs: number;
}

export type EncodingState = { result: Encodings | null; running: boolean; error: string | null };

/** The main model and its causal twin; only the shipped BERT-mini has one. */
export interface Models {
  bert: Bert;
  twin: Bert | null;
}

interface Request {
  models: Models;
  sentence: string;
  positions: number[];
  withTwin: boolean;
  valueNorms: boolean;
  requestedAt: number;
  /** Lets go of the models (see modelHolds.ts): once its run ends, or a newer edit replaces it. */
  release: () => void;
}

/**
 * Re-runs both models as the sentence changes. No debounce timer: an edit made
 * while the models are idle runs at once (a timer would add its whole delay to
 * every keystroke), and edits made during a run are coalesced — when the run
 * ends, only the newest waiting edit runs. Results of an edit that was
 * overtaken by a newer one are never shown.
 *
 * The causal twin runs only while a visible view shows it (`withTwin`): on
 * wasm each model costs about as much as all the drawing, and most keystrokes
 * happen with only BERT-mini's views on screen. Likewise the value norms
 * (`valueNorms`) are computed only while the norm-weighted view is on.
 *
 * A model without a twin is run a second time under the causal mask instead:
 * "what if it could not look right?" — its attention only; its guesses under a
 * mask it was never trained with would teach nothing, so none are computed.
 */
export function useEncoding(
  models: Models | null,
  sentence: string,
  maskPositions: readonly number[],
  withTwin: boolean,
  valueNorms: boolean,
): EncodingState {
  const [state, setState] = useState<EncodingState>({ result: null, running: false, error: null });
  const pending = useRef<Request | null>(null);
  const busy = useRef(false);
  const alive = useRef(true);
  const key = maskPositions.join(',');

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
      pending.current?.release(); // it will never run
      pending.current = null;
    };
  }, []);

  useEffect(() => {
    if (models === null) return;
    const release = holdAll([models.bert, models.twin]);
    if (release === null) return; // a newer model has replaced these; its own edit follows
    pending.current?.release(); // overtaken before it ran
    pending.current = {
      models,
      sentence,
      positions: key === '' ? [] : key.split(',').map(Number),
      withTwin,
      valueNorms,
      requestedAt: performance.now(),
      release,
    };
    if (busy.current) return; // the running loop picks it up when it finishes
    busy.current = true;
    setState((s) => (s.running ? s : { ...s, running: true }));
    void (async () => {
      while (pending.current !== null && alive.current) {
        const request = pending.current;
        pending.current = null;
        const options = { maskPositions: request.positions, valueNorms: request.valueNorms, lm: 'masked' as const };
        try {
          const t0 = performance.now();
          const bert = await encode(request.models.bert, request.sentence, options);
          const { twin: twinModel, bert: bertModel } = request.models;
          const twin = !request.withTwin
            ? null
            : twinModel !== null
              ? await encode(twinModel, request.sentence, options)
              : await encode(bertModel, request.sentence, { ...options, mask: 'causal', lm: 'none' });
          if (pending.current !== null || !alive.current) continue; // overtaken: a newer edit runs next
          const result: Encodings = {
            bert,
            twin,
            models: request.models,
            sentence: request.sentence,
            requestedAt: request.requestedAt,
            modelMs: performance.now() - t0,
          };
          setState({ result, running: false, error: null });
        } catch (error) {
          // The GPU went away: another backend takes over and these models come back on it (useBackend, useModels).
          if (reportRunError(error)) {
            setState((s) => (s.running ? { ...s, running: false } : s));
            continue;
          }
          if (pending.current !== null || !alive.current) continue;
          setState((s) => ({ ...s, running: false, error: error instanceof Error ? error.message : String(error) }));
        } finally {
          request.release();
        }
      }
      busy.current = false;
    })();
  }, [models, sentence, key, withTwin, valueNorms]);
  return state;
}
