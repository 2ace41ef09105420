/**
 * Several encodings as one padded batch, the input shape of BertModel: every
 * row padded to the longest, with each row's real length kept so that the
 * attention mask can hide the padding keys.
 */
import type { Encoding } from '../tokenizer/tokenizer';

export interface PaddedBatch {
  /** [B][T] token ids, padded with padId. */
  ids: number[][];
  /** [B][T] segment ids, padded with 0. */
  tokenTypes: number[][];
  /** Real (unpadded) length of each row. */
  lengths: number[];
}

/**
 * The padded length T for a longest row of n tokens: n rounded up to a
 * multiple of `bucket` (1: n itself), but never past `limit` (the position
 * table: a position without an embedding cannot be padded to) nor below n.
 */
export function bucketLength(n: number, bucket = 1, limit = Infinity): number {
  const step = Math.max(1, Math.floor(bucket));
  return Math.max(n, Math.min(Math.ceil(n / step) * step, limit));
}

/**
 * `bucket` > 1 pads further, up to bucketLength: sentences of nearby lengths
 * then share one shape, which WebGPU compiles its programs for once
 * (kernels/buckets.ts). The extra positions are padding like any other: masked
 * out of every real token's attention.
 */
export function padBatch(encodings: Pick<Encoding, 'ids' | 'tokenTypeIds'>[], padId: number, bucket = 1, limit = Infinity): PaddedBatch {
  const T = bucketLength(Math.max(...encodings.map((e) => e.ids.length)), bucket, limit);
  const pad = (xs: number[], fill: number) => [...xs, ...new Array<number>(T - xs.length).fill(fill)];
  return {
    ids: encodings.map((e) => pad(e.ids, padId)),
    tokenTypes: encodings.map((e) => pad(e.tokenTypeIds, 0)),
    lengths: encodings.map((e) => e.ids.length),
  };
}
