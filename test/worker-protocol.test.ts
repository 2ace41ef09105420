import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient, type WorkerLike } from '../src/worker/client';
import { type Context, ModelRegistry, serve } from '../src/worker/host';
import { ERROR_NAMES, transferables } from '../src/worker/protocol';

/** A stand-in model that counts its disposals. */
class Model {
  disposed = 0;
  constructor(readonly name: string) {}
  dispose() {
    this.disposed++;
  }
}
type Ctx<P = never> = Context<Model, P>;

/** A promise the test resolves by hand: a run that ends when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Everything a worker's side would have: ops over a registry, answering on a port; `log` records what ran. */
function workerSide(port: MessagePort) {
  const registry = new ModelRegistry<Model>();
  const log: string[] = [];
  const gates = new Map<string, ReturnType<typeof gate>>();
  const signals = new Map<string, AbortSignal>();
  const ops = {
    add: async (_ctx: Ctx, a: number, b: number) => a + b,
    fail: async (_ctx: Ctx, message: string) => {
      throw new Error(message);
    },
    count: async (ctx: Ctx<number>, n: number) => {
      for (let i = 1; i <= n; i++) ctx.progress(i);
      return n;
    },
    /** Typed arrays over one shared buffer, as an encoding's attention maps are. */
    arrays: async (_ctx: Ctx) => {
      const whole = new Float32Array([1, 2, 3, 4, 5, 6]);
      sent.push(whole);
      return { a: whole.subarray(0, 3), b: [whole.subarray(3)], copy: whole.slice(0, 2) };
    },
    /** Runs until the test opens its gate; answers whether its signal fired. */
    wait: async (ctx: Ctx, name: string) => {
      log.push(`start ${name}`);
      signals.set(name, ctx.signal);
      const g = gate();
      gates.set(name, g);
      await g.opened;
      log.push(`end ${name}`);
      return { name, aborted: ctx.signal.aborted };
    },
    make: async (_ctx: Ctx, name: string) => registry.add(new Model(name)),
    release: async (_ctx: Ctx, id: number) => registry.release(id),
    use: async (ctx: Ctx, id: number, name: string) => {
      const model = ctx.model(id);
      log.push(`use ${model.name}`);
      const g = gate();
      gates.set(name, g);
      await g.opened;
      return model.disposed;
    },
  };
  const sent: Float32Array[] = [];
  const endpoint = {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer as never),
    addEventListener: (_type: 'message', listener: (event: MessageEvent) => void) => port.on('message', (data) => listener({ data } as MessageEvent)),
  };
  serve(endpoint, ops, registry);
  return { ops, log, gates, signals, registry, sent };
}
type Ops = ReturnType<typeof workerSide>['ops'];

/** A fake Worker: one end of a MessageChannel, with 'error' events the test can fire and terminate(). */
class FakeWorker implements WorkerLike {
  private readonly errorListeners: ((event: Event) => void)[] = [];
  terminated = false;
  constructor(readonly port: MessagePort) {}
  postMessage(message: unknown) {
    if (!this.terminated) this.port.postMessage(message);
  }
  addEventListener(type: string, listener: (event: never) => void) {
    if (type === 'message') this.port.on('message', (data) => (listener as (e: MessageEvent) => void)({ data } as MessageEvent));
    else if (type === 'error') this.errorListeners.push(listener as (e: Event) => void);
  }
  terminate() {
    this.terminated = true;
    this.port.close();
  }
  crash(message: string) {
    this.errorListeners.forEach((l) => l({ message } as unknown as Event));
  }
}

const clients: EngineClient<Ops>[] = [];
afterEach(() => clients.splice(0).forEach((c) => c.dispose()));

/** A client whose every spawned worker is a fresh worker side; `workers` lists them in order. */
function setup(options: { quietMs?: number; pingMs?: number; maxRestarts?: number } = {}) {
  const workers: { fake: FakeWorker; side: ReturnType<typeof workerSide> }[] = [];
  const client = new EngineClient<Ops>({
    ...options,
    spawn: () => {
      const { port1, port2 } = new MessageChannel();
      const fake = new FakeWorker(port1);
      workers.push({ fake, side: workerSide(port2) });
      return fake;
    },
  });
  clients.push(client);
  return { client, workers, side: () => workers[workers.length - 1].side };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('engine protocol: calls, progress, errors', () => {
  it('answers a call with its result, routes progress to its callback, and an error with its name and message', async () => {
    const { client } = setup();
    await expect(client.call('add', [2, 3])).resolves.toBe(5);
    const seen: number[] = [];
    await expect(client.call('count', [3], { onProgress: (n) => seen.push(n) })).resolves.toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    const error = await client.call('fail', ['no such word']).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('no such word');
    expect((error as Error).name).toBe('Error');
  });

  it('moves the buffers of typed arrays instead of copying them, and views of one buffer stay views of one buffer', async () => {
    const { client, side } = setup();
    const result = await client.call('arrays', []);
    // The worker's array was moved out: its buffer is detached there.
    expect(side().sent[0].byteLength).toBe(0);
    expect(Array.from(result.a)).toEqual([1, 2, 3]);
    expect(Array.from(result.b[0])).toEqual([4, 5, 6]);
    expect(result.a.buffer).toBe(result.b[0].buffer);
    expect(Array.from(result.copy)).toEqual([1, 2]);
  });

  it('lists each buffer once, skips number arrays, and follows Maps', () => {
    const whole = new Float32Array(8);
    const other = new Uint8Array(2);
    const list = transferables({ x: [whole.subarray(0, 4), whole.subarray(4)], ids: [1, 2, 3], files: new Map([['a', other]]) });
    expect(list).toHaveLength(2);
    expect(list).toContain(whole.buffer);
    expect(list).toContain(other.buffer);
  });
});

describe('engine protocol: a newer call supersedes a stale one', () => {
  it('rejects the stale call at once with an AbortError, aborts it in the worker, drops a waiting one, and runs only the newest', async () => {
    const { client, side } = setup();
    const first = client.call('wait', ['first'], { channel: 'views' });
    await until(() => side().log.includes('start first'));
    const second = client.call('wait', ['second'], { channel: 'views' });
    const third = client.call('wait', ['third'], { channel: 'views' });
    await expect(first).rejects.toMatchObject({ name: ERROR_NAMES.abort });
    await expect(second).rejects.toMatchObject({ name: ERROR_NAMES.abort });
    // The running one was told (its signal fired); the waiting one never started.
    await until(() => side().signals.get('first')?.aborted === true);
    side().gates.get('first')!.open();
    await until(() => side().log.includes('start third'));
    side().gates.get('third')!.open();
    await expect(third).resolves.toEqual({ name: 'third', aborted: false });
    expect(side().log).toEqual(['start first', 'end first', 'start third', 'end third']);
  });

  it('keeps channels apart, and calls without a channel run side by side', async () => {
    const { client, side } = setup();
    const a = client.call('wait', ['a'], { channel: 'one' });
    const b = client.call('wait', ['b'], { channel: 'two' });
    const c = client.call('wait', ['c']);
    await until(() => ['start a', 'start b', 'start c'].every((s) => side().log.includes(s)));
    ['a', 'b', 'c'].forEach((n) => side().gates.get(n)!.open());
    await expect(Promise.all([a, b, c])).resolves.toHaveLength(3);
  });

  it('a cancelled call (its signal) is aborted in the worker, which still answers it', async () => {
    const { client, side } = setup();
    const abort = new AbortController();
    const run = client.call('wait', ['long'], { signal: abort.signal });
    await until(() => side().log.includes('start long'));
    abort.abort();
    await until(() => side().signals.get('long')?.aborted === true);
    side().gates.get('long')!.open();
    // Like a stopped training that keeps its head so far: the operation decides the answer.
    await expect(run).resolves.toEqual({ name: 'long', aborted: true });
  });
});

describe('engine protocol: models held by runs', () => {
  it('a model released mid-run is freed when the run ends; a run asked for after the release is refused as gone', async () => {
    const { client, side } = setup();
    const id = await client.call('make', ['mini']);
    const model = side().registry.get(id)!;
    const run = client.call('use', [id, 'run'], { models: [id] });
    await until(() => side().log.includes('use mini'));
    await client.call('release', [id]);
    expect(model.disposed).toBe(0);
    const late = client.call('use', [id, 'late'], { models: [id] });
    await expect(late).rejects.toMatchObject({ name: ERROR_NAMES.gone });
    side().gates.get('run')!.open();
    await expect(run).resolves.toBe(0); // alive for its whole run
    expect(model.disposed).toBe(1);
  });

  it('a model named by a waiting call stays alive until that call is dropped', async () => {
    const { client, side } = setup();
    const id = await client.call('make', ['twin']);
    const model = side().registry.get(id)!;
    const running = client.call('wait', ['busy'], { channel: 'c' }).catch((e: Error) => e);
    await until(() => side().log.includes('start busy'));
    const waiting = client.call('use', [id, 'w'], { channel: 'c', models: [id] }).catch((e: Error) => e);
    await client.call('release', [id]);
    expect(model.disposed).toBe(0); // held by the waiting call
    const newest = client.call('add', [1, 1], { channel: 'c' });
    expect(await waiting).toMatchObject({ name: ERROR_NAMES.abort });
    await until(() => model.disposed === 1); // dropped: its hold went with it
    expect(await running).toMatchObject({ name: ERROR_NAMES.abort });
    side().gates.get('busy')!.open();
    await expect(newest).resolves.toBe(2);
  });
});

describe('engine protocol: a worker that stops', () => {
  it("a crash (the worker's 'error' event) fails the waiting calls, starts a new worker and says why", async () => {
    const { client, workers, side } = setup();
    const restarts: { reason: string; gaveUp: boolean }[] = [];
    client.onRestart((r) => restarts.push(r));
    const waiting = client.call('wait', ['doomed']);
    await until(() => side().log.includes('start doomed'));
    workers[0].fake.crash('Uncaught Error: out of memory');
    await expect(waiting).rejects.toMatchObject({ name: ERROR_NAMES.stopped, message: 'the engine stopped (Uncaught Error: out of memory)' });
    expect(restarts).toEqual([{ reason: 'Uncaught Error: out of memory', gaveUp: false }]);
    expect(workers).toHaveLength(2);
    expect(workers[0].fake.terminated).toBe(true);
    await expect(client.call('add', [40, 2])).resolves.toBe(42); // the new worker answers
  });

  it('a worker that stops answering is noticed by the watchdog: a call waits, a ping goes unanswered, a new worker starts', async () => {
    const { client, workers, side } = setup({ quietMs: 40, pingMs: 80 });
    const restarts: string[] = [];
    client.onRestart((r) => restarts.push(r.reason));
    const waiting = client.call('wait', ['hung']);
    await until(() => side().log.includes('start hung'));
    workers[0].side.gates.clear();
    // The worker side goes away without a word (as `self.close()` or a killed process would).
    workers[0].fake.port.close();
    await expect(waiting).rejects.toMatchObject({ name: ERROR_NAMES.stopped });
    expect(restarts[0]).toMatch(/stopped answering/);
    await expect(client.call('add', [1, 2])).resolves.toBe(3);
  });

  it('a slow run that still answers pings is not taken for a dead worker', async () => {
    const { client, side } = setup({ quietMs: 20, pingMs: 40 });
    const restarts: string[] = [];
    client.onRestart((r) => restarts.push(r.reason));
    const slow = client.call('wait', ['slow']);
    await new Promise((r) => setTimeout(r, 200)); // several pings' worth
    side().gates.get('slow')!.open();
    await expect(slow).resolves.toEqual({ name: 'slow', aborted: false });
    expect(restarts).toEqual([]);
  });

  it('gives up after too many stops in a minute (a worker that fails as it starts would loop)', async () => {
    const { client, workers } = setup({ maxRestarts: 2 });
    const restarts: boolean[] = [];
    client.onRestart((r) => restarts.push(r.gaveUp));
    for (let i = 0; i < 3; i++) workers[workers.length - 1].fake.crash('bad start');
    expect(restarts).toEqual([false, false, true]);
    expect(workers).toHaveLength(3);
    await expect(client.call('add', [1, 1])).rejects.toMatchObject({ name: ERROR_NAMES.stopped });
  });
});
