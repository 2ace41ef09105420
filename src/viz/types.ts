/**
 * Data shapes shared by every view in src/viz. They mirror what the engine
 * hands out (Float32Array per head, row-major) so the UI can pass tensors'
 * data straight through without copying into nested JS arrays.
 */

/**
 * The words a view draws (titles, axis names, tooltips, aria-labels), looked
 * up by key in the page's language: the caller passes its i18n lookup. The
 * strings live in src/ui/i18n (en.ts, ko.ts) only; this is a type import, so
 * src/viz stays free of React and of any state.
 */
export type { Translate } from '../ui/i18n/translate';

/** WordPiece tokens, [CLS] and [SEP] included, one per matrix row/column. */
export type Tokens = readonly string[];

/** One layer's heads: [head] → n×n matrix. */
export type LayerAttentions = readonly Float32Array[];

/** Every layer and head: [layer][head] → n×n matrix. */
export type AllAttentions = readonly (readonly Float32Array[])[];

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
