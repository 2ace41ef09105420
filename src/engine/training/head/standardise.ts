/**
 * Features are standardised with the training set's mean and spread before
 * the head sees them, so one default step size suits every model (mean-pooled
 * LayerNorm outputs and tanh-pooled vectors differ in scale, and a few
 * dimensions often dominate). After training the scaling is folded into the
 * first layer, so a head is still just x·W + b on the raw sentence vector (and
 * exports exactly). Plain arrays only: both steps are tested exactly.
 */

export interface Standardisation {
  /** Per feature: the training rows' mean μ. */
  mu: Float32Array;
  /** Per feature: √(variance + 1e-6) — the small floor keeps a constant feature from dividing by zero. */
  sigma: Float32Array;
}

/** μ and σ of each of `width` features over the rows `use` (population variance). */
export function standardisation(rows: ArrayLike<number>[], use: number[], width: number): Standardisation {
  const mu = new Float32Array(width);
  const sigma = new Float32Array(width).fill(1);
  if (use.length === 0) return { mu, sigma };
  for (const i of use) for (let j = 0; j < width; j++) mu[j] += rows[i][j] / use.length;
  const variance = new Float32Array(width);
  for (const i of use) for (let j = 0; j < width; j++) variance[j] += (rows[i][j] - mu[j]) ** 2 / use.length;
  for (let j = 0; j < width; j++) sigma[j] = Math.sqrt(variance[j] + 1e-6);
  return { mu, sigma };
}

/**
 * A layer trained on standardised inputs, rewritten for raw ones:
 * ((x − μ)/σ)·W + b = x·(W/σ) + (b − (μ/σ)·W). `kernel` is [in, out]
 * row-major (y = x·kernel + bias); returns new arrays.
 */
export function foldStandardisation(
  layer: { kernel: Float32Array; bias: Float32Array; shape: [number, number] },
  { mu, sigma }: Standardisation,
): { kernel: Float32Array; bias: Float32Array } {
  const [inputs, out] = layer.shape;
  const kernel = Float32Array.from(layer.kernel);
  const bias = Float32Array.from(layer.bias);
  for (let j = 0; j < inputs; j++) {
    for (let k = 0; k < out; k++) {
      kernel[j * out + k] /= sigma[j];
      bias[k] -= mu[j] * kernel[j * out + k];
    }
  }
  return { kernel, bias };
}
