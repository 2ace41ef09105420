/**
 * BertModel: the weights of one checkpoint as tfjs tensors, and the forward
 * pass — embeddings, L encoder layers, and whichever heads the checkpoint has.
 */
import * as tf from '@tensorflow/tfjs';
import { fast, prepareWeights } from '../kernels';
import { attentionMask, type MaskMode } from './attention';
import type { Checkpoint, Weight } from '../checkpoint/checkpoint';
import type { BertConfig } from '../checkpoint/config';
import { embed, lookupRows, type EmbeddingWeights } from './embeddings';
import { classify, lmLogits, pool, type LmHeadWeights } from './heads';
import { encoderLayer, type LayerWeights } from './layer';
import type { Dense, Norm } from './ops';
import { layerFrom } from './parameters';

/** What the encoder layers need to know of a padded batch. */
export type LayerInput = Pick<ForwardInput, 'ids' | 'tokenTypes' | 'lengths' | 'mask'>;

export interface ForwardInput {
  /** [B][T] token ids, padded to one length with any id (padding is masked out). */
  ids: number[][];
  tokenTypes: number[][];
  /** Real (unpadded) length of each sequence. */
  lengths: number[];
  mask: MaskMode;
  /** Rows (batch, position) whose LM scores are wanted; empty → none are computed. */
  lmPositions?: [number, number][];
  /** Also return ‖f_h(x_j)‖ per layer, head and token (for norm-weighted attention views). */
  valueNorms?: boolean;
  /** Also return every layer's hidden states (like Hugging Face's output_hidden_states). */
  hiddenStates?: boolean;
  /**
   * Also return the pooled [CLS] vector. Off by default: the pooler is a
   * product of its own (~5 % of a 16-token pass of the shipped model on wasm),
   * and of the forward pass only the classifier head reads it (it runs then
   * whether asked for or not).
   */
  pooled?: boolean;
}

// A type alias (not an interface) so tf.tidy accepts it as a TensorContainer.
export type ForwardOutput = {
  hiddenStates?: tf.Tensor4D; // [L+1, B, T, H], when asked for
  attentions: tf.Tensor5D; // [L, B, heads, T, T]
  // Absent when the checkpoint lacks that head (undefined, not null, so tf.tidy can return it).
  pooled?: tf.Tensor2D; // [B, H], when asked for
  lmLogits?: tf.Tensor2D; // [lmPositions, vocab]
  classifierLogits?: tf.Tensor2D; // [B, labels]
  valueNorms?: tf.Tensor4D; // [L, B, heads, T]
};

export class BertModel {
  readonly config: BertConfig;
  private readonly embeddings: EmbeddingWeights;
  private readonly layers: LayerWeights[];
  private readonly pooler: Dense | null;
  private readonly lmHead: LmHeadWeights | null;
  private readonly classifier: Dense | null;
  private readonly owned: tf.Tensor[] = [];
  /** Normalised checkpoint name → tensor (kernels stored transposed), so the weights can be written back out. */
  private readonly named = new Map<string, { tensor: tf.Tensor; transposed: boolean }>();

  /**
   * `trainable`: every weight is a tf.Variable that tf.variableGrads can
   * train through this same forward pass (pre-training), and the fast paths'
   * extra layouts made at load are skipped: they would go stale at the first update.
   */
  constructor(checkpoint: Checkpoint, options: { trainable?: boolean } = {}) {
    this.config = checkpoint.config;
    const w = checkpoint.weights;
    const trainable = options.trainable === true;
    const own = <T extends tf.Tensor>(t: T): T => {
      if (!trainable) return t;
      const v = tf.variable(t) as tf.Tensor as T;
      t.dispose();
      return v;
    };
    const tensor = (name: string): tf.Tensor => {
      const weight = w.get(name) as Weight; // presence and shape were checked by loadCheckpoint
      const t = own(tf.tensor(weight.values, weight.shape, 'float32'));
      this.owned.push(t);
      this.named.set(name, { tensor: t, transposed: false });
      return t;
    };
    const t1 = (name: string) => tensor(name) as tf.Tensor1D;
    const t2 = (name: string) => tensor(name) as tf.Tensor2D;
    const denseAt = (p: string): Dense => {
      const weight = w.get(`${p}.weight`) as Weight; // [out, in]
      const kernel = own(tf.tidy(() => tf.tensor2d(weight.values, weight.shape as [number, number]).transpose<tf.Tensor2D>()));
      this.owned.push(kernel);
      this.named.set(`${p}.weight`, { tensor: kernel, transposed: true });
      return { kernel, bias: t1(`${p}.bias`) };
    };
    const normAt = (p: string): Norm => ({ weight: t1(`${p}.weight`), bias: t1(`${p}.bias`) });

    this.embeddings = {
      word: t2('embeddings.word_embeddings.weight'),
      position: t2('embeddings.position_embeddings.weight'),
      tokenType: t2('embeddings.token_type_embeddings.weight'),
      norm: normAt('embeddings.LayerNorm'),
    };
    this.layers = Array.from({ length: this.config.layers }, (_, i) =>
      layerFrom(
        (name) => denseAt(`encoder.layer.${i}.${name}`),
        (name) => normAt(`encoder.layer.${i}.${name}`),
      ),
    );
    // Extra layouts of the encoder weights for the backend's fast paths (kernels/), owned here.
    if (!trainable) this.owned.push(...prepareWeights(this.layers));
    this.pooler = w.has('pooler.dense.weight') ? denseAt('pooler.dense') : null;
    this.lmHead = w.has('cls.predictions.transform.dense.weight')
      ? {
          transform: denseAt('cls.predictions.transform.dense'),
          norm: normAt('cls.predictions.transform.LayerNorm'),
          decoder: w.has('cls.predictions.decoder.weight')
            ? t2('cls.predictions.decoder.weight')
            : this.embeddings.word, // tied (the usual case)
          bias: t1('cls.predictions.bias'),
        }
      : null;
    this.classifier = w.has('classifier.weight') ? denseAt('classifier') : null;
  }

  /** Every weight by checkpoint name (tied decoder not repeated); tf.Variables when built `trainable`. */
  weightsByName(): Map<string, tf.Tensor> {
    return new Map([...this.named].map(([name, { tensor }]) => [name, tensor]));
  }

  get hasLmHead(): boolean {
    return this.lmHead !== null;
  }

  /** One encoder layer's weights (kernels [in, out]), e.g. to copy into trainable variables for fine-tuning. */
  layerWeights(layer: number): LayerWeights {
    return this.layers[layer];
  }

  /** The pooler dense layer (tanh is applied by `pool`), or null when the checkpoint has none. */
  get poolerWeights(): Dense | null {
    return this.pooler;
  }

  /**
   * Every weight read back in the checkpoint's own layout (normalised names,
   * nn.Linear weights [out, in]), e.g. to export a fine-tuned model. Reads
   * synchronously from the backend: meant for a one-off export, not a hot path.
   */
  readWeights(): Map<string, Weight> {
    const out = new Map<string, Weight>();
    for (const [name, { tensor, transposed }] of this.named) {
      const layout = transposed ? tensor.transpose() : tensor;
      const values = Float32Array.from(layout.dataSync() as Float32Array);
      if (layout !== tensor) layout.dispose();
      out.set(name, { shape: [...layout.shape], values });
    }
    return out;
  }

  /**
   * Hidden states [B, T, H] after `layer` encoder layers (0 = the embeddings),
   * running only the layers below it. Call inside tf.tidy.
   */
  hiddenAt(input: LayerInput, layer: number): tf.Tensor3D {
    const x = this.embed(input);
    return this.runLayers(x, input, 0, layer);
  }

  /** The input embeddings [B, T, H] of a padded batch. Call inside tf.tidy. */
  embed(input: Pick<ForwardInput, 'ids' | 'tokenTypes'>): tf.Tensor3D {
    const ids = tf.tensor2d(input.ids, undefined, 'int32');
    // One segment (every single sentence): no token-type ids to look up.
    const types = input.tokenTypes.every((row) => row.every((t) => t === 0)) ? null : tf.tensor2d(input.tokenTypes, undefined, 'int32');
    return embed(this.embeddings, ids, types, this.config.layerNormEps);
  }

  /**
   * Encoder layers [from, to) on x [B, T, H] → [B, T, H]. `weights` (to − from
   * layers) replace the model's own, e.g. fine-tuned top layers. Call inside tf.tidy.
   */
  runLayers(x: tf.Tensor3D, input: Pick<ForwardInput, 'lengths' | 'mask'>, from: number, to: number, weights?: LayerWeights[]): tf.Tensor3D {
    const mask = attentionMask(input.lengths, x.shape[1], input.mask);
    for (let l = from; l < to; l++) {
      const layer = weights === undefined ? this.layers[l] : weights[l - from];
      x = encoderLayer(x, layer, mask, this.config.heads, this.config.layerNormEps).hidden;
    }
    return x;
  }

  /** Runs the whole model. The caller owns (and must dispose) the returned tensors. */
  forward(input: ForwardInput): ForwardOutput {
    try {
      return this.run(input);
    } finally {
      fast.rest(); // no more products until the next pass: helper threads, if any, sleep now
    }
  }

  private run(input: ForwardInput): ForwardOutput {
    const eps = this.config.layerNormEps;
    return tf.tidy((): ForwardOutput => {
      let x = this.embed(input); // (B, T, H)
      const mask = attentionMask(input.lengths, x.shape[1], input.mask);
      const hidden: tf.Tensor3D[] = [x];
      const probs: tf.Tensor4D[] = [];
      const norms: tf.Tensor3D[] = [];
      for (const layer of this.layers) {
        const out = encoderLayer(x, layer, mask, this.config.heads, eps, input.valueNorms === true);
        x = out.hidden;
        hidden.push(x);
        probs.push(out.attentionProbs);
        if (out.valueNorms !== undefined) norms.push(out.valueNorms);
      }
      const pooled = this.pooler !== null && (input.pooled === true || this.classifier !== null) ? pool(x, this.pooler) : undefined;
      let logits: tf.Tensor2D | undefined;
      const positions = input.lmPositions ?? [];
      if (this.lmHead !== null && positions.length > 0) {
        const [B, T, H] = x.shape;
        const flat = tf.tensor1d(positions.map(([b, t]) => b * T + t), 'int32');
        const rows = lookupRows(x.reshape([B * T, H]), flat) as tf.Tensor2D; // [N, H], with a gradient on every backend
        logits = lmLogits(rows, this.lmHead, eps);
      }
      const classifierLogits =
        this.classifier !== null && pooled !== undefined ? classify(pooled, this.classifier) : undefined;
      return {
        hiddenStates: input.hiddenStates === true ? (tf.stack(hidden) as tf.Tensor4D) : undefined,
        attentions: tf.stack(probs) as tf.Tensor5D,
        pooled: input.pooled === true ? pooled : undefined,
        lmLogits: logits,
        classifierLogits,
        valueNorms: norms.length > 0 ? (tf.stack(norms) as tf.Tensor4D) : undefined,
      };
    });
  }

  dispose(): void {
    this.owned.forEach((t) => t.dispose());
    this.owned.length = 0;
    this.named.clear();
  }
}
