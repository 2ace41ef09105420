import type { Bert } from '../engine';

/**
 * Who frees a model's weights, by ownership rather than by a timer (a run may
 * take 50 ms on one sentence or minutes of training):
 *
 *  - the page (useModels) owns the models it loaded, and `letGo`es of one
 *    when another replaces it;
 *  - a run holds the model it runs on, from the moment it is asked for until
 *    it ends (`hold` … release), so the weights cannot vanish between its steps;
 *  - a model is freed when the page has let go of it and no run holds it: at
 *    once if none does, else by the last run to release it.
 *
 * A model already let go and freed cannot be held again: `hold` returns null,
 * and the run must not start (it was asked for with a model that is gone).
 */
const holders = new Map<Bert, number>();
const lettingGo = new Set<Bert>();
const freed = new WeakSet<Bert>();

/** Keeps `bert` alive until the returned release is called (once; later calls do nothing). */
export function hold(bert: Bert): (() => void) | null {
  if (freed.has(bert)) return null;
  holders.set(bert, (holders.get(bert) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (holders.get(bert) ?? 1) - 1;
    if (left > 0) {
      holders.set(bert, left);
      return;
    }
    holders.delete(bert);
    if (lettingGo.delete(bert)) free(bert);
  };
}

/** Holds every model of `models` (nulls skipped), or none and null when one is already freed. */
export function holdAll(models: readonly (Bert | null)[]): (() => void) | null {
  const releases = models.filter((m) => m !== null).map(hold);
  const releaseAll = () => releases.forEach((release) => release?.());
  if (releases.includes(null)) {
    releaseAll();
    return null;
  }
  return releaseAll;
}

/**
 * Runs `run` holding every model of `models` until it settles, however it ends.
 * Null, without calling `run`, when one is already freed: the run was asked for
 * with a model that has since been replaced, and ends as a cancelled one does.
 */
export async function withHeld<T>(models: readonly (Bert | null)[], run: () => Promise<T>): Promise<T | null> {
  const release = holdAll(models);
  if (release === null) return null;
  try {
    return await run();
  } finally {
    release();
  }
}

/** The owner is done with `bert`: free it now, or when the last run holding it ends. */
export function letGo(bert: Bert): void {
  if (freed.has(bert)) return;
  if (holders.has(bert)) lettingGo.add(bert);
  else free(bert);
}

function free(bert: Bert): void {
  freed.add(bert);
  bert.dispose();
}
