import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileKernels, kernelsModuleText, OUT_PATH } from '../tools/wasm/build-kernels';

describe('src/engine/kernels/simd.wasm.ts', () => {
  it('is what simd.wat compiles to (run `npm run build:kernels` after editing the .wat)', async () => {
    const bytes = await compileKernels();
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(readFileSync(OUT_PATH, 'utf8')).toBe(kernelsModuleText(bytes));
  });
});
