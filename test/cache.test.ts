import { describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../src/engine/checkpoint/checkpoint';
import {
  cachedSource,
  cacheKey,
  isCached,
  listCachedModels,
  MODEL_CACHE,
  parseCacheKey,
  recordingSource,
  removeCachedModel,
  saveCachedModel,
} from '../src/engine/checkpoint/cache';
import { folderSource } from '../src/engine/node';

/** Cache Storage in memory: enough of the API for cache.ts. */
function fakeCaches(): CacheStorage {
  const stores = new Map<string, Map<string, Response>>();
  const url = (r: RequestInfo | URL) => (r instanceof Request ? r.url : String(r));
  const open = async (name: string) => {
    let store = stores.get(name);
    if (store === undefined) stores.set(name, (store = new Map()));
    const s = store;
    return {
      async put(request: RequestInfo | URL, response: Response) {
        s.set(url(request), new Response(await response.arrayBuffer(), { headers: response.headers }));
      },
      async match(request: RequestInfo | URL) {
        return s.get(url(request))?.clone();
      },
      async delete(request: RequestInfo | URL) {
        return s.delete(url(request));
      },
      async keys() {
        return [...s.keys()].map((k) => new Request(k));
      },
    } as unknown as Cache;
  };
  return { open } as unknown as CacheStorage;
}

describe('cache keys', () => {
  it('name files by model id, independent of the hub', () => {
    expect(cacheKey('google-bert/bert-base-uncased', 'vocab.txt')).toBe(
      'https://model-cache.invalid/google-bert/bert-base-uncased/vocab.txt',
    );
    expect(cacheKey('bert-base-uncased', 'model-00001-of-00002.safetensors')).toBe(
      'https://model-cache.invalid/bert-base-uncased/model-00001-of-00002.safetensors',
    );
    expect(parseCacheKey(cacheKey('org/m', 'config.json'))).toEqual({ id: 'org/m', file: 'config.json' });
    expect(parseCacheKey(cacheKey('legacy', 'config.json'))).toEqual({ id: 'legacy', file: 'config.json' });
    expect(parseCacheKey('https://example.com/org/m/config.json')).toBeNull();
    expect(() => cacheKey('../x', 'a')).toThrow();
    expect(() => cacheKey('', 'a')).toThrow();
    expect(MODEL_CACHE).toMatch(/^bert-playground-models-/);
  });
});

describe('Cache Storage round trip', () => {
  it('records a load, saves it, lists it, loads it back without the original source, removes it', async () => {
    const storage = fakeCaches();
    const recorder = recordingSource(folderSource('test/fixtures/checkpoints/tiny-mlm-f32'));
    const first = await loadCheckpoint(recorder.source);
    expect([...recorder.files.keys()].sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer_config.json', 'vocab.txt']);
    expect(await isCached('org/tiny', storage)).toBe(false);
    const manifest = await saveCachedModel('org/tiny', 'http://hub/org/tiny/resolve/main/', recorder.files, storage);
    expect(manifest.bytes).toBe([...recorder.files.values()].reduce((s, b) => s + b.byteLength, 0));
    expect(await isCached('org/tiny', storage)).toBe(true);
    await saveCachedModel('other/model', 'x', new Map([['config.json', new ArrayBuffer(3)]]), storage);

    const list = await listCachedModels(storage);
    expect(list.map((m) => [m.id, m.bytes])).toEqual([
      ['org/tiny', manifest.bytes],
      ['other/model', 3],
    ]);

    const second = await loadCheckpoint(cachedSource('org/tiny', storage));
    expect(second.vocabText).toBe(first.vocabText);
    expect(second.weights.size).toBe(first.weights.size);
    expect(second.bytes).toBe(first.bytes);
    expect(await cachedSource('org/tiny', storage).read('model.safetensors.index.json')).toBeNull();

    await removeCachedModel('org/tiny', storage);
    expect(await isCached('org/tiny', storage)).toBe(false);
    expect(await cachedSource('org/tiny', storage).read('vocab.txt')).toBeNull();
    expect((await listCachedModels(storage)).map((m) => m.id)).toEqual(['other/model']);
  });

  it('a model whose load failed is never saved (recording only; nothing written)', async () => {
    const recorder = recordingSource(folderSource('test/fixtures/checkpoints/does-not-exist'));
    await expect(loadCheckpoint(recorder.source)).rejects.toThrow(/config\.json is missing/);
    expect(recorder.files.size).toBe(0);
  });

  it('a write the browser refuses (storage full) leaves no partial model, and the error names the file', async () => {
    const storage = fakeCaches();
    const cache = await storage.open(MODEL_CACHE);
    const put = cache.put.bind(cache);
    // Chromium's refusal when the origin's quota is used up; earlier files were stored.
    cache.put = async (request, response) => {
      if (String(request).endsWith('/model.safetensors')) throw new DOMException('Quota exceeded.', 'QuotaExceededError');
      return put(request, response);
    };
    storage.open = async () => cache;
    const recorder = recordingSource(folderSource('test/fixtures/checkpoints/tiny-mlm-f32'));
    await loadCheckpoint(recorder.source);
    expect([...recorder.files.keys()].indexOf('model.safetensors')).toBeGreaterThan(0); // something was stored before it
    await expect(saveCachedModel('org/tiny', 'x', recorder.files, storage)).rejects.toThrow(
      /org\/tiny: the browser refused to store model\.safetensors \(QuotaExceededError: Quota exceeded\.\); nothing of it was kept/,
    );
    expect(await cache.keys()).toEqual([]);
    expect(await isCached('org/tiny', storage)).toBe(false);
    expect(await listCachedModels(storage)).toEqual([]);
  });

  it('lists nothing without Cache Storage', async () => {
    expect(await listCachedModels(null)).toEqual([]);
    expect(await isCached('org/m', null)).toBe(false);
  });
});
