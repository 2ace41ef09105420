import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileKernels, GEMM_WAT_PATH, kernelsModuleText, OUT_PATH } from '../tools/wasm/build-kernels';
import { gemmWat } from '../tools/wasm/gemm-wat';

describe('src/engine/kernels (run `npm run build:kernels` after editing simd.wat or gemm-wat.ts)', () => {
  it('gemm.wat is what its generator writes', () => {
    expect(readFileSync(GEMM_WAT_PATH, 'utf8')).toBe(gemmWat());
  });

  it('simd.wasm.ts holds what simd.wat and gemm.wat compile to', async () => {
    const bytes = await compileKernels();
    expect(WebAssembly.validate(new Uint8Array(bytes.simd))).toBe(true);
    expect(readFileSync(OUT_PATH, 'utf8')).toBe(kernelsModuleText(bytes));
  });
});
