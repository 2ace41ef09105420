/**
 * The engine's door for Node (CLI, benchmarks, tests): everything in ./index,
 * plus a checkpoint folder on disk and the wasm backend loaded from
 * node_modules. Kept apart so the browser bundle never pulls in `fs`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { initBackend, type BackendChoice, type BackendName } from './runtime/backend';
import { urlSource, type CheckpointSource } from './checkpoint/source';
import { GEMM_KERNEL_WASM } from './kernels/simd.wasm';

export * from './index';

export function folderSource(dir: string): CheckpointSource {
  return {
    location: dir,
    async read(name, options = {}) {
      try {
        const buffer = await readFile(join(dir, name), { signal: options.signal });
        options.onProgress?.({ file: name, loaded: buffer.byteLength, total: buffer.byteLength });
        return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return null;
        if (code === 'EISDIR') throw new Error(`${join(dir, name)} is a folder; a file was expected`, { cause: error });
        throw error;
      }
    },
  };
}

/** A folder path or an http(s) URL, as the CLI accepts them. */
export function sourceFor(location: string): CheckpointSource {
  if (/^https?:\/\//.test(location)) return urlSource(location);
  if (!existsSync(location)) throw new Error(`${location}: no such folder`);
  return folderSource(location);
}

/**
 * tfjs in Node: the WebAssembly backend (about 20× faster than plain JS here),
 * loading its .wasm files straight from node_modules; plain JS if that fails.
 * Node 20's WebAssembly has relaxed SIMD only behind a V8 flag, which is
 * turned on here so that products run on the FMA kernel (kernels/wasmGemm.ts) as
 * they do in Chromium; newer Node has it anyway.
 */
export async function initNodeBackend(chain: BackendName[] = ['wasm', 'cpu']): Promise<BackendChoice> {
  if (!WebAssembly.validate(Buffer.from(GEMM_KERNEL_WASM, 'base64'))) setFlagsFromString('--experimental-wasm-relaxed-simd');
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/';
  return initBackend({ chain, wasmPaths: wasmDir });
}
