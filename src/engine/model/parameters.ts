/**
 * One encoder layer's parameters, once: the Hugging Face name of each (after
 * `encoder.layer.<i>.`), its shape in PyTorch's layout, and where LayerWeights
 * keeps it. Loading checks shapes with it, the model builds its layers from
 * it, and fine-tuning copies and exports retrained layers through it.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BertConfig } from '../checkpoint/config';
import type { LayerWeights } from './layer';
import type { Dense, Norm } from './ops';

type Size = 'hidden' | 'intermediate';

/** The dense layers of a block: nn.Linear(in, out), whose weight PyTorch stores [out, in]. */
const DENSES = [
  { name: 'attention.self.query', in: 'hidden', out: 'hidden', of: (w: LayerWeights) => w.attention.query },
  { name: 'attention.self.key', in: 'hidden', out: 'hidden', of: (w: LayerWeights) => w.attention.key },
  { name: 'attention.self.value', in: 'hidden', out: 'hidden', of: (w: LayerWeights) => w.attention.value },
  { name: 'attention.output.dense', in: 'hidden', out: 'hidden', of: (w: LayerWeights) => w.attention.output },
  { name: 'intermediate.dense', in: 'hidden', out: 'intermediate', of: (w: LayerWeights) => w.intermediate },
  { name: 'output.dense', in: 'intermediate', out: 'hidden', of: (w: LayerWeights) => w.output },
] as const satisfies readonly { name: string; in: Size; out: Size; of: (w: LayerWeights) => Dense }[];

/** The two LayerNorms ("add & norm" after attention and after the feed-forward). */
const NORMS = [
  { name: 'attention.output.LayerNorm', of: (w: LayerWeights) => w.attentionNorm },
  { name: 'output.LayerNorm', of: (w: LayerWeights) => w.outputNorm },
] as const;

/** Every parameter of layer i: full name → shape as stored in a checkpoint. */
export function layerShapes(config: BertConfig, i: number): Map<string, number[]> {
  const size = (s: Size) => (s === 'hidden' ? config.hidden : config.intermediate);
  const shapes = new Map<string, number[]>();
  for (const d of DENSES) {
    shapes.set(`encoder.layer.${i}.${d.name}.weight`, [size(d.out), size(d.in)]);
    shapes.set(`encoder.layer.${i}.${d.name}.bias`, [size(d.out)]);
  }
  for (const n of NORMS) {
    shapes.set(`encoder.layer.${i}.${n.name}.weight`, [config.hidden]);
    shapes.set(`encoder.layer.${i}.${n.name}.bias`, [config.hidden]);
  }
  return shapes;
}

/** A layer's weights, assembled from whatever builds one dense layer or norm from its name (e.g. `attention.self.query`). */
export function layerFrom(dense: (name: string) => Dense, norm: (name: string) => Norm): LayerWeights {
  const d = Object.fromEntries(DENSES.map((p) => [p.name, dense(p.name)])) as Record<(typeof DENSES)[number]['name'], Dense>;
  const n = Object.fromEntries(NORMS.map((p) => [p.name, norm(p.name)])) as Record<(typeof NORMS)[number]['name'], Norm>;
  return {
    attention: {
      query: d['attention.self.query'],
      key: d['attention.self.key'],
      value: d['attention.self.value'],
      output: d['attention.output.dense'],
    },
    attentionNorm: n['attention.output.LayerNorm'],
    intermediate: d['intermediate.dense'],
    output: d['output.dense'],
    outputNorm: n['output.LayerNorm'],
  };
}

/**
 * A layer's tensors by name suffix (e.g. `attention.self.query.weight`);
 * `kernel` marks dense weights, which LayerWeights keeps [in, out] —
 * transposed from the checkpoint's [out, in].
 */
export function layerParts(w: LayerWeights): { suffix: string; tensor: tf.Tensor; kernel: boolean }[] {
  return [
    ...DENSES.flatMap((d) => [
      { suffix: `${d.name}.weight`, tensor: d.of(w).kernel as tf.Tensor, kernel: true },
      { suffix: `${d.name}.bias`, tensor: d.of(w).bias as tf.Tensor, kernel: false },
    ]),
    ...NORMS.flatMap((n) => [
      { suffix: `${n.name}.weight`, tensor: n.of(w).weight as tf.Tensor, kernel: false },
      { suffix: `${n.name}.bias`, tensor: n.of(w).bias as tf.Tensor, kernel: false },
    ]),
  ];
}

/**
 * A layer's weights from its parameters by name suffix (e.g.
 * `attention.self.query.weight`) — the inverse of layerParts; `kernel` asks
 * for a dense weight, which LayerWeights keeps [in, out].
 */
export function layerFromParts(part: (suffix: string, kernel: boolean) => tf.Tensor): LayerWeights {
  return layerFrom(
    (name) => ({ kernel: part(`${name}.weight`, true) as tf.Tensor2D, bias: part(`${name}.bias`, false) as tf.Tensor1D }),
    (name) => ({ weight: part(`${name}.weight`, false) as tf.Tensor1D, bias: part(`${name}.bias`, false) as tf.Tensor1D }),
  );
}
