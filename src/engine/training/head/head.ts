/**
 * A classifier head (paper §4.1, Fig. 4b): a small network on a sentence
 * vector, as plain typed arrays — tensors never leave the training code — and
 * optionally the top encoder layers it was trained with.
 */
import type { Bert } from '../../model/bert';
import { layerShapes } from '../../model/parameters';

/**
 * The sentence vector: 'mean' averages the last layer over the real tokens
 * ([CLS] and [SEP] included, padding excluded); 'cls' takes BERT's pooled
 * [CLS] vector, tanh(W·h[CLS] + b) — exactly what Hugging Face's
 * BertForSequenceClassification classifies, so a linear 'cls' head exports
 * exactly. A checkpoint without pooler weights gets tanh(h[CLS]), i.e. a pooler
 * whose W is the identity (and that is what the export writes).
 */
export type Pooling = 'cls' | 'mean';

export interface HeadLayer {
  /** [in, out] row-major: y = x·kernel + bias. */
  kernel: Float32Array;
  bias: Float32Array;
  shape: [number, number];
}

/** A retrained encoder weight, under its checkpoint name (no `bert.` prefix) and layout (nn.Linear weights [out, in]). */
export interface HeadWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface UnfrozenLayers {
  /** Index of the first retrained layer: L − N. */
  from: number;
  /** Every weight of layers from … L−1. */
  weights: HeadWeight[];
}

export interface ClassifierHead {
  labels: string[];
  pooling: Pooling;
  hiddenUnits: number;
  /** Input to output; GELU between layers. The first layer's input is the model's hidden size. */
  layers: HeadLayer[];
  /** The top encoder layers as fine-tuned, when trained with unfreezeLayers > 0. */
  unfrozen?: UnfrozenLayers;
  trainedOn: { model: string; examples: number; seed: number };
}

/** Throws when the head does not fit this model (another hidden size, layer count or label count). */
export function checkHead(bert: Bert, head: ClassifierHead): void {
  const H = bert.config.hidden;
  const first = head.layers[0].shape[0];
  if (first !== H) {
    throw new Error(
      `this head was trained on a model with hidden size ${first} (${head.trainedOn.model}); ${bert.location} has ${H}`,
    );
  }
  if (head.unfrozen !== undefined) {
    const { from, weights } = head.unfrozen;
    if (from < 0 || from >= bert.config.layers) {
      throw new Error(`this head retrained layers ${from}… but ${bert.location} has only ${bert.config.layers} layers`);
    }
    const byName = new Map(weights.map((w) => [w.name, w]));
    for (let l = from; l < bert.config.layers; l++) {
      for (const [name, shape] of layerShapes(bert.config, l)) {
        const w = byName.get(name);
        if (w === undefined) throw new Error(`this head's retrained layers lack "${name}"`);
        if (w.shape.join() !== shape.join()) {
          throw new Error(`this head's "${name}" has shape [${w.shape.join(', ')}] but ${bert.location} needs [${shape.join(', ')}]`);
        }
      }
    }
  }
}
