/**
 * Who frees a model's weights, by ownership rather than by a timer (a run may
 * take 50 ms on one sentence or minutes of training):
 *
 *  - the page owns the models it loaded, and lets go of one (a `release`
 *    message) when another replaces it;
 *  - a run holds the models it runs on from the moment the worker receives it
 *    until it ends (`hold` … release), so the weights cannot vanish between its steps;
 *  - a model is freed when the page has let go of it and no run holds it: at
 *    once if none does, else by the last run to release it.
 *
 * A model already let go and freed cannot be held again: `hold` returns null,
 * and the run must not start (it was asked for with a model that is gone).
 */
export interface Disposable {
  dispose(): void;
}

export class Holds<M extends Disposable> {
  private readonly holders = new Map<M, number>();
  private readonly lettingGo = new Set<M>();
  private readonly freed = new WeakSet<M>();

  /** Keeps `model` alive until the returned release is called (once; later calls do nothing). */
  hold(model: M): (() => void) | null {
    if (this.freed.has(model)) return null;
    this.holders.set(model, (this.holders.get(model) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.holders.get(model) ?? 1) - 1;
      if (left > 0) {
        this.holders.set(model, left);
        return;
      }
      this.holders.delete(model);
      if (this.lettingGo.delete(model)) this.free(model);
    };
  }

  /** Holds every model of `models` (nulls skipped), or none and null when one is already freed. */
  holdAll(models: readonly (M | null)[]): (() => void) | null {
    const releases = models.filter((m) => m !== null).map((m) => this.hold(m));
    const releaseAll = () => releases.forEach((release) => release?.());
    if (releases.includes(null)) {
      releaseAll();
      return null;
    }
    return releaseAll;
  }

  /**
   * Runs `run` holding every model of `models` until it settles, however it ends.
   * Null, without calling `run`, when one is already freed.
   */
  async withHeld<T>(models: readonly (M | null)[], run: () => Promise<T>): Promise<T | null> {
    const release = this.holdAll(models);
    if (release === null) return null;
    try {
      return await run();
    } finally {
      release();
    }
  }

  /** The owner is done with `model`: free it now, or when the last run holding it ends. */
  letGo(model: M): void {
    if (this.freed.has(model)) return;
    if (this.holders.has(model)) this.lettingGo.add(model);
    else this.free(model);
  }

  /** Whether `model` was let go of (freed now, or as soon as its last run ends). */
  isGone(model: M): boolean {
    return this.freed.has(model) || this.lettingGo.has(model);
  }

  private free(model: M): void {
    this.freed.add(model);
    model.dispose();
  }
}
