/**
 * Sequence-length buckets: on WebGPU, sentences are padded (and masked) up to a
 * multiple of WEBGPU_BUCKET tokens, so that a sentence growing by one token as
 * it is typed keeps its shape, and with it the shader programs tfjs-webgpu
 * compiled for that shape (a new shape can mean new programs, each a
 * compile: docs/performance.md#webgpu-buckets). The padding is hidden from
 * every real token by the attention mask and cut from the results, so what
 * encode returns does not change (test/buckets.test.ts).
 *
 * Elsewhere no bucket: the wasm and cpu backends compile nothing per shape,
 * and padding only adds work there (measured in docs/performance.md#webgpu-buckets).
 */
import * as tf from '@tensorflow/tfjs';

/** Tokens per bucket on WebGPU: 16, 32, 48, … */
export const WEBGPU_BUCKET = 16;

/** The bucket size for the active backend: WEBGPU_BUCKET on webgpu, 1 (no padding) elsewhere. */
export function sequenceBucket(): number {
  return tf.getBackend() === 'webgpu' ? WEBGPU_BUCKET : 1;
}
