/** Probabilities from scores: exp(x − max) / Σ, the max subtracted so large scores do not overflow. */
export function softmax(scores: ArrayLike<number>): number[] {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const exps = Array.from(scores, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Index of the largest value (the first, on ties). */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/**
 * Indices of the k largest values, largest first; ties keep the lower index
 * first (as a stable sort would). One pass with a small sorted buffer instead
 * of sorting the whole row: O(V·k) worst case, about O(V) in practice — a
 * 30k vocabulary is read once, not sorted.
 */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  if (k <= 0) return best;
  for (let v = 0; v < values.length; v++) {
    if (best.length === k && values[v] <= values[best[k - 1]]) continue;
    let at = best.length === k ? k - 1 : best.length;
    if (best.length < k) best.push(v);
    // Strictly smaller neighbours move down, so an equal value stays behind the earlier index.
    while (at > 0 && values[best[at - 1]] < values[v]) {
      best[at] = best[at - 1];
      at--;
    }
    best[at] = v;
  }
  return best;
}
