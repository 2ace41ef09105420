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

export function padBatch(encodings: Pick<Encoding, 'ids' | 'tokenTypeIds'>[], padId: number): PaddedBatch {
  const T = Math.max(...encodings.map((e) => e.ids.length));
  const pad = (xs: number[], fill: number) => [...xs, ...new Array<number>(T - xs.length).fill(fill)];
  return {
    ids: encodings.map((e) => pad(e.ids, padId)),
    tokenTypes: encodings.map((e) => pad(e.tokenTypeIds, 0)),
    lengths: encodings.map((e) => e.ids.length),
  };
}
