/**
 * Node-only helpers (CLI, tests, benchmarks): a checkpoint folder on disk, or a URL.
 * Kept apart so the browser bundle never pulls in `fs`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { urlSource, type CheckpointSource } from './source';

export function folderSource(dir: string): CheckpointSource {
  return {
    location: dir,
    async read(name, options = {}) {
      try {
        const buffer = await readFile(join(dir, name), { signal: options.signal });
        options.onProgress?.({ file: name, loaded: buffer.byteLength, total: buffer.byteLength });
        return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
}

/** A folder path or an http(s) URL, as the CLI accepts them. */
export function sourceFor(location: string): CheckpointSource {
  return /^https?:\/\//.test(location) ? urlSource(location) : folderSource(location);
}
