/**
 * Messages between the page and the pre-training lab's own worker
 * (lab.worker.ts). The lab has a worker of its own, apart from the engine's:
 * a training step holds its thread for hundreds of milliseconds, and the
 * sentence box's keystrokes must never wait behind one. Plain data only.
 */
import type { BackendName, HeadRole, PretrainEvaluation, PretrainSettings, PretrainSnapshot, PretrainStep } from '../../engine';

/**
 * The text to train on: the shipped slice (with its own held-out part, and always the shipped
 * vocabulary), or the class's own — with the shipped vocabulary, or (`trainVocab`: that many pieces)
 * a WordPiece vocabulary trained in the worker on the text's training part before step 0.
 */
export type LabText = { kind: 'shipped' } | { kind: 'own'; text: string; trainVocab?: number };

/** The pieces a vocabulary trained on the class's text may have: the shipped 8,192 is the most, so a step never costs more than with it. */
export const TRAINED_VOCAB_RANGE = { min: 200, max: 8192, default: 2000 } as const;

/** When to stop by itself: after so many seconds of training, or so many steps. */
export interface LabBudget {
  unit: 'seconds' | 'steps';
  value: number;
}

export interface LabStart {
  /** The page's base URL, absolute: the vocabulary, the text slice and the shipped model are read from it. */
  base: string;
  text: LabText;
  /** A backend to train on; null: WebGPU when a real GPU has it, else wasm. */
  backend: BackendName | null;
  /** Held-out scores, the probe's guesses and a snapshot every this many steps (and at step 0). */
  evalEvery: number;
  probe: string;
  budget: LabBudget | null;
  /** Held-out windows evaluate() scores (the engine's default when absent). */
  heldOutWindows?: number;
}

/** Whose attention the "what does each head do?" table reads. */
export type RoleSource = 'masked' | 'causal' | 'shipped';

export type ToLab =
  | { type: 'start'; start: LabStart }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'probe'; probe: string }
  | { type: 'roles'; source: RoleSource }
  | { type: 'save'; objective: 'masked' | 'causal' };

export type LabState = 'preparing' | 'running' | 'paused' | 'done';

export interface LabClock {
  /** Time spent training, evaluating and taking snapshots, pauses left out (ms). */
  elapsedMs: number;
  /** Time spent in training steps only (ms): what tokens per second divides by. */
  trainMs: number;
  /** Pieces both models have read so far. */
  tokens: number;
}

export interface LabRoles {
  source: RoleSource;
  /** The step of the lab model read (null for the shipped model). */
  step: number | null;
  /** [layer][head]. */
  roles: HeadRole[][];
  /** How many sentences they were averaged over. */
  sentences: number;
}

/** The vocabulary both models use: the shipped one, or one trained on the class's text (`asked`: the size asked for). */
export type LabVocab = { kind: 'shipped' } | { kind: 'trained'; asked: number };

export type FromLab =
  /** Training the vocabulary on the class's text: pieces so far, of the size asked. */
  | { type: 'vocab'; pieces: number; size: number }
  | { type: 'ready'; settings: PretrainSettings; backend: string; vocabPieces: number; vocab: LabVocab }
  | { type: 'state'; state: LabState; clock: LabClock }
  | { type: 'step'; result: PretrainStep; clock: LabClock }
  | { type: 'evaluation'; evaluation: PretrainEvaluation; clock: LabClock; tensors: number }
  | { type: 'snapshot'; snapshot: PretrainSnapshot }
  | { type: 'roles'; roles: LabRoles }
  | { type: 'saved'; id: string; objective: 'masked' | 'causal'; step: number; files: [string, ArrayBuffer][]; cacheError: string | null }
  /** `during`: what failed (start, save, roles, a step…); the run, when there is one, is kept as it was. */
  | { type: 'error'; during: string; message: string };
