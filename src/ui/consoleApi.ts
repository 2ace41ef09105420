/**
 * The engine, reachable from the browser's devtools console as `bertPlayground`
 * — for curious students, and for the browser tests, which drive it directly.
 */
import * as tf from '@tensorflow/tfjs';
import {
  activeLoops,
  type BackendName,
  classify,
  classifyPrompt,
  encode,
  encodeBatch,
  fillMask,
  fromCheckpoint,
  initBackend,
  loadModel,
  randomCheckpoint,
  type RandomShape,
  runFewShot,
  trainHead,
  trainPrompt,
  urlSource,
  wasmGemm,
  zeroShotPrompt,
} from '../engine';
import { wasmPaths } from './wasmPaths';

export const consoleApi = {
  tf,
  loadModel,
  encode,
  encodeBatch,
  fillMask,
  urlSource,
  trainHead,
  classify,
  /** Classification by filling a blank (engine/training/prompt/): zero-shot, few-shot, and classify with the [MASK] guesses. */
  zeroShotPrompt,
  trainPrompt,
  classifyPrompt,
  /** The "does pre-training help?" learning curves (engine/training/fewshot.ts). */
  runFewShot,
  /** A seeded random BERT of any shape (benchmarks, experiments). */
  randomModel: (shape: RandomShape, seed?: number) => fromCheckpoint(randomCheckpoint(shape, seed)),
  initBackend: (chain?: BackendName[]) => initBackend({ chain, wasmPaths }),
  /** On the wasm backend, whether the fused kernels' loops run in WebAssembly SIMD or JavaScript. */
  wasmLoops: activeLoops,
  /** On the wasm backend, whether matrix products run on the relaxed-SIMD (FMA) kernel rather than tfjs's own. */
  wasmGemm,
};

declare global {
  interface Window {
    bertPlayground: typeof consoleApi;
  }
}

export function exposeConsoleApi(): void {
  window.bertPlayground = consoleApi;
}
