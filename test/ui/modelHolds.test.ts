import { describe, expect, it } from 'vitest';
import type { Bert } from '../../src/engine';
import { hold, letGo } from '../../src/ui/modelHolds';

/** A stand-in model that counts its disposals. */
function model(): Bert & { disposed: number } {
  const m = { disposed: 0, dispose: () => void m.disposed++ };
  return m as unknown as Bert & { disposed: number };
}

describe('model holds', () => {
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
});
