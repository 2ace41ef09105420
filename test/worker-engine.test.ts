import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, fromCheckpoint, initBackend, randomCheckpoint } from '../src/engine';
import type { WorkerLike } from '../src/worker/client';
import { serve } from '../src/worker/host';
import { describeError, ops, registry } from '../src/worker/ops';
import { isCancel, RemoteEngine } from '../src/worker/remote';

/**
 * The page's engine end to end, in Node: RemoteEngine (the page's side) talking over a
 * MessageChannel to the worker's real operations (src/worker/ops.ts) on the cpu backend.
 * The same engine, two hosts: results through the worker equal the engine's own.
 */
const SHAPE = { layers: 2, hidden: 32, heads: 2, intermediate: 64, vocabSize: 200, maxPositions: 64 };
let remote: RemoteEngine;
let port: MessageChannel['port1'];

beforeAll(async () => {
  await initBackend({ chain: ['cpu'] });
  const { port1, port2 } = new MessageChannel();
  port = port1;
  serve(
    {
      postMessage: (message, transfer) => port2.postMessage(message, transfer as never),
      addEventListener: (_type, listener) => port2.on('message', (data) => listener({ data } as MessageEvent)),
    },
    ops,
    registry,
    { describeError },
  );
  const fake: WorkerLike = {
    postMessage: (message: unknown) => port1.postMessage(message),
    addEventListener: (type: string, listener: (event: never) => void) => {
      if (type === 'message') port1.on('message', (data) => (listener as (e: MessageEvent) => void)({ data } as MessageEvent));
    },
    terminate: () => port1.close(),
  };
  remote = new RemoteEngine(() => fake);
});
afterAll(() => port.close());

describe('the engine through its worker protocol', () => {
  it('starts the backend, loads a model as a handle with its own tokenizer, and encodes as the engine does', async () => {
    const started = await remote.call('initBackend', [{ forced: 'cpu' }]);
    expect(started.choice.name).toBe('cpu');
    expect(started.selfTest.ok).toBe(true);
    const { model } = await remote.loadModel({ kind: 'random', shape: SHAPE, seed: 3 });
    expect(model.config.layers).toBe(2);
    // The page's tokenizer, built from the vocabulary the worker sent, reads as the worker's does.
    const direct = fromCheckpoint(randomCheckpoint(SHAPE, 3));
    expect(model.tokenizer.encode('token12 token7').ids).toEqual(direct.tokenizer.encode('token12 token7').ids);

    const text = direct.tokenizer.idToToken(12) + ' ' + direct.tokenizer.idToToken(40);
    const viaWorker = await remote.call('encode', [model.id, text, { lm: 'all', valueNorms: true }], { models: [model] });
    const mine = await encode(direct, text, { lm: 'all', valueNorms: true });
    expect(viaWorker.ids).toEqual(mine.ids);
    expect(Array.from(viaWorker.attentions[1][1])).toEqual(Array.from(mine.attentions[1][1]));
    expect(Array.from(viaWorker.lm[0].logits)).toEqual(Array.from(mine.lm[0].logits));
    // One sentence's attention maps are views of one read-back buffer: they arrive as views of one buffer.
    expect(viaWorker.attentions[0][0].buffer).toBe(viaWorker.attentions[1][1].buffer);
    direct.dispose();
    remote.release(model);
  });

  it('the page views of a sentence: a newer call on the channel supersedes the one before', async () => {
    const { model } = await remote.loadModel({ kind: 'random', shape: SHAPE, seed: 4 });
    const options = { positions: [], withTwin: true, valueNorms: false };
    const stale = remote.call('encodeViews', [model.id, null, 'token5 token6', options], { models: [model], channel: 'views' }).catch((e: Error) => e);
    const fresh = remote.call('encodeViews', [model.id, null, 'token5 token6 token7', options], { models: [model], channel: 'views' });
    expect(isCancel(await stale)).toBe(true);
    const views = await fresh;
    expect(views.bert.ids).toHaveLength(5);
    expect(views.twin?.mask).toBe('causal'); // no twin: the main model again under the causal mask
    remote.release(model);
  });

  it('trains a head with progress and epochs reported as they happen, and refuses a released model as gone', async () => {
    const { model } = await remote.loadModel({ kind: 'random', shape: SHAPE, seed: 5 });
    const examples = Array.from({ length: 8 }, (_, i) => ({ text: `token${10 + i} token${20 + i}`, label: i % 2 === 0 ? 'a' : 'b' }));
    const events: string[] = [];
    const result = await remote.call('trainHead', [model.id, examples, { labels: ['a', 'b'], epochs: 3, validationFraction: 0.25 }], {
      models: [model],
      onProgress: (e) => events.push(e.kind),
    });
    expect(result.history).toHaveLength(3);
    expect(events.filter((k) => k === 'epoch')).toHaveLength(3);
    expect(events).toContain('progress');
    expect(result.heldOut).toBe(2);
    expect(result.head.layers[0].kernel).toBeInstanceOf(Float32Array);
    const classified = await remote.call('classify', [model.id, result.head, 'token10 token20'], { models: [model] });
    expect(Object.keys(classified.probs).sort()).toEqual(['a', 'b']);
    remote.release(model);
    const after = await remote.call('classify', [model.id, result.head, 'token10'], { models: [model] }).catch((e: Error) => e);
    expect(isCancel(after)).toBe(true);
  });
});
