/**
 * Where checkpoint files come from: a URL (Hugging Face `resolve/main/` or our
 * own `public/weights/`), files the user dropped on the page, or (in Node) a
 * folder — see node.ts. The loader only asks for files by name.
 */
import { abortError } from '../util/abort';

export interface LoadProgress {
  file: string;
  loaded: number;
  /** Bytes expected, when the server says (Content-Length). */
  total: number | null;
}

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
}

export interface CheckpointSource {
  /** Shown in messages: a URL, a folder path, "dropped files". */
  readonly location: string;
  /** The file's bytes, or null when the source has no such file. */
  read(name: string, options?: ReadOptions): Promise<ArrayBuffer | null>;
}

/** Files under a base URL, streamed so progress can be shown and the download aborted. */
export function urlSource(base: string, fetchImpl: typeof fetch = fetch): CheckpointSource {
  const root = base.endsWith('/') ? base : base + '/';
  return {
    location: root,
    async read(name, options = {}) {
      const url = root + name;
      let response: Response;
      try {
        response = await fetchImpl(url, { signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) throw abortError(`loading ${name}`);
        throw new Error(`${url}: could not be fetched (${error instanceof Error ? error.message : String(error)})`, {
          cause: error,
        });
      }
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`${url}: the server answered ${response.status} ${response.statusText}`);
      const header = response.headers.get('content-length');
      const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
      if (response.body === null) return response.arrayBuffer();
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (error) {
          if (options.signal?.aborted) throw abortError(`loading ${name}`);
          // A connection dropped mid-file: the browser says only "network error"; say which file and how far.
          throw new Error(`${url}: the download stopped after ${received(loaded, total)} (${error instanceof Error ? error.message : String(error)})`, {
            cause: error,
          });
        }
        if (step.done) break;
        chunks.push(step.value);
        loaded += step.value.byteLength;
        options.onProgress?.({ file: name, loaded, total });
      }
      // A body that ends early without an error (a proxy that closes the connection) is cut all the same.
      if (total !== null && loaded !== total) throw new Error(`${url}: the download ended after ${received(loaded, total)}`);
      return concat(chunks, loaded);
    },
  };
}

const received = (loaded: number, total: number | null) =>
  total === null ? `${loaded.toLocaleString('en-US')} bytes` : `${loaded.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} bytes`;

/** Files already in memory: a folder the user picked or dropped, or test data. */
export function memorySource(files: Map<string, ArrayBuffer>, location = 'local files'): CheckpointSource {
  return {
    location,
    async read(name, options = {}) {
      const bytes = files.get(name) ?? null;
      if (bytes !== null) options.onProgress?.({ file: name, loaded: bytes.byteLength, total: bytes.byteLength });
      return bytes;
    },
  };
}

function concat(chunks: Uint8Array[], length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out.buffer;
}
