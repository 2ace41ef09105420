/**
 * "How BERT is built": the Transformer (encoder–decoder), GPT (decoder-only)
 * and BERT (encoder-only) side by side, as in the BERT paper's comparison
 * figure. Read in this order:
 *   spec.ts    the three architectures as data (blocks, words from `text`),
 *   layout.ts  layoutArchitecture(data, options) → plain marks (pure, no DOM),
 *   render.ts  renderArchitecture(svg, layout, handlers) → D3 joins those marks,
 *              architectureView(svg, data, options) → { update, destroy },
 *   shapes.ts  shapesFor: the live BERT's tensor shapes per block.
 */
export * from './spec';
export * from './layout';
export * from './render';
export * from './shapes';
