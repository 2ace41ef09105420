import { describe, expect, it, vi } from 'vitest';
import {
  checkFileName,
  checkRevision,
  DEFAULT_HUB,
  estimateDownload,
  formatBytes,
  hubBaseUrl,
  hubFileUrl,
  normaliseHub,
  parseModelId,
} from '../src/engine/checkpoint/hub';

describe('parseModelId', () => {
  it('accepts org/name and legacy ids, and trims', () => {
    expect(parseModelId('google-bert/bert-base-uncased')).toBe('google-bert/bert-base-uncased');
    expect(parseModelId('  google/bert_uncased_L-4_H-256_A-4 ')).toBe('google/bert_uncased_L-4_H-256_A-4');
    expect(parseModelId('bert-base-uncased')).toBe('bert-base-uncased');
    expect(parseModelId('prajjwal1/bert-mini.v2')).toBe('prajjwal1/bert-mini.v2');
  });
  it('accepts pasted hub URLs', () => {
    expect(parseModelId('https://huggingface.co/google-bert/bert-base-uncased')).toBe('google-bert/bert-base-uncased');
    expect(parseModelId('https://huggingface.co/google-bert/bert-base-uncased/tree/main')).toBe(
      'google-bert/bert-base-uncased',
    );
    expect(parseModelId('https://huggingface.co/org/m/resolve/main/config.json')).toBe('org/m');
  });
  it('rejects what is not a model id, saying why', () => {
    expect(() => parseModelId('')).toThrow(/Enter a model id/);
    expect(() => parseModelId('a/b/c')).toThrow(/organisation\/model/);
    for (const bad of ['../etc', 'org/..', 'org/-x', 'org/x-', 'a--b/c', 'org/na me', 'org/', '/name', 'org/x?y', 'x'.repeat(97)]) {
      expect(() => parseModelId(bad), bad).toThrow(/not a model id/);
    }
  });
  it('follows the rules of the hub (huggingface_hub validate_repo_id) and names the id and the rule', () => {
    // "_" may start or end a part (a word character); 96 characters is the longest name.
    expect(parseModelId('_org/_x_')).toBe('_org/_x_');
    expect(parseModelId(`org/${'x'.repeat(96)}`)).toBe(`org/${'x'.repeat(96)}`);
    for (const bad of [
      'org/m.git',
      'org/a..b',
      'org/.x',
      'org/x.',
      'org/m%2F..%2Fx',
      'org/m#x',
      'org\\m',
      'org/<img src=x onerror=alert(1)>',
      'org/bert\u0000',
      'org/bért',
      `org/${'x'.repeat(97)}`,
    ]) {
      let message = '';
      try {
        parseModelId(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/not a model id: (each part uses letters, digits|it cannot end in "\.git")/);
      expect(message, bad).toContain(JSON.stringify(bad).slice(0, 40)); // the id, quoted as JSON
    }
    expect(() => parseModelId('a/b/c')).toThrow(/one "\/" at most/);
  });
  it('cuts a huge id in its message', () => {
    expect(() => parseModelId('x'.repeat(100_000))).toThrow(/^"x{120}…" is not a model id/);
  });
});

describe('revisions and file names', () => {
  it('accepts branches, tags, commits and refs/pr/N', () => {
    for (const ok of ['main', 'v1.0', 'refs/pr/12', 'a'.repeat(40), 'release_2024-01']) expect(checkRevision(ok)).toBe(ok);
    expect(hubBaseUrl('org/m', DEFAULT_HUB, 'refs/pr/3')).toBe('https://huggingface.co/org/m/resolve/refs%2Fpr%2F3/');
  });
  it('refuses what git or the hub would not take, naming it and the rule', () => {
    for (const bad of ['', '..', 'a/../b', 'a//b', 'x/.hidden', 'main.lock', '-x', 'x/', 'ma in', 'main?x', 'r'.repeat(256)]) {
      expect(() => checkRevision(bad), bad).toThrow(/^revision ".*" is not valid: use a branch, tag or commit/);
    }
  });
  it('keeps file names inside the model folder', () => {
    for (const ok of ['vocab.txt', 'model-00001-of-00002.safetensors', 'onnx/model.onnx', '..hidden.txt', 'a b.json']) {
      expect(checkFileName(ok)).toBe(ok);
    }
    for (const bad of ['', '../config.json', 'a/../../b', './x', '/etc/passwd', 'a//b', 'a\\b', 'x\n', 'x/', 'f'.repeat(256)]) {
      expect(() => checkFileName(bad), bad).toThrow(/^file name ".*" is not valid: a relative path inside the model folder/);
    }
    expect(() => hubFileUrl('org/m', '../../other/m/resolve/main/x')).toThrow(/file name/);
  });
});

describe('nothing is requested for a bad id, revision or file', () => {
  it('throws before estimateDownload or a read can fetch', async () => {
    const spy = vi.fn(async () => new Response(''));
    const fetchSpy = spy as unknown as typeof fetch;
    await expect(async () => estimateDownload(hubBaseUrl('evil/../../x'), fetchSpy)).rejects.toThrow(/"evil\/..\/..\/x" is not a model id/);
    await expect(async () => estimateDownload(hubBaseUrl('org/m', DEFAULT_HUB, '../x'), fetchSpy)).rejects.toThrow(/revision/);
    expect(spy).not.toHaveBeenCalled();
  });
  it('a downloaded index naming a shard outside the folder is refused before that shard is asked for', async () => {
    const { fetch, calls } = fakeFetch({
      'config.json': 1,
      'vocab.txt': 5,
      'model.safetensors.index.json': { weight_map: { a: 'model-1.safetensors', b: '../../../other/model/resolve/main/x.safetensors' } },
      'model-1.safetensors': 10,
    });
    await expect(estimateDownload('http://hub.test/org/m/resolve/main/', fetch)).rejects.toThrow(
      /file name "..\/..\/..\/other\/model\/resolve\/main\/x.safetensors" is not valid/,
    );
    expect(calls.some((c) => c.includes('other'))).toBe(false);
    const numbers = fakeFetch({ 'config.json': 1, 'vocab.txt': 5, 'model.safetensors.index.json': { weight_map: { a: 7 } } });
    await expect(estimateDownload('http://hub.test/org/m/resolve/main/', numbers.fetch)).rejects.toThrow(/names a shard 7, not a file name/);
  });
});

describe('hub URLs', () => {
  it('builds resolve/main URLs on the default or a custom hub', () => {
    expect(hubBaseUrl('google-bert/bert-base-uncased')).toBe(
      'https://huggingface.co/google-bert/bert-base-uncased/resolve/main/',
    );
    expect(hubFileUrl('org/m', 'vocab.txt', 'http://127.0.0.1:5555/')).toBe(
      'http://127.0.0.1:5555/org/m/resolve/main/vocab.txt',
    );
    expect(hubBaseUrl('org/m', 'http://localhost:8080/mirror/', 'v1.0')).toBe(
      'http://localhost:8080/mirror/org/m/resolve/v1.0/',
    );
  });
  it('normalises the hub and rejects non-http hubs', () => {
    expect(normaliseHub(null)).toBe(DEFAULT_HUB);
    expect(normaliseHub('  ')).toBe(DEFAULT_HUB);
    expect(normaliseHub('https://huggingface.co/')).toBe('https://huggingface.co');
    expect(() => normaliseHub('ftp://x')).toThrow(/http/);
    expect(() => normaliseHub('not a url')).toThrow(/not a URL/);
  });
  it('rejects a bad id when building URLs', () => {
    expect(() => hubBaseUrl('../../secret')).toThrow(/not a model id/);
  });
});

describe('formatBytes', () => {
  it('uses decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(93_340)).toBe('93.3 KB');
    expect(formatBytes(11_170_000)).toBe('11.2 MB');
    expect(formatBytes(440_473_133)).toBe('440 MB');
    expect(formatBytes(1.34e9)).toBe('1.3 GB');
    expect(formatBytes(-1)).toBe('? B');
  });
});

/** A fake hub: name → size, or a JSON body. */
function fakeFetch(files: Record<string, number | object>): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? 'GET';
    calls.push(`${method} ${url}`);
    const name = url.split('/resolve/main/')[1];
    const file = files[name];
    if (file === undefined) return new Response('not found', { status: 404 });
    if (typeof file === 'number') {
      return new Response(method === 'HEAD' ? null : new Uint8Array(file), { headers: { 'content-length': String(file) } });
    }
    return new Response(JSON.stringify(file), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch: impl as typeof fetch, calls };
}

describe('estimateDownload', () => {
  const base = 'http://hub.test/org/m/resolve/main/';
  it('HEADs model.safetensors', async () => {
    const { fetch, calls } = fakeFetch({ 'config.json': 400, 'vocab.txt': 300, 'model.safetensors': 93_340 });
    const estimate = await estimateDownload(base, fetch);
    expect(estimate).toEqual({ files: [{ name: 'model.safetensors', bytes: 93_340 }], bytes: 93_340, complete: true });
    expect(calls.every((c) => c.startsWith('HEAD '))).toBe(true);
  });
  it('sums the shards of an index', async () => {
    const { fetch } = fakeFetch({
      'config.json': 400,
      'vocab.txt': 300,
      'model.safetensors.index.json': { weight_map: { a: 'm-1.safetensors', b: 'm-2.safetensors', c: 'm-1.safetensors' } },
      'm-1.safetensors': 1000,
      'm-2.safetensors': 500,
    });
    const estimate = await estimateDownload(base, fetch);
    expect(estimate.files.map((f) => f.name)).toEqual(['m-1.safetensors', 'm-2.safetensors']);
    expect(estimate.bytes).toBe(1500);
  });
  it('names the missing file', async () => {
    await expect(estimateDownload(base, fakeFetch({ 'config.json': 1, 'model.safetensors': 5 }).fetch)).rejects.toThrow(
      /vocab\.txt is missing/,
    );
    await expect(estimateDownload(base, fakeFetch({ 'config.json': 1, 'vocab.txt': 5 }).fetch)).rejects.toThrow(
      /no weights found.*model\.safetensors/,
    );
    await expect(
      estimateDownload(
        base,
        fakeFetch({ 'config.json': 1, 'vocab.txt': 5, 'model.safetensors.index.json': { weight_map: { a: 'gone.safetensors' } } })
          .fetch,
      ),
    ).rejects.toThrow(/gone\.safetensors is missing/);
  });
  it('says when a checkpoint has only PyTorch (or TensorFlow) weights, before downloading them', async () => {
    const { fetch, calls } = fakeFetch({ 'config.json': 1, 'vocab.txt': 5, 'pytorch_model.bin': 445_000_000, 'tf_model.h5': 9 });
    await expect(estimateDownload(base, fetch)).rejects.toThrow(
      /only pytorch_model\.bin and tf_model\.h5 — the playground reads model\.safetensors/,
    );
    expect(calls.filter((c) => c.startsWith('GET ')).map((c) => c.split('/').pop())).toEqual(['model.safetensors.index.json']);
  });
  it('says when a gated model refuses', async () => {
    const fetch = (async () => new Response('', { status: 401 })) as typeof globalThis.fetch;
    await expect(estimateDownload(base, fetch)).rejects.toThrow(/401.*gated/);
  });
});
