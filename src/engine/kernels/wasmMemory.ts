/**
 * tfjs-wasm's memory, which the kernel modules here import. The single-threaded
 * builds export it (`asm.memory`); the threaded build creates it in JavaScript,
 * shared, and imports it (`wasmMemory`). A module may import a memory only
 * with the same sharedness, so each kernel comes in both variants
 * (tools/wasm/build-kernels.ts) and `kernelBytes` picks one.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface EmscriptenMemory {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
}

/** The memory of this backend's heap, or undefined where the build keeps it to itself. */
export function memoryOf(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = backend.wasm as unknown as EmscriptenMemory;
  return module.asm?.memory ?? module.wasmMemory;
}

/** Whether threads share this memory (tfjs-wasm's threaded build). */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** The variant of a kernel module (base64) that can import this memory. */
export function kernelBytes(memory: WebAssembly.Memory, plain: string, shared: string): string {
  return isShared(memory) ? shared : plain;
}
