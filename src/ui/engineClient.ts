/**
 * The page's one engine: a worker holding tfjs and the models (src/worker).
 * Started on first use, so modules that only describe the engine (and the
 * Node tests that import them) start nothing.
 */
import { RemoteEngine } from '../worker/remote';

let instance: RemoteEngine | null = null;

export function engine(): RemoteEngine {
  // Vite sees this `new Worker(new URL(…))` and builds the worker as its own same-origin module.
  instance ??= new RemoteEngine(() => new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'bert-engine' }));
  return instance;
}

export { isCancel, isDeviceLost, isEngineStopped, type ModelHandle, type ModelSource } from '../worker/remote';
