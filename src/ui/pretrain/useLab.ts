/**
 * The lab's state on the page: one worker of its own (src/worker/pretrain),
 * started on Start and ended on Reset, and what it reports — every step's
 * losses, the held-out scores, the snapshots the step slider walks through,
 * the head-role tables and the saved models. The page's thread only keeps
 * and draws these; every tensor lives in the worker.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PretrainEvaluation, PretrainSettings, PretrainSnapshot, PretrainStep } from '../../engine';
import type { FromLab, LabClock, LabRoles, LabStart, LabState, LabVocab, RoleSource, ToLab } from '../../worker/pretrain/protocol';

/** Snapshots the slider keeps; beyond this, every other older one is dropped (step 0 and the newest stay). */
export const MAX_SNAPSHOTS = 60;
/** Steps kept for the training curve; beyond this, every other older one is dropped. */
const MAX_STEPS = 4000;

export interface EvaluationRecord {
  evaluation: PretrainEvaluation;
  clock: LabClock;
  tensors: number;
}

export interface SavedModel {
  id: string;
  objective: 'masked' | 'causal';
  step: number;
  files: [string, ArrayBuffer][];
  cacheError: string | null;
}

export interface LabView {
  state: LabState | 'idle';
  backend: string | null;
  settings: PretrainSettings | null;
  /** The vocabulary the run's models use (known once the worker is ready; absent: not yet). */
  vocab?: LabVocab | null;
  /** Training the vocabulary on the class's text, before step 0: pieces so far, of the size asked. */
  vocabProgress?: { pieces: number; size: number } | null;
  steps: PretrainStep[];
  clock: LabClock;
  evaluations: EvaluationRecord[];
  snapshots: PretrainSnapshot[];
  roles: Partial<Record<RoleSource, LabRoles>>;
  saved: SavedModel[];
  error: { during: string; message: string } | null;
  /** Saving or computing a table: the button waits. */
  busy: { save: boolean; roles: boolean };
}

const EMPTY: LabView = {
  state: 'idle',
  backend: null,
  settings: null,
  vocab: null,
  vocabProgress: null,
  steps: [],
  clock: { elapsedMs: 0, trainMs: 0, tokens: 0 },
  evaluations: [],
  snapshots: [],
  roles: {},
  saved: [],
  error: null,
  busy: { save: false, roles: false },
};

/** Drops every other element between the first and the last `keep` ones. */
export function thin<T>(list: readonly T[], max: number, keep = 1): T[] {
  if (list.length <= max) return [...list];
  const head = list.slice(0, list.length - keep);
  return [...head.filter((_, i) => i === 0 || i % 2 === 1), ...list.slice(list.length - keep)];
}

export function reduceLab(view: LabView, message: FromLab): LabView {
  switch (message.type) {
    case 'vocab':
      return { ...view, vocabProgress: { pieces: message.pieces, size: message.size } };
    case 'ready':
      return { ...view, settings: message.settings, backend: message.backend, vocab: message.vocab };
    case 'state':
      return { ...view, state: message.state, clock: message.clock };
    case 'step':
      return { ...view, steps: thin([...view.steps, message.result], MAX_STEPS, 200), clock: message.clock, error: null };
    case 'evaluation':
      return { ...view, evaluations: [...view.evaluations, { evaluation: message.evaluation, clock: message.clock, tensors: message.tensors }] };
    case 'snapshot': {
      // A new probe at the same step replaces that step's snapshot.
      const others = view.snapshots.filter((s) => s.step !== message.snapshot.step);
      return { ...view, snapshots: thin([...others, message.snapshot], MAX_SNAPSHOTS) };
    }
    case 'roles':
      return { ...view, roles: { ...view.roles, [message.roles.source]: message.roles }, busy: { ...view.busy, roles: false } };
    case 'saved':
      return { ...view, saved: [...view.saved, message], busy: { ...view.busy, save: false } };
    case 'error': {
      const busy = { save: view.busy.save && message.during !== 'save', roles: view.busy.roles && message.during !== 'roles' };
      return { ...view, error: { during: message.during, message: message.message }, busy };
    }
  }
}

export interface Lab extends LabView {
  start(start: LabStart): void;
  pause(): void;
  resume(): void;
  /** Ends the run and its worker: everything not saved is gone. */
  reset(): void;
  setProbe(probe: string): void;
  askRoles(source: RoleSource): void;
  save(objective: 'masked' | 'causal'): void;
}

export function useLab(): Lab {
  const [view, setView] = useState<LabView>(EMPTY);
  const worker = useRef<Worker | null>(null);
  const send = useCallback((message: ToLab) => worker.current?.postMessage(message), []);
  const end = useCallback(() => {
    worker.current?.terminate();
    worker.current = null;
  }, []);
  useEffect(() => end, [end]);

  const start = useCallback(
    (s: LabStart) => {
      end();
      // Vite sees this `new Worker(new URL(…))` and builds the lab's worker as its own module.
      const w = new Worker(new URL('../../worker/pretrain/lab.worker.ts', import.meta.url), { type: 'module', name: 'bert-lab' });
      w.addEventListener('message', (event: MessageEvent<FromLab>) => {
        if (worker.current !== w) return; // a message from a worker already reset
        const message = event.data;
        setView((v) => reduceLab(v, message));
        // A saved model goes to the model picker's list: the page can listen for this.
        if (message.type === 'saved' && message.cacheError === null) {
          window.dispatchEvent(new CustomEvent('bert:model-cached', { detail: { id: message.id } }));
        }
      });
      w.addEventListener('error', (event) => {
        if (worker.current !== w) return;
        setView((v) => ({ ...v, state: 'idle', error: { during: 'worker', message: event.message || 'the lab’s worker stopped' } }));
        end();
      });
      worker.current = w;
      setView({ ...EMPTY, state: 'preparing' });
      w.postMessage({ type: 'start', start: s } satisfies ToLab);
    },
    [end],
  );

  return {
    ...view,
    start,
    pause: useCallback(() => send({ type: 'pause' }), [send]),
    resume: useCallback(() => send({ type: 'resume' }), [send]),
    reset: useCallback(() => {
      end();
      setView(EMPTY);
    }, [end]),
    setProbe: useCallback((probe: string) => send({ type: 'probe', probe }), [send]),
    askRoles: useCallback(
      (source: RoleSource) => {
        if (worker.current === null) return;
        setView((v) => ({ ...v, busy: { ...v.busy, roles: true } }));
        send({ type: 'roles', source });
      },
      [send],
    ),
    save: useCallback(
      (objective: 'masked' | 'causal') => {
        if (worker.current === null) return;
        setView((v) => ({ ...v, busy: { ...v.busy, save: true } }));
        send({ type: 'save', objective });
      },
      [send],
    ),
  };
}
