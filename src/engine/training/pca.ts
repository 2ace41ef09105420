/**
 * Principal component analysis down to two dimensions, for plotting sentence
 * vectors. Plain arrays, no tensors: a few hundred vectors of a few hundred
 * dimensions take milliseconds, and the result must not depend on the backend.
 */

export interface Pca2d {
  /** Each vector's coordinates on the first two principal components. */
  points: [number, number][];
  /** Fraction of the total variance along each component. */
  explained: [number, number];
}

const ITERATIONS = 500;
const TOLERANCE = 1e-12;

/**
 * Top two principal components by power iteration on the centred data
 * (Xᵀ(Xv) without forming the covariance, so memory stays n·d). Deterministic:
 * the iteration starts from the vector of largest norm, and each component's
 * sign is fixed so that its largest-magnitude loading is positive (as
 * scikit-learn's svd_flip does) — the same input always gives the same picture.
 */
export function pca2d(vectors: Float32Array[]): Pca2d {
  const n = vectors.length;
  if (n === 0) return { points: [], explained: [0, 0] };
  const d = vectors[0].length;
  for (const [i, v] of vectors.entries()) {
    if (v.length !== d) throw new Error(`pca2d: vector ${i} has ${v.length} dimensions, vector 0 has ${d}`);
  }
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j] += v[j] / n;
  const X = vectors.map((v) => Float64Array.from(v, (x, j) => x - mean[j]));
  let total = 0;
  for (const row of X) for (let j = 0; j < d; j++) total += row[j] * row[j];

  const components: Float64Array[] = [];
  const variances: number[] = [];
  for (let c = 0; c < 2; c++) {
    const deflate = (v: Float64Array) => {
      for (const u of components) {
        const dot = u.reduce((s, x, j) => s + x * v[j], 0);
        for (let j = 0; j < d; j++) v[j] -= dot * u[j];
      }
    };
    // Start from the row of largest norm once earlier components are removed: it lies in the data's span.
    let v: Float64Array = new Float64Array(d);
    let best = -1;
    for (const row of X) {
      const r: Float64Array = Float64Array.from(row);
      deflate(r);
      const norm = Math.hypot(...r);
      if (norm > best) [best, v] = [norm, r];
    }
    let lambda = 0;
    if (best > 1e-12) {
      normalise(v);
      for (let it = 0; it < ITERATIONS; it++) {
        const next: Float64Array = covarianceTimes(X, v);
        deflate(next);
        const norm = normalise(next);
        const change = next.reduce((s, x, j) => s + (x - v[j]) ** 2, 0);
        v = next;
        lambda = norm;
        if (norm === 0 || change < TOLERANCE) break;
      }
    }
    if (lambda === 0) v = new Float64Array(d); // no variance left: every point projects to 0
    let argmax = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[argmax])) argmax = j;
    if (v[argmax] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    components.push(v);
    variances.push(lambda);
  }
  const points = X.map((row): [number, number] => {
    const p = components.map((u) => u.reduce((s, x, j) => s + x * row[j], 0));
    return [p[0], p[1]];
  });
  const explained: [number, number] = total > 0 ? [variances[0] / total, variances[1] / total] : [0, 0];
  return { points, explained };
}

/** Xᵀ(X v): the (unnormalised) covariance applied to v. */
function covarianceTimes(X: Float64Array[], v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  for (const row of X) {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += row[j] * v[j];
    for (let j = 0; j < v.length; j++) out[j] += dot * row[j];
  }
  return out;
}

function normalise(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = Math.sqrt(s);
  if (norm > 0) for (let j = 0; j < v.length; j++) v[j] /= norm;
  return norm;
}
