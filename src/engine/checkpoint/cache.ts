/**
 * Downloaded checkpoints kept in the browser's Cache Storage, so a second load
 * of the same model needs no network. Keys do not depend on the hub's host: a
 * model is stored under its id, file by file, with a manifest written last (a
 * model without a manifest is incomplete and is not offered).
 *
 * Framework-free; `caches` is passed in (tests use a Map-backed fake).
 */
import type { CheckpointSource, ReadOptions } from './source';

export const MODEL_CACHE = 'bert-playground-models-v1';
/** Never fetched: only a namespace for Cache Storage keys. */
const KEY_ORIGIN = 'https://model-cache.invalid';
const MANIFEST = '.manifest.json';

export interface CachedModel {
  id: string;
  /** Where it was downloaded from. */
  location: string;
  files: { name: string; bytes: number }[];
  bytes: number;
  savedAt: string;
}

/** The Cache Storage key of one file of a model: `https://model-cache.invalid/<id>/<file>`. */
export function cacheKey(id: string, file: string): string {
  if (id === '' || id.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`"${id}" cannot be a cache key`);
  }
  const enc = (path: string) => path.split('/').map(encodeURIComponent).join('/');
  return `${KEY_ORIGIN}/${enc(id)}/${enc(file)}`;
}

/** The model id and file name a key was built from, or null for a key that is not ours. */
export function parseCacheKey(key: string): { id: string; file: string } | null {
  if (!key.startsWith(KEY_ORIGIN + '/')) return null;
  const parts = key.slice(KEY_ORIGIN.length + 1).split('/').map(decodeURIComponent);
  if (parts.length < 2) return null;
  // Ids are `org/name` or a legacy `name`; files are flat in a checkpoint folder.
  const file = parts[parts.length - 1];
  return { id: parts.slice(0, -1).join('/'), file };
}

/** Cache Storage, when the page has it (secure contexts only). */
export function browserCaches(): CacheStorage | null {
  return typeof caches === 'undefined' ? null : caches;
}

async function open(storage: CacheStorage | null): Promise<Cache> {
  if (storage === null) throw new Error('this page has no Cache Storage (it needs https or localhost)');
  return storage.open(MODEL_CACHE);
}

/** Complete models in the cache, largest first. */
export async function listCachedModels(storage: CacheStorage | null = browserCaches()): Promise<CachedModel[]> {
  if (storage === null) return [];
  const cache = await open(storage);
  const models: CachedModel[] = [];
  for (const request of await cache.keys()) {
    const parsed = parseCacheKey(request.url);
    if (parsed === null || parsed.file !== MANIFEST) continue;
    const response = await cache.match(request);
    if (response === undefined) continue;
    try {
      models.push((await response.json()) as CachedModel);
    } catch {
      // A damaged manifest: the model is simply not offered.
    }
  }
  return models.sort((a, b) => b.bytes - a.bytes || a.id.localeCompare(b.id));
}

export async function isCached(id: string, storage: CacheStorage | null = browserCaches()): Promise<boolean> {
  if (storage === null) return false;
  return (await (await open(storage)).match(cacheKey(id, MANIFEST))) !== undefined;
}

/** Deletes every file of a model (manifest first, so a half-deleted model is never offered). */
export async function removeCachedModel(id: string, storage: CacheStorage | null = browserCaches()): Promise<void> {
  const cache = await open(storage);
  await cache.delete(cacheKey(id, MANIFEST));
  for (const request of await cache.keys()) {
    const parsed = parseCacheKey(request.url);
    if (parsed !== null && parsed.id === id) await cache.delete(request);
  }
}

/**
 * Stores the files a successful load read; the manifest goes last. When the
 * browser refuses a write (storage full: QuotaExceededError; or any other
 * failure), the files already stored are deleted again — no partial model is
 * left taking space — and the error says which file was refused and why.
 */
export async function saveCachedModel(
  id: string,
  location: string,
  files: Map<string, ArrayBuffer>,
  storage: CacheStorage | null = browserCaches(),
): Promise<CachedModel> {
  const cache = await open(storage);
  const entries = [...files].map(([name, bytes]) => ({ name, bytes: bytes.byteLength }));
  const manifest: CachedModel = {
    id,
    location,
    files: entries,
    bytes: entries.reduce((s, f) => s + f.bytes, 0),
    savedAt: new Date().toISOString(),
  };
  const written: string[] = [];
  const put = async (name: string, response: Response) => {
    const key = cacheKey(id, name);
    written.push(key); // before the put: a refused write may still have left an entry
    try {
      await cache.put(key, response);
    } catch (error) {
      await Promise.all(written.map((k) => cache.delete(k).catch(() => false)));
      const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`${id}: the browser refused to store ${name} (${why}); nothing of it was kept`, { cause: error });
    }
  };
  for (const [name, bytes] of files) {
    await put(name, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.byteLength) } }));
  }
  await put(MANIFEST, new Response(JSON.stringify(manifest), { headers: { 'content-type': 'application/json' } }));
  return manifest;
}

/** A model from the cache, as a checkpoint source: files it does not hold read as missing. */
export function cachedSource(id: string, storage: CacheStorage | null = browserCaches()): CheckpointSource {
  return {
    location: `${id} (cached)`,
    async read(name: string, options: ReadOptions = {}) {
      const response = await (await open(storage)).match(cacheKey(id, name));
      if (response === undefined) return null;
      const bytes = await response.arrayBuffer();
      options.onProgress?.({ file: name, loaded: bytes.byteLength, total: bytes.byteLength });
      return bytes;
    },
  };
}

/**
 * Wraps a source and keeps a copy of every file it returns, to be saved with
 * `saveCachedModel` once the whole model has loaded (a failed load caches nothing).
 */
export function recordingSource(inner: CheckpointSource): { source: CheckpointSource; files: Map<string, ArrayBuffer> } {
  const files = new Map<string, ArrayBuffer>();
  return {
    files,
    source: {
      location: inner.location,
      async read(name, options) {
        const bytes = await inner.read(name, options);
        if (bytes !== null) files.set(name, bytes);
        return bytes;
      },
    },
  };
}
