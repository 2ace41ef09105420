/** mulberry32: a tiny, fast, seedable PRNG (Math.random cannot be seeded), uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates, in place, with a seeded generator (returns xs). */
export function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Indices split per label: a seeded shuffle, then the first round(n·fraction) held out —
 * never a label's last training example. The page's two few-shot methods call it with the
 * same seed, so they are scored on the same held-out examples.
 */
export function stratifiedSplit(
  targets: number[],
  classes: number,
  fraction: number,
  random: () => number,
): { train: number[]; validation: number[] } {
  const train: number[] = [];
  const validation: number[] = [];
  for (let c = 0; c < classes; c++) {
    const members = shuffle(targets.flatMap((t, i) => (t === c ? [i] : [])), random);
    const held = Math.max(Math.min(Math.round(members.length * fraction), members.length - 1), 0);
    validation.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}
