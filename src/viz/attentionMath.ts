/**
 * Pure arithmetic on attention matrices (n×n Float32Array, row-major, row =
 * query, column = key). No DOM, no D3: everything here is unit-tested in Node.
 */

function checkSquare(matrix: ArrayLike<number>, n: number, what = 'matrix'): void {
  if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: n must be a non-negative integer, got ${n}`);
  if (matrix.length !== n * n) throw new Error(`${what}: expected ${n}×${n} = ${n * n} values, got ${matrix.length}`);
}

/** Side length of a square row-major matrix; throws if the length is not a square. */
export function sideOf(matrix: ArrayLike<number>): number {
  const n = Math.round(Math.sqrt(matrix.length));
  if (n * n !== matrix.length) throw new Error(`not a square matrix: ${matrix.length} values`);
  return n;
}

/** Sum of each row. */
export function rowSums(matrix: ArrayLike<number>, n: number): Float64Array {
  checkSquare(matrix, n);
  const sums = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += matrix[i * n + j];
    sums[i] = s;
  }
  return sums;
}

/**
 * Divides each row by its sum so it sums to 1 again. A row that sums to 0 is
 * left at 0: it attended to none of the columns kept, and inventing a uniform
 * distribution would show attention the model never paid.
 */
export function normalizeRows(matrix: Float32Array, n: number): Float32Array {
  const sums = rowSums(matrix, n);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const s = sums[i];
    if (s <= 0) continue;
    for (let j = 0; j < n; j++) out[i * n + j] = matrix[i * n + j] / s;
  }
  return out;
}

/** Indices of the tokens that are not special ([CLS], [SEP], [PAD] by default). */
export function nonSpecialIndices(
  tokens: readonly string[],
  special: readonly string[] = ['[CLS]', '[SEP]', '[PAD]'],
): number[] {
  const set = new Set(special);
  const keep: number[] = [];
  tokens.forEach((t, i) => {
    if (!set.has(t)) keep.push(i);
  });
  return keep;
}

/**
 * The sub-matrix over the kept tokens (rows and columns, in the given order),
 * rows renormalised to sum to 1.
 *
 * Why renormalise: BERT heads park much of their attention on [CLS] and [SEP]
 * (a "no-op" sink, Clark et al. 2019), which makes the word-to-word pattern
 * faint. Dropping those columns and renormalising answers the question
 * "among the words, where does this word look?" — a conditional distribution,
 * not the raw weight; the UI should say so next to the toggle.
 */
export function hideSpecial(matrix: Float32Array, n: number, keepIndices: readonly number[]): Float32Array {
  checkSquare(matrix, n, 'hideSpecial');
  for (const k of keepIndices) {
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`hideSpecial: index ${k} out of range 0..${n - 1}`);
  }
  const m = keepIndices.length;
  const sub = new Float32Array(m * m);
  for (let a = 0; a < m; a++) {
    const row = keepIndices[a] * n;
    for (let b = 0; b < m; b++) sub[a * m + b] = matrix[row + keepIndices[b]];
  }
  return normalizeRows(sub, m);
}

/** Element-wise mean of the heads of one layer. */
export function meanOverHeads(heads: readonly Float32Array[]): Float32Array {
  if (heads.length === 0) throw new Error('meanOverHeads: no heads');
  const size = heads[0].length;
  const out = new Float32Array(size);
  for (const h of heads) {
    if (h.length !== size) throw new Error(`meanOverHeads: heads differ in size (${h.length} vs ${size})`);
    for (let i = 0; i < size; i++) out[i] += h[i];
  }
  for (let i = 0; i < size; i++) out[i] /= heads.length;
  return out;
}

/** The n×n identity. */
export function identity(n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Matrix product a · b of two n×n row-major matrices, accumulated in float64. */
export function matMul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float32Array {
  checkSquare(a, n, 'matMul a');
  checkSquare(b, n, 'matMul b');
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

/**
 * 0.5·A + 0.5·I, rows renormalised: the residual connection carries half of
 * each token's own representation past the attention (Abnar & Zuidema 2020).
 */
export function withResidual(matrix: Float32Array, n: number): Float32Array {
  checkSquare(matrix, n, 'withResidual');
  const out = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) out[i] = 0.5 * matrix[i];
  for (let i = 0; i < n; i++) out[i * n + i] += 0.5;
  return normalizeRows(out, n);
}

/**
 * Attention rollout (Abnar & Zuidema 2020): per layer, average the heads, add
 * the residual (0.5·A + 0.5·I, rows renormalised), then chain the layers:
 * rollout_L = Ā_L · … · Ā_1. Row i says how much of the last layer's token i
 * can be traced back to each input token j. With no layers it is the identity
 * (every token is only itself).
 */
export function rollout(layers: readonly (readonly Float32Array[])[], n: number): Float32Array {
  let acc = identity(n);
  for (const heads of layers) {
    const bar = withResidual(meanOverHeads(heads), n);
    acc = matMul(bar, acc, n); // later layers multiply from the left
  }
  return acc;
}

/**
 * Norm-weighted attention (Kobayashi et al. 2020): α_ij · ‖f(x_j)‖. A large
 * weight on a token whose transformed value vector is tiny moves nothing;
 * this shows what the head actually mixes in. With normalizeRows the rows are
 * rescaled to sum to 1 so the result can share a colour scale with attention.
 */
export function normWeighted(
  matrix: Float32Array,
  valueNorms: ArrayLike<number>,
  options: { normalizeRows?: boolean } = {},
): Float32Array {
  const n = valueNorms.length;
  checkSquare(matrix, n, 'normWeighted');
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = matrix[i * n + j] * valueNorms[j];
  }
  return options.normalizeRows ? normalizeRows(out, n) : out;
}

/** 1 where key ≤ query: a GPT-style decoder sees only itself and the tokens to its left. */
export function causalMask(n: number): Uint8Array {
  const out = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[i * n + j] = 1;
  return out;
}

/** All ones: BERT lets every token see every other token, left and right. */
export function bidirectionalMask(n: number): Uint8Array {
  return new Uint8Array(n * n).fill(1);
}

/** Number of keys each query may see (non-zero entries per row). */
export function visibleCounts(mask: ArrayLike<number>, n: number): number[] {
  checkSquare(mask, n, 'visibleCounts');
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < n; j++) if (mask[i * n + j] !== 0) c++;
    counts.push(c);
  }
  return counts;
}
