/**
 * Step 4, the few-parameter fit: regularised multinomial logistic regression
 * on each label's scores, pulled towards the zero-shot classifier.
 */
import { softmax } from '../../util/softmax';

export interface FitOptions {
  /** L2 pull of every weight towards its zero-shot value, per example-free unit; default 1. */
  l2?: number;
  steps?: number;
}

/**
 * Multinomial logistic regression with a few parameters per label — logit_c =
 * Σ_g w_cg·x_cg + b_c over G score groups (the label words, and the words found
 * in the examples) — minimising the mean cross-entropy + (l2 / n)·Σ((w − prior)² + b²).
 * The prior is the zero-shot classifier (label words weigh 1, found words 0),
 * so with few examples the fit stays near it and moves only as far as the
 * examples insist. Deterministic: full-batch Newton steps on a convex loss.
 * `x[i][c][g]`: example i, label c, group g.
 */
export function fitLabelWeights(
  x: number[][][],
  targets: number[],
  classes: number,
  prior: number[],
  options: FitOptions = {},
): { weights: number[][]; bias: number[] } {
  const l2 = options.l2 ?? 1;
  const steps = options.steps ?? 50;
  const G = prior.length;
  const per = G + 1; // label c's parameters: θ[c·per + g] = w_cg, θ[c·per + G] = b_c
  const P = classes * per;
  const start = Array.from({ length: P }, (_, k) => (k % per < G ? prior[k % per] : 0));
  const theta = [...start];
  const n = x.length;
  const unpack = () => ({
    weights: Array.from({ length: classes }, (_, c) => theta.slice(c * per, c * per + G)),
    bias: Array.from({ length: classes }, (_, c) => theta[c * per + G]),
  });
  if (n === 0) return unpack();
  for (let step = 0; step < steps; step++) {
    const grad = new Array<number>(P).fill(0);
    const hess = Array.from({ length: P }, () => new Array<number>(P).fill(0));
    for (let i = 0; i < n; i++) {
      // u_c: ∂z_c/∂(label c's parameters) = [x_c1 … x_cG, 1]; other labels' parameters do not move z_c.
      const u = x[i].map((xc) => [...xc, 1]);
      const p = softmax(u.map((uc, c) => uc.reduce((z, v, g) => z + v * theta[c * per + g], 0)));
      for (let c = 0; c < classes; c++) {
        const r = p[c] - (targets[i] === c ? 1 : 0);
        for (let g = 0; g < per; g++) grad[c * per + g] += r * u[c][g];
        // Hessian of the cross-entropy: (δ_cd p_c − p_c p_d) u_c u_dᵀ.
        for (let d = 0; d < classes; d++) {
          const w = (c === d ? p[c] : 0) - p[c] * p[d];
          if (w === 0) continue;
          for (let g = 0; g < per; g++) for (let h = 0; h < per; h++) hess[c * per + g][d * per + h] += w * u[c][g] * u[d][h];
        }
      }
    }
    for (let k = 0; k < P; k++) {
      grad[k] = grad[k] / n + ((2 * l2) / n) * (theta[k] - start[k]);
      for (let m = 0; m < P; m++) hess[k][m] /= n;
      hess[k][k] += (2 * l2) / n + 1e-9;
    }
    const delta = solve(hess, grad);
    let moved = 0;
    for (let k = 0; k < P; k++) {
      theta[k] -= delta[k];
      moved = Math.max(moved, Math.abs(delta[k]));
    }
    if (moved < 1e-10) break;
  }
  return unpack();
}

/** Gaussian elimination with partial pivoting; A is small (2·labels square). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    const d = M[col][col];
    if (Math.abs(d) < 1e-300) continue;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = M[r][col] / d;
      if (f !== 0) for (let c = col; c <= n; c++) M[r][c] -= f * M[col][c];
    }
  }
  return M.map((row, i) => (Math.abs(row[i]) < 1e-300 ? 0 : row[n] / row[i]));
}
