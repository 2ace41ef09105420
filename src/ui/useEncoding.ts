import { useEffect, useRef, useState } from 'react';
import { encode, type Bert, type Encoded } from '../engine/bert';

export interface Encodings {
  /** BERT-mini under its own (bidirectional) mask. */
  bert: Encoded;
  /** The causal twin under its own (causal) mask. */
  twin: Encoded;
  /**
   * The models that produced these encodings. Views must read token ids with
   * these, not with the current models: after a model swap the old result is
   * still on screen until the new run finishes, and its ids belong to the old vocabulary.
   */
  models: { bert: Bert; twin: Bert };
  /** Keystroke-to-result time of this run, ms. */
  ms: number;
}

export type EncodingState = { result: Encodings | null; running: boolean; error: string | null };

const DEBOUNCE_MS = 120;

/**
 * Re-runs both models as the sentence changes: debounced, and a run that
 * finishes after a newer one started is dropped (its result would be stale).
 */
export function useEncoding(
  models: { bert: Bert; twin: Bert } | null,
  sentence: string,
  maskPositions: readonly number[],
): EncodingState {
  const [state, setState] = useState<EncodingState>({ result: null, running: false, error: null });
  const generation = useRef(0);
  const key = maskPositions.join(',');
  useEffect(() => {
    if (models === null) return;
    const run = ++generation.current;
    const typedAt = performance.now();
    const timer = setTimeout(async () => {
      setState((s) => (s.running ? s : { ...s, running: true }));
      try {
        const positions = key === '' ? [] : key.split(',').map(Number);
        const options = { maskPositions: positions, valueNorms: true, lm: 'masked' as const };
        const bert = await encode(models.bert, sentence, options);
        const twin = await encode(models.twin, sentence, options);
        if (run !== generation.current) return; // a newer sentence is on its way
        setState({
          result: { bert, twin, models, ms: performance.now() - typedAt - DEBOUNCE_MS },
          running: false,
          error: null,
        });
      } catch (error) {
        if (run !== generation.current) return;
        setState((s) => ({ ...s, running: false, error: error instanceof Error ? error.message : String(error) }));
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [models, sentence, key]);
  return state;
}
