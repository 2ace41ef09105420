/**
 * Lets tfjs-wasm's threaded build start its threads once bundled.
 *
 * tfjs starts each thread (a Web Worker) from a Blob holding
 * `WasmBackendModuleThreadedSimd.toString()`: the Emscripten factory's source,
 * re-evaluated inside the worker. That factory reads `_scriptDir`, a variable
 * of the scope *around* it, guarded by `typeof _scriptDir !== "undefined"` so
 * the worker, where it doesn't exist, skips it. A minifier sees the variable
 * declared, drops the guard and renames it, so the worker throws
 * "e is not defined" and no thread ever starts.
 *
 * The fix: declare `_scriptDir` again at the top of the factory itself. Then
 * its source is self-contained: in a worker the declaration runs too (there is
 * no `document`, so it is undefined, which is what Emscripten expects there).
 * If a tfjs upgrade changes the source so the pattern is gone, the build stops
 * with a message instead of shipping threads that silently never start.
 */
import type { Plugin } from 'vite';

const MODULE = /@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
const FACTORY_START = 'function(WasmBackendModuleThreadedSimd) {\n';
const OWN_SCRIPT_DIR =
  "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n";

export function wasmThreads(): Plugin {
  return {
    name: 'tfjs-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!MODULE.test(id.split('?')[0])) return null;
      const at = code.indexOf(FACTORY_START);
      if (at < 0 || code.indexOf(FACTORY_START, at + 1) >= 0) {
        this.error(`${id}: the threaded factory's start was not found once; tools/vite/wasmThreads.ts needs updating for this tfjs`);
      }
      const end = at + FACTORY_START.length;
      return { code: code.slice(0, end) + OWN_SCRIPT_DIR + code.slice(end), map: null };
    },
  };
}
