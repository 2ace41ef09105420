/**
 * A head as JSON, to save it in the browser or a file and load it again:
 * float32 weights as base64 (exact), every field checked on the way in.
 */
import type { ClassifierHead, HeadLayer, UnfrozenLayers } from './head';

const FORMAT = 'bert-playground/classifier-head';
const VERSION = 1;

/** Float32 values as base64 of their little-endian bytes: exact, and ~5 bytes a value instead of ~20 as decimals. */
function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(Float32Array.from(values).buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: unknown, count: number, where: string): Float32Array {
  if (typeof text !== 'string') throw new Error(`head JSON: ${where} must be a base64 string`);
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new Error(`head JSON: ${where} is not valid base64`);
  }
  if (binary.length !== count * 4) {
    throw new Error(`head JSON: ${where} has ${binary.length} bytes but its shape needs ${count} float32 values (${count * 4} bytes)`);
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

export function headToJson(head: ClassifierHead): string {
  return JSON.stringify({
    format: FORMAT,
    version: VERSION,
    labels: head.labels,
    pooling: head.pooling,
    hiddenUnits: head.hiddenUnits,
    layers: head.layers.map((l) => ({ shape: l.shape, kernel: toBase64(l.kernel), bias: toBase64(l.bias) })),
    unfrozen:
      head.unfrozen === undefined
        ? undefined
        : {
            from: head.unfrozen.from,
            weights: head.unfrozen.weights.map((w) => ({ name: w.name, shape: w.shape, values: toBase64(w.values) })),
          },
    trainedOn: head.trainedOn,
  });
}

/** Parses and checks a head saved by headToJson; every error says what is wrong. */
export function headFromJson(json: string): ClassifierHead {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('head JSON: not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('head JSON: expected an object');
  const r = raw as Record<string, unknown>;
  if (r.format !== FORMAT) throw new Error(`head JSON: "format" must be "${FORMAT}" (is this a classifier head?)`);
  if (r.version !== VERSION) throw new Error(`head JSON: version ${String(r.version)} is not supported (expected ${VERSION})`);
  const labels = r.labels;
  if (!Array.isArray(labels) || labels.length < 2 || !labels.every((l) => typeof l === 'string' && l !== '')) {
    throw new Error('head JSON: "labels" must be a list of at least 2 non-empty strings');
  }
  if (new Set(labels).size !== labels.length) throw new Error('head JSON: "labels" has duplicates');
  if (r.pooling !== 'cls' && r.pooling !== 'mean') throw new Error('head JSON: "pooling" must be "cls" or "mean"');
  const hiddenUnits = r.hiddenUnits;
  if (typeof hiddenUnits !== 'number' || !Number.isInteger(hiddenUnits) || hiddenUnits < 0) {
    throw new Error('head JSON: "hiddenUnits" must be an integer ≥ 0');
  }
  if (!Array.isArray(r.layers) || r.layers.length !== (hiddenUnits > 0 ? 2 : 1)) {
    throw new Error(`head JSON: "layers" must list ${hiddenUnits > 0 ? 2 : 1} layer(s) for hiddenUnits ${hiddenUnits}`);
  }
  const isShape = (s: unknown, rank?: number): s is number[] =>
    Array.isArray(s) && (rank === undefined || s.length === rank) && s.every((d) => Number.isInteger(d) && d > 0);
  const layers: HeadLayer[] = (r.layers as unknown[]).map((l, i) => {
    const layer = (l ?? {}) as Record<string, unknown>;
    if (!isShape(layer.shape, 2)) throw new Error(`head JSON: layers[${i}].shape must be [in, out]`);
    const [inDim, outDim] = layer.shape;
    return {
      shape: [inDim, outDim],
      kernel: fromBase64(layer.kernel, inDim * outDim, `layers[${i}].kernel`),
      bias: fromBase64(layer.bias, outDim, `layers[${i}].bias`),
    };
  });
  layers.forEach((l, i) => {
    if (i > 0 && layers[i - 1].shape[1] !== l.shape[0]) {
      throw new Error(`head JSON: layers[${i}] takes ${l.shape[0]} inputs but layers[${i - 1}] gives ${layers[i - 1].shape[1]}`);
    }
  });
  if (hiddenUnits > 0 && layers[0].shape[1] !== hiddenUnits) {
    throw new Error(`head JSON: layers[0] has ${layers[0].shape[1]} outputs but hiddenUnits is ${hiddenUnits}`);
  }
  if (layers[layers.length - 1].shape[1] !== labels.length) {
    throw new Error(`head JSON: the last layer has ${layers[layers.length - 1].shape[1]} outputs for ${labels.length} labels`);
  }
  let unfrozen: UnfrozenLayers | undefined;
  if (r.unfrozen !== undefined) {
    const u = (r.unfrozen ?? {}) as Record<string, unknown>;
    if (typeof u.from !== 'number' || !Number.isInteger(u.from) || u.from < 0) {
      throw new Error('head JSON: "unfrozen.from" must be an integer ≥ 0');
    }
    if (!Array.isArray(u.weights)) throw new Error('head JSON: "unfrozen.weights" must be a list');
    unfrozen = {
      from: u.from,
      weights: (u.weights as unknown[]).map((w, i) => {
        const x = (w ?? {}) as Record<string, unknown>;
        if (typeof x.name !== 'string' || !x.name.startsWith('encoder.layer.')) {
          throw new Error(`head JSON: unfrozen.weights[${i}].name must name an encoder layer weight`);
        }
        if (!isShape(x.shape)) throw new Error(`head JSON: unfrozen.weights[${i}].shape is invalid`);
        const count = x.shape.reduce((a, d) => a * d, 1);
        return { name: x.name, shape: x.shape, values: fromBase64(x.values, count, `unfrozen "${x.name}"`) };
      }),
    };
  }
  const t = (r.trainedOn ?? {}) as Record<string, unknown>;
  const trainedOn = {
    model: typeof t.model === 'string' ? t.model : 'unknown',
    examples: typeof t.examples === 'number' ? t.examples : 0,
    seed: typeof t.seed === 'number' ? t.seed : 0,
  };
  return { labels: labels as string[], pooling: r.pooling, hiddenUnits, layers, ...(unfrozen ? { unfrozen } : {}), trainedOn };
}
