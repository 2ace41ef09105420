import { describe, expect, it } from 'vitest';
import { Holds } from '../src/worker/holds';

/** A stand-in model that counts its disposals. */
interface Model {
  disposed: number;
  dispose(): void;
}
function model(): Model {
  const m = { disposed: 0, dispose: () => void m.disposed++ };
  return m;
}

// One owner, as in the worker (src/worker/host.ts's registry); fresh per file is enough: models are never shared between tests.
const holds = new Holds<Model>();
const hold = (m: Model) => holds.hold(m);
const holdAll = (ms: (Model | null)[]) => holds.holdAll(ms);
const letGo = (m: Model) => holds.letGo(m);
const withHeld = <T,>(ms: (Model | null)[], run: () => Promise<T>) => holds.withHeld(ms, run);

describe('model holds (the worker frees a model replaced mid-run when the run ends)', () => {
  it('a model no run holds is freed as soon as the page lets go of it', () => {
    const m = model();
    letGo(m);
    expect(m.disposed).toBe(1);
    letGo(m);
    expect(m.disposed).toBe(1);
  });

  it('a model replaced mid-run lives until the last run holding it ends', () => {
    const m = model();
    const first = hold(m)!;
    const second = hold(m)!;
    letGo(m);
    expect(m.disposed).toBe(0);
    first();
    first(); // releasing twice counts once
    expect(m.disposed).toBe(0);
    second();
    expect(m.disposed).toBe(1);
  });

  it('runs that end before the page lets go leave the model to the page', () => {
    const m = model();
    hold(m)!();
    expect(m.disposed).toBe(0);
    letGo(m);
    expect(m.disposed).toBe(1);
  });

  it('a freed model cannot be held again', () => {
    const m = model();
    letGo(m);
    expect(hold(m)).toBeNull();
  });

  it('holding several models holds none when one is already freed', () => {
    const live = model();
    const gone = model();
    letGo(gone);
    expect(holdAll([live, null, gone])).toBeNull();
    letGo(live); // the failed holdAll kept no hold on it
    expect(live.disposed).toBe(1);
  });
});

describe('withHeld', () => {
  it('holds every model for the whole run, and frees one let go meanwhile when the run ends', async () => {
    const main = model();
    const twin = model();
    let finish!: (v: string) => void;
    const running = withHeld([main, twin, null], () => new Promise<string>((resolve) => (finish = resolve)));
    letGo(main);
    letGo(twin);
    expect([main.disposed, twin.disposed]).toEqual([0, 0]);
    finish('done');
    await expect(running).resolves.toBe('done');
    expect([main.disposed, twin.disposed]).toEqual([1, 1]);
  });

  it('releases the models when the run throws', async () => {
    const m = model();
    const failing = withHeld([m], () => Promise.reject(new Error('boom')));
    letGo(m);
    expect(m.disposed).toBe(0);
    await expect(failing).rejects.toThrow('boom');
    expect(m.disposed).toBe(1);
  });

  it('does not start the run when a model is already freed, and holds none of the others', async () => {
    const live = model();
    const gone = model();
    letGo(gone);
    let started = false;
    const result = await withHeld([live, gone], async () => {
      started = true;
      return 'ran';
    });
    expect(result).toBeNull();
    expect(started).toBe(false);
    letGo(live);
    expect(live.disposed).toBe(1);
  });

  it('leaves a model no one let go of to the page', async () => {
    const m = model();
    await withHeld([m], async () => 1);
    expect(m.disposed).toBe(0);
    letGo(m);
    expect(m.disposed).toBe(1);
  });
});
