/**
 * A WGSL kernel for tfjs's WebGPU backend: BERT's dense layers, x·W + b, with
 * GELU fused in when asked (the feed-forward's first half).
 *
 * Why: on a software WebGPU adapter (SwiftShader: a GPU emulated on the CPU's
 * threads) tfjs-webgpu's matMul programs stage tiles through workgroup memory
 * with barriers, which that emulation runs slowly. This kernel keeps an 8 × 8
 * block of the output in registers per invocation and reads A and B straight
 * from their buffers, four floats at a time, with no workgroup memory and no
 * barrier (gain and how to re-check it: docs/performance.md#wgsl-dense). It is
 * untried on a real GPU, whose tfjs programs are tuned for it, so
 * runtime/backend.ts turns it on for software adapters only.
 *
 * Where it runs: inference on the webgpu backend (kernels/products.ts asks `wgslDense()`),
 * for widths divisible by 8 and depths divisible by 4 — every dense layer of a
 * BERT; anything else keeps tfjs's matMul. No gradient: training keeps tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export const DENSE_WGSL = 'BertPlaygroundDenseWgsl';

/** Rows × vec4 columns of the output each invocation computes: 8 × 8 floats. */
const ROWS = 8;
const VEC_COLUMNS = 2;
/** Invocations per workgroup (x: column blocks, y: row blocks). */
const WORKGROUP: [number, number, number] = [8, 4, 1];

let enabled = false;
let registered = false;

/** Whether dense layers on WebGPU use this kernel (runtime/backend.ts: software adapters). */
export function enableWgslDense(on: boolean): void {
  enabled = on;
}

/** True when dense layers on the active backend run on this kernel. */
export function wgslDense(): boolean {
  if (!enabled || tf.getBackend() !== 'webgpu') return false;
  if (!registered) {
    if (tf.getKernel(DENSE_WGSL, 'webgpu') === undefined) tf.registerKernel({ kernelName: DENSE_WGSL, backendName: 'webgpu', kernelFunc: denseKernel });
    registered = true;
  }
  return true;
}

/** Whether this kernel takes an [m, k]·[k, n] product: n in whole 8-column blocks, k in steps of 4. */
export function wgslDenseFits(k: number, n: number): boolean {
  return n % (4 * VEC_COLUMNS) === 0 && k % 4 === 0;
}

/** x [m, k]·kernel [k, n] + bias [n], then GELU if asked (callers check `wgslDense()` and `wgslDenseFits` first). */
export function denseWgsl(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: 'none' | 'gelu' = 'none'): tf.Tensor2D {
  const [, k] = x.shape;
  const [kb, n] = kernel.shape;
  if (k !== kb || bias.shape[0] !== n || !wgslDenseFits(k, n)) {
    throw new Error(`dense (WGSL): cannot multiply ${JSON.stringify(x.shape)} by ${JSON.stringify(kernel.shape)} + ${JSON.stringify(bias.shape)}`);
  }
  return tf.engine().runKernel(DENSE_WGSL, { x, kernel, bias }, { activation }) as tf.Tensor2D;
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

function denseKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, kernel, bias } = inputs as Record<string, tf.TensorInfo>;
  const { activation } = attrs as { activation: 'none' | 'gelu' };
  const [m, k] = x.shape;
  const n = kernel.shape[1];
  const program = denseProgram(m, n, activation === 'gelu');
  const dims = [{ type: 'int32', data: [m, k, n] }];
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, kernel, bias], 'float32', dims);
}

/**
 * The program: tfjs-webgpu writes the bindings (A, B, bias as arrays of vec4,
 * `result` likewise, `uniforms.dims` = m, k, n) and calls `main()` per
 * invocation; `globalId.x` is a block of 8 columns, `globalId.y` of 8 rows.
 */
function denseProgram(m: number, n: number, gelu: boolean): WebGPUProgram {
  const blocksX = n / (4 * VEC_COLUMNS);
  const blocksY = Math.ceil(m / ROWS);
  return {
    shaderKey: `bertPlaygroundDense_${ROWS}x${VEC_COLUMNS}_${gelu ? 'gelu' : 'none'}`,
    variableNames: ['A', 'B', 'bias'],
    variableComponents: [4, 4, 4],
    outputComponent: 4,
    outputShape: [m, n],
    uniforms: 'dims : vec3<i32>,',
    workgroupSize: WORKGROUP,
    dispatchLayout: { x: [1], y: [0] },
    dispatch: [Math.ceil(blocksX / WORKGROUP[0]), Math.ceil(blocksY / WORKGROUP[1]), 1],
    getUserCode: () => denseSource(gelu),
  };
}

/** WGSL for one invocation. Written out (no loops over private arrays): SwiftShader keeps named values in registers. */
function denseSource(gelu: boolean): string {
  const rows = [...Array(ROWS).keys()];
  const cols = [...Array(VEC_COLUMNS).keys()];
  const each = (f: (r: number, c: number) => string) => rows.flatMap((r) => cols.map((c) => f(r, c))).join('\n    ');
  const steps = [0, 1, 2, 3];
  return `
  ${gelu ? GELU_WGSL : ''}
  fn main() {
    let m = uniforms.dims.x;
    let k4 = uniforms.dims.y / 4;
    let n4 = uniforms.dims.z / 4;
    let col = i32(globalId.x) * ${VEC_COLUMNS};
    let row = i32(globalId.y) * ${ROWS};
    if (col >= n4 || row >= m) { return; }
    // Rows past m read the last row (their results are never stored).
    ${rows.map((r) => `let a${r}Row = min(row + ${r}, m - 1) * k4;`).join('\n    ')}
    ${each((r, c) => `var acc${r}_${c} = vec4<f32>(0.0);`)}
    for (var k = 0; k < k4; k = k + 1) {
      // Four rows of B (k·4 … k·4 + 3), ${VEC_COLUMNS} vec4s each, and four numbers of each row of A.
      ${steps.flatMap((s) => cols.map((c) => `let b${s}_${c} = B[(k * 4 + ${s}) * n4 + col + ${c}];`)).join('\n      ')}
      ${rows
        .map((r) =>
          [`let a${r} = A[a${r}Row + k];`, ...steps.flatMap((s) => cols.map((c) => `acc${r}_${c} = fma(vec4<f32>(a${r}[${s}]), b${s}_${c}, acc${r}_${c});`))].join(
            '\n      ',
          ),
        )
        .join('\n      ')}
    }
    ${cols.map((c) => `let bias${c} = bias[col + ${c}];`).join('\n    ')}
    ${rows
      .map(
        (r) =>
          `if (row + ${r} < m) {\n      ${cols
            .map((c) => `result[(row + ${r}) * n4 + col + ${c}] = ${gelu ? `gelu(acc${r}_${c} + bias${c})` : `acc${r}_${c} + bias${c}`};`)
            .join('\n      ')}\n    }`,
      )
      .join('\n    ')}
  }`;
}

/**
 * BERT's exact GELU, x·Φ(x), with erf from Abramowitz & Stegun 7.1.28
 * (|error| ≤ 3e-7): the same formula as the wasm kernel (kernels/simd.wat),
 * since WGSL has no erf.
 */
const GELU_WGSL = `
  fn gelu(x : vec4<f32>) -> vec4<f32> {
    // |x|/√2, capped at 6 (erf(6) = 1 in float32) so that p¹⁶ stays finite: WGSL may
    // assume no overflow, unlike WebAssembly's IEEE arithmetic that simd.wat relies on.
    let z = min(abs(x) * 0.70710678, vec4<f32>(6.0));
    var p = 1.0 + z * (0.0705230784 + z * (0.0422820123 + z * (0.0092705272 + z * (0.0001520143 + z * (0.0002765672 + z * 0.0000430638)))));
    p = p * p;
    p = p * p;
    p = p * p;
    p = p * p;
    let e = 1.0 - 1.0 / p; // erf(|x|/√2)
    return 0.5 * x * (1.0 + sign(x) * e);
  }`;
