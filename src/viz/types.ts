/**
 * Data shapes shared by every view in src/viz. They mirror what the engine
 * hands out (Float32Array per head, row-major) so the UI can pass tensors'
 * data straight through without copying into nested JS arrays.
 */

/** WordPiece tokens, [CLS] and [SEP] included, one per matrix row/column. */
export type Tokens = readonly string[];

/**
 * Attention of one layer and head: n×n, row-major, row = query, column = key.
 * Each row is a softmax, so it sums to 1 over the keys the query may see.
 */
export type AttentionMatrix = Float32Array;

/** One layer's heads: [head] → n×n matrix. */
export type LayerAttentions = readonly Float32Array[];

/** Every layer and head: [layer][head] → n×n matrix. */
export type AllAttentions = readonly (readonly Float32Array[])[];

/**
 * ‖f_h(x_j)‖ per [layer][head], length n: the norm of token j's value vector
 * after that head's slice of the output projection (Kobayashi et al. 2020).
 */
export type ValueNorms = readonly (readonly Float32Array[])[];

/** A 0/1 matrix, n×n row-major: 1 where query (row) may attend to key (column). */
export type MaskMatrix = ArrayLike<number>;

/** Margins as one object, as in Bostock's examples. */
export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Query/key pair to emphasise; either side may be null (a whole row or column). */
export interface CellRef {
  query: number | null;
  key: number | null;
}

/**
 * Every view is created on an <svg> the caller owns. State (selection, hover,
 * toggles) lives with the caller and comes back in through update(); nothing
 * is read back from the DOM.
 */
export interface View<D, O> {
  update(data: D, options: O): void;
  destroy(): void;
}
