/**
 * What the browser bundle gets for `import * as tf from '@tensorflow/tfjs'`
 * (vite.config.ts aliases it here; Node and the tests use the real umbrella).
 *
 * The umbrella is tfjs-core + gradients + chained ops + the cpu and webgl
 * backends + tfjs-layers, tfjs-converter and tfjs-data. The engine uses none of
 * the last three, and evaluating them (~360 KB minified) was part of the ~400 ms
 * the first page load spent in the bundle. The WebGL and WebGPU backends are
 * loaded by backend.ts only when one is worth trying.
 */
import '@tensorflow/tfjs-core';
// Same side-effect imports as the umbrella's index, in the same order.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';

export * from '@tensorflow/tfjs-core';
