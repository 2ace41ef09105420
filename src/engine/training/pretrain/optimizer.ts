/**
 * AdamW (Loshchilov & Hutter 2019): Adam's step, plus weight decay applied to
 * the weights directly rather than through the gradient. As BERT and
 * tools/pretrain do: no decay on biases and LayerNorm parameters (every
 * tensor of rank < 2), the global gradient norm clipped to 1, and a learning
 * rate that warms up linearly and then decays.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay for matrices (rank ≥ 2). Default 0.01. */
  weightDecay?: number;
  /** The gradients' global norm is scaled down to at most this. Default 1; Infinity = no clipping. */
  clipNorm?: number;
}

/** tools/pretrain/train.py's settings: betas (0.9, 0.98), eps 1e-6, decay 0.01, clip 1. */
export const ADAMW_DEFAULTS: Required<AdamWOptions> = { beta1: 0.9, beta2: 0.98, epsilon: 1e-6, weightDecay: 0.01, clipNorm: 1 };

export class AdamW {
  private readonly o: Required<AdamWOptions>;
  private readonly slots: { variable: tf.Variable; m: tf.Variable; v: tf.Variable; decay: boolean }[];
  private t = 0;

  constructor(variables: tf.Variable[], options: AdamWOptions = {}) {
    this.o = { ...ADAMW_DEFAULTS, ...options };
    this.slots = variables.map((variable) => ({
      variable,
      m: tf.variable(tf.zerosLike(variable), false),
      v: tf.variable(tf.zerosLike(variable), false),
      decay: variable.rank >= 2,
    }));
  }

  /** The variables it updates, in order (what tf.variableGrads should differentiate). */
  get variables(): tf.Variable[] {
    return this.slots.map((s) => s.variable);
  }

  /** One update with gradients by variable name (tf.variableGrads's). Returns the global norm before clipping, as a scalar the caller disposes. */
  apply(grads: tf.NamedTensorMap, learningRate: number): tf.Scalar {
    this.t++;
    const { beta1, beta2, epsilon, weightDecay, clipNorm } = this.o;
    const [correct1, correct2] = [1 - beta1 ** this.t, 1 - beta2 ** this.t]; // bias corrections
    return tf.tidy(() => {
      const gs = this.slots.map((s) => {
        const g = grads[s.variable.name];
        if (g === undefined) throw new Error(`AdamW: no gradient for ${s.variable.name}`);
        return g;
      });
      const norm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
      const scale = Number.isFinite(clipNorm) ? tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12))) : tf.scalar(1);
      this.slots.forEach((s, i) => {
        const g = gs[i].mul(scale);
        s.m.assign(s.m.mul(beta1).add(g.mul(1 - beta1)));
        s.v.assign(s.v.mul(beta2).add(g.square().mul(1 - beta2)));
        // p ← p − lr·(m̂ / (√v̂ + ε) + λ·p), λ only for matrices (as torch.optim.AdamW).
        const adam = s.m.div(correct1).div(s.v.div(correct2).sqrt().add(epsilon));
        let next = s.variable.sub(adam.mul(learningRate));
        if (s.decay && weightDecay > 0) next = next.sub(s.variable.mul(learningRate * weightDecay));
        s.variable.assign(next);
      });
      return tf.keep(norm);
    });
  }

  dispose(): void {
    this.slots.forEach((s) => tf.dispose([s.m, s.v]));
  }
}

export interface Schedule {
  /** Peak learning rate. */
  peak: number;
  /** Steps of linear warm-up from peak/warmup to peak. */
  warmup: number;
  /** Steps after which the rate has decayed to `floor`·peak; it stays there after. */
  total: number;
  decay: 'linear' | 'cosine';
  /** Share of the peak kept at the end, so training past `total` still moves. Default 0.1. */
  floor?: number;
}

/** The learning rate at 0-based `step`. */
export function learningRate(step: number, s: Schedule): number {
  if (step < s.warmup) return (s.peak * (step + 1)) / s.warmup;
  const floor = s.floor ?? 0.1;
  const progress = Math.min(1, (step - s.warmup) / Math.max(1, s.total - s.warmup));
  const shape = s.decay === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return s.peak * (floor + (1 - floor) * shape);
}
