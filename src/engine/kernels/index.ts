/**
 * The backends' fast paths, behind one door. The model (model/*.ts) computes
 * BERT as the paper draws it with plain tf ops, and asks here first: each
 * entry returns the same result computed faster on the active backend, or
 * null where no fast path applies — `fast.gelu(x) ?? textbookGelu(x)`. What
 * each one replaces, why, what it gained and how to re-measure it:
 * docs/performance.md. `prepareWeights` makes, once at load, the extra weight
 * layouts some of them read.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionWeights, HeadsOutput } from '../model/attention';
import type { EmbeddingWeights } from '../model/embeddings';
import type { LayerWeights } from '../model/layer';
import type { Dense, Norm } from '../model/ops';
import { concatQkv, oneSentence } from './attention';
import { fastBatchMatMul, fastDense } from './products';
import { fusedAddLayerNorm, fusedEmbed, fusedGelu, wasmKernels } from './wasmFused';
import { packedKernel, restGemmThreads } from './wasmGemm';

export { activeLoops, useLoops, type LoopsKind } from './wasmLoops';
export { allowGemm, wasmGemm } from './wasmGemm';

export interface FastPaths {
  /** LayerNorm(word + position + segment) for ids [B, T] → [B, T, H]; tokenTypes null: all segment 0. */
  embed(w: EmbeddingWeights, ids: tf.Tensor2D, tokenTypes: tf.Tensor2D | null, eps: number): tf.Tensor3D | null;
  /** Multi-head attention up to the output projection, for x [B, T, H]. */
  attention(x: tf.Tensor3D, w: AttentionWeights, mask: tf.Tensor4D | null, heads: number): HeadsOutput | null;
  /** x [n, in]·W + b. */
  dense(x: tf.Tensor2D, layer: Dense): tf.Tensor2D | null;
  /** GELU(x [n, in]·W + b). */
  denseGelu(x: tf.Tensor2D, layer: Dense): tf.Tensor2D | null;
  /** a·b for stacks of matrices with equal leading axes. */
  matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor | null;
  /** LayerNorm(x + residual), x and residual of one shape. */
  addLayerNorm(x: tf.Tensor, residual: tf.Tensor, norm: Norm, eps: number): tf.Tensor | null;
  /** x·Φ(x), the exact (erf) GELU. */
  gelu(x: tf.Tensor): tf.Tensor | null;
  /** A forward pass ended: threads that wait for products may sleep (not a fast path: a hint). */
  rest(): void;
}

export const fast: FastPaths = {
  // wasm: one kernel (docs/performance.md#fused-wasm-kernels).
  embed: (w, ids, tokenTypes, eps) =>
    wasmKernels()
      ? fusedEmbed({ word: w.word, position: w.position, segment: w.tokenType, weight: w.norm.weight, bias: w.norm.bias }, ids, tokenTypes, eps)
      : null,
  // wasm, one sentence: fused Q/K/V and head split (docs/performance.md#one-sentence-attention).
  attention: (x, w, mask, heads) => (x.shape[0] === 1 && tf.getBackend() === 'wasm' ? oneSentence(x, w, mask, heads) : null),
  // WGSL on software WebGPU, gemm.wat on wasm, a lighter gradient for training (products.ts).
  dense: (x, layer) => fastDense(x, layer, 'none'),
  denseGelu: (x, layer) => fastDense(x, layer, 'gelu'),
  // gemm.wat, or 2-D products head by head on wasm (docs/performance.md#head-by-head).
  matMul: (a, b) => fastBatchMatMul(a, b),
  // wasm: one kernel each instead of a chain (docs/performance.md#fused-wasm-kernels).
  addLayerNorm: (x, residual, norm, eps) => (wasmKernels() ? fusedAddLayerNorm(x, residual, norm.weight, norm.bias, eps) : null),
  gelu: (x) => (wasmKernels() ? fusedGelu(x) : null),
  // wasm threads: helpers stop spinning and leave the cores to the page (kernels/gemmThread.ts, SPIN_MS).
  rest: () => restGemmThreads(),
};

/**
 * The weight layouts the fast paths read, made once at load on the wasm
 * backend: per layer, query/key/value side by side ([H, 3H], one product
 * instead of three: docs/performance.md#one-sentence-attention), and kernels
 * too large for gemm.wat to read row-major packed into its panels
 * (docs/performance.md#gemm-packing). Stored on the layers (`qkv`, `packed`);
 * returns every tensor made, for the caller to own and dispose.
 */
export function prepareWeights(layers: LayerWeights[]): tf.Tensor[] {
  if (tf.getBackend() !== 'wasm') return [];
  const made: tf.Tensor[] = [];
  for (const layer of layers) {
    const qkv = concatQkv(layer.attention);
    layer.attention.qkv = qkv;
    made.push(qkv.kernel, qkv.bias);
    for (const d of [qkv, layer.attention.output, layer.intermediate, layer.output]) {
      const packed = packedKernel(d.kernel);
      if (packed !== null) {
        d.packed = packed;
        made.push(packed);
      }
    }
  }
  return made;
}
