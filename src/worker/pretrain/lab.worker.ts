/**
 * The pre-training lab's own worker, with its own tfjs: training steps run
 * here, away from both the page's thread and the engine's worker, so typing
 * and the other panels stay quick while a model learns. Started by
 * src/ui/pretrain/useLab.ts; a reset ends the worker (and all its memory).
 */
import * as tf from '@tensorflow/tfjs';
import { browserCaches, initBackend, urlSource } from '../../engine';
import { wasmPaths } from '../wasmPaths';
import type { ToLab } from './protocol';
import { LabRunner } from './runner';

/** What this file uses of the worker's global scope (the project's TypeScript has no WebWorker library). */
interface Scope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToLab>) => void): void;
}
const scope = self as unknown as Scope;

const runner = new LabRunner({
  post: (message, transfer = []) => scope.postMessage(message, transfer),
  fetchText: async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    return response.text();
  },
  shippedSource: (base) => urlSource(`${base}weights/bert-mini/`),
  caches: browserCaches(),
  // A real GPU when there is one (SwiftShader is passed over without a timing), else wasm.
  initBackend: async (backend) => (await initBackend({ chain: backend === null ? ['webgpu', 'wasm'] : [backend], wasmPaths })).name,
  tensors: () => tf.memory().numTensors,
  now: () => performance.now(),
});

scope.addEventListener('message', (event) => runner.handle(event.data));
