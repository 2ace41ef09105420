// Loading checkpoints: every supported variant, and a clear error for every broken one.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, normaliseName } from '../src/engine/checkpoint/checkpoint';
import { parseConfig } from '../src/engine/checkpoint/config';
import { folderSource } from '../src/engine/node';
import { parseSafetensors } from '../src/engine/checkpoint/safetensors';
import { memorySource, urlSource } from '../src/engine/checkpoint/source';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { writeSafetensors } from '../src/engine/checkpoint/safetensorsWriter';

const DIR = 'test/fixtures/checkpoints';

function filesOf(name: string): Map<string, ArrayBuffer> {
  const files = new Map<string, ArrayBuffer>();
  for (const f of readdirSync(`${DIR}/${name}`)) {
    const b = readFileSync(`${DIR}/${name}/${f}`);
    files.set(f, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  return files;
}

/** A safetensors file with one tensor and a hand-written header. */
function safetensors(header: object, dataBytes: number): ArrayBuffer {
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const out = new Uint8Array(8 + text.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(new TextEncoder().encode(text), 8);
  return out.buffer;
}

describe('normaliseName', () => {
  it('drops the bert. prefix and renames TF-era gamma/beta', () => {
    expect(normaliseName('bert.encoder.layer.0.output.LayerNorm.gamma')).toBe('encoder.layer.0.output.LayerNorm.weight');
    expect(normaliseName('embeddings.LayerNorm.beta')).toBe('embeddings.LayerNorm.bias');
    expect(normaliseName('cls.predictions.bias')).toBe('cls.predictions.bias');
  });
});

describe('parseConfig', () => {
  it('reads the paper-named hyper-parameters', () => {
    const c = parseConfig(JSON.parse(readFileSync(`${DIR}/tiny-decoder/config.json`, 'utf8')));
    expect(c).toMatchObject({ architecture: 'BertLMHeadModel', hidden: 32, layers: 2, heads: 4, isDecoder: true });
  });
  it('names an unsupported architecture and the supported ones', () => {
    expect(() => parseConfig({ architectures: ['RobertaForMaskedLM'], hidden_size: 8 })).toThrow(
      /architecture "RobertaForMaskedLM" is not supported \(supported: BertModel, BertForMaskedLM/,
    );
  });
  it('rejects a non-BERT model type and a bad field', () => {
    expect(() => parseConfig({ model_type: 'gpt2' })).toThrow(/model_type "gpt2"/);
    expect(() => parseConfig({ vocab_size: 10, hidden_size: 10, num_attention_heads: 3 })).toThrow(/not divisible/);
    expect(() => parseConfig({ vocab_size: 10, hidden_size: -1 })).toThrow(/"hidden_size" must be a positive integer/);
  });
  it('reads classification labels', () => {
    const c = parseConfig(JSON.parse(readFileSync(`${DIR}/tiny-cls/config.json`, 'utf8')));
    expect(c.labels).toEqual(['negative', 'positive']);
  });
});

describe('loadCheckpoint', () => {
  it('reads F16 legacy names with an explicit decoder, and BF16 shards', async () => {
    const legacy = await loadCheckpoint(folderSource(`${DIR}/tiny-mlm-f16-legacy`));
    expect(legacy.weights.has('cls.predictions.decoder.weight')).toBe(true);
    expect(legacy.weights.has('embeddings.LayerNorm.weight')).toBe(true);
    const sharded = await loadCheckpoint(folderSource(`${DIR}/tiny-base-bf16-sharded`));
    expect(sharded.config.architecture).toBe('BertModel');
    expect(sharded.weights.get('encoder.layer.1.output.dense.weight')!.shape).toEqual([32, 64]);
  });

  it('names the missing file', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.delete('vocab.txt');
    await expect(loadCheckpoint(memorySource(files, 'my-folder'))).rejects.toThrow('my-folder: vocab.txt is missing');
    files.delete('model.safetensors');
    files.set('vocab.txt', new ArrayBuffer(1));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(/no weights found — expected model.safetensors/);
  });

  it('names a missing shard', async () => {
    const files = filesOf('tiny-base-bf16-sharded');
    files.delete('model-00002-of-00002.safetensors');
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      'model-00002-of-00002.safetensors is missing (listed in model.safetensors.index.json)',
    );
  });

  it('refuses a shard name that would lead outside the folder, before reading it', async () => {
    const files = filesOf('tiny-base-bf16-sharded');
    const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
    const first = Object.keys(index.weight_map)[0];
    for (const [shard, why] of [
      ['../../secrets/model.safetensors', 'no "." or ".." parts'],
      [42, 'a shard that is not a string'],
    ] as const) {
      index.weight_map[first] = shard;
      files.set('model.safetensors.index.json', new TextEncoder().encode(JSON.stringify(index)).buffer as ArrayBuffer);
      const read: string[] = [];
      const source = memorySource(files);
      const spy = { ...source, read: (name: string, options?: object) => (read.push(name), source.read(name, options)) };
      await expect(loadCheckpoint(spy)).rejects.toThrow(why);
      expect(read.some((name) => name.includes('..'))).toBe(false);
    }
  });

  it('names a missing tensor', async () => {
    const files = filesOf('tiny-mlm-f32');
    const config = JSON.parse(readFileSync(`${DIR}/tiny-mlm-f32/config.json`, 'utf8'));
    config.num_hidden_layers = 3; // the file has two
    files.set('config.json', new TextEncoder().encode(JSON.stringify(config)).buffer as ArrayBuffer);
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      'model.safetensors: tensor "encoder.layer.2.attention.self.query.weight" is missing',
    );
  });

  it('names a tensor whose shape disagrees with the config', async () => {
    const files = filesOf('tiny-mlm-f32');
    const config = JSON.parse(readFileSync(`${DIR}/tiny-mlm-f32/config.json`, 'utf8'));
    config.intermediate_size = 128;
    files.set('config.json', new TextEncoder().encode(JSON.stringify(config)).buffer as ArrayBuffer);
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      'model.safetensors: tensor "encoder.layer.0.intermediate.dense.weight" has shape [64, 32] but config.json implies [128, 32]',
    );
  });

  it('notices a truncated download', async () => {
    const files = filesOf('tiny-mlm-f32');
    const full = files.get('model.safetensors')!;
    files.set('model.safetensors', full.slice(0, full.byteLength - 100));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(/model.safetensors: tensor ".*" lies outside the file/);
    files.set('model.safetensors', full.slice(0, 40));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(/header claims \d+ bytes but the file has only 40/);
  });
});

describe('parseSafetensors', () => {
  it('rejects bad dtypes, byte counts and offsets, naming the tensor', () => {
    expect(() => parseSafetensors('a.safetensors', safetensors({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8))).toThrow(
      'a.safetensors: tensor "x" has dtype I64; only F32, F16 and BF16 are supported',
    );
    expect(() => parseSafetensors('a.safetensors', safetensors({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8))).toThrow(
      'a.safetensors: tensor "x" has 8 bytes but shape [3] in F32 needs 12',
    );
    expect(() => parseSafetensors('a.safetensors', safetensors({ x: { dtype: 'F16', shape: [2], data_offsets: [8, 4] } }, 8))).toThrow(
      /tensor "x" lies outside the file/,
    );
    expect(() => parseSafetensors('a.safetensors', new TextEncoder().encode('not a safetensors file at all').buffer as ArrayBuffer)).toThrow(
      /header claims/,
    );
  });
});

/** A copy of a safetensors file whose JSON header `edit` has changed; the data section is kept byte for byte. */
function withHeader(file: ArrayBuffer, edit: (header: Record<string, { data_offsets: [number, number] }>) => void): ArrayBuffer {
  const n = Number(new DataView(file).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(file, 8, n)));
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + file.byteLength - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(new Uint8Array(file, 8 + n), 8 + text.length);
  return out.buffer;
}

/** A copy of a checkpoint file with one F32 value (or F16 bit pattern) of one tensor replaced. */
function poke(file: ArrayBuffer, tensor: string, index: number, value: number, f16Bits = false): ArrayBuffer {
  const copy = file.slice(0);
  const entry = parseSafetensors('x', copy).tensors.get(tensor)!;
  const view = new DataView(copy);
  if (f16Bits) view.setUint16(entry.begin + 2 * index, value, true);
  else view.setFloat32(entry.begin + 4 * index, value, true);
  return copy;
}

describe('checkpoint validation to the safetensors rules', () => {
  const QUERY = 'bert.encoder.layer.0.attention.self.query.weight';
  const KEY = 'bert.encoder.layer.0.attention.self.key.weight';

  it('still loads a good checkpoint, from the fixtures and from the writer', async () => {
    const good = await loadCheckpoint(memorySource(filesOf('tiny-mlm-f32')));
    expect(good.weights.get('encoder.layer.0.attention.self.query.weight')!.shape).toEqual([32, 32]);
    const random = randomCheckpoint({ layers: 1, hidden: 8, heads: 2, intermediate: 16, vocabSize: 20 });
    const tensors = [...random.weights].map(([name, w]) => ({ name, shape: w.shape, values: w.values }));
    const bytes = writeSafetensors(tensors);
    const parsed = parseSafetensors('random.safetensors', bytes.buffer as ArrayBuffer);
    expect(parsed.tensors.size).toBe(tensors.length);
  });

  it('refuses overlapping ranges (key reading the query weight\'s bytes)', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.set('model.safetensors', withHeader(files.get('model.safetensors')!, (h) => {
      h[KEY].data_offsets = [...h[QUERY].data_offsets];
    }));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      /^model\.safetensors: tensor "bert\.encoder\.layer\.0\.attention\.self\.(query|key)\.weight" \(bytes \d+–\d+\) overlaps tensor "bert\.encoder\.layer\.0\.attention\.self\.(query|key)\.weight"/,
    );
  });

  it('refuses a gap between tensors and bytes after the last one', () => {
    const gap = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] } }, 24);
    expect(() => parseSafetensors('g.safetensors', gap)).toThrow(
      'g.safetensors: bytes 8–16 of the data section, before tensor "b", belong to no tensor',
    );
    const late = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12);
    expect(() => parseSafetensors('g.safetensors', late)).toThrow('g.safetensors: bytes 0–4 of the data section, before tensor "a"');
    const trailing = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 12);
    expect(() => parseSafetensors('t.safetensors', trailing)).toThrow(
      't.safetensors: bytes 8–12 of the data section, after tensor "a", belong to no tensor',
    );
  });

  it('refuses a range past the end of the file', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.set('model.safetensors', withHeader(files.get('model.safetensors')!, (h) => {
      const [b, e] = h[QUERY].data_offsets;
      h[QUERY].data_offsets = [b + 1_000_000, e + 1_000_000];
    }));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(`model.safetensors: tensor "${QUERY}" lies outside the file`);
  });

  it('refuses a byte count that disagrees with dtype × shape', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.set('model.safetensors', withHeader(files.get('model.safetensors')!, (h) => {
      (h[QUERY] as unknown as { shape: number[] }).shape = [32, 16];
    }));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      `model.safetensors: tensor "${QUERY}" has 4096 bytes but shape [32,16] in F32 needs 2048`,
    );
  });

  it('refuses a header over the 100 MB limit', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 200_000_000n, true);
    expect(() => parseSafetensors('h.safetensors', bytes.buffer)).toThrow(
      'h.safetensors: header claims 200000000 bytes, over the format\'s 100 MB limit',
    );
  });

  it('refuses a NaN, naming the file, tensor and index', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.set('model.safetensors', poke(files.get('model.safetensors')!, 'bert.embeddings.LayerNorm.weight', 17, NaN));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(
      'model.safetensors: tensor "bert.embeddings.LayerNorm.weight" has a NaN at index 17',
    );
  });

  it('refuses +Infinity in a layer-0 query weight, and -Infinity after F16 conversion', async () => {
    const files = filesOf('tiny-mlm-f32');
    files.set('model.safetensors', poke(files.get('model.safetensors')!, QUERY, 5, Infinity));
    await expect(loadCheckpoint(memorySource(files))).rejects.toThrow(`model.safetensors: tensor "${QUERY}" has +Infinity at index 5`);
    const half = filesOf('tiny-mlm-f16-legacy');
    half.set('model.safetensors', poke(half.get('model.safetensors')!, QUERY, 3, 0xfc00, true));
    await expect(loadCheckpoint(memorySource(half))).rejects.toThrow(`model.safetensors: tensor "${QUERY}" has -Infinity at index 3`);
  });
});

describe('urlSource', () => {
  it('streams with progress, maps 404 to "missing", and can be aborted', async () => {
    const payload = new Uint8Array(1000).fill(7);
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const u = String(url);
      if (u.endsWith('/missing.json')) return new Response('no', { status: 404 });
      if (u.endsWith('/slow.bin')) {
        return new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(payload.slice(0, 10));
              init?.signal?.addEventListener('abort', () => controller.error(new Error('aborted')));
            },
          }),
        );
      }
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(payload.slice(0, 400));
          controller.enqueue(payload.slice(400));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-length': '1000' } });
    }) as typeof fetch;
    const source = urlSource('https://example.test/model', fakeFetch);
    const seen: number[] = [];
    const bytes = await source.read('model.safetensors', { onProgress: (p) => seen.push(p.loaded / (p.total ?? 1)) });
    expect(bytes!.byteLength).toBe(1000);
    expect(seen).toEqual([0.4, 1]);
    expect(await source.read('missing.json')).toBeNull();
    const controller = new AbortController();
    const pending = source.read('slow.bin', { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toThrow('loading slow.bin was cancelled');
  });

  it('names the file and how far it got when a download is cut', async () => {
    const cut = (fails: boolean) =>
      (async () => {
        let sent = false;
        return new Response(
          new ReadableStream<Uint8Array>({
            // The first read gets 300 bytes; the next finds the connection gone (or closed early).
            pull(controller) {
              if (sent) {
                if (fails) controller.error(new TypeError('network error'));
                else controller.close();
                return;
              }
              sent = true;
              controller.enqueue(new Uint8Array(300));
            },
          }),
          { headers: { 'content-length': '1000' } },
        );
      }) as typeof fetch;
    await expect(urlSource('https://example.test/m', cut(true)).read('model.safetensors')).rejects.toThrow(
      'https://example.test/m/model.safetensors: the download stopped after 300 of 1,000 bytes (network error)',
    );
    await expect(urlSource('https://example.test/m', cut(false)).read('model.safetensors')).rejects.toThrow(
      'https://example.test/m/model.safetensors: the download ended after 300 of 1,000 bytes',
    );
  });
});
