/** Public surface of src/viz: pure attention maths, the D3 views, and export helpers. */
export * from './types';
export * from './attentionMath';
export * from './heatmap';
export * from './headView';
export * from './modelView';
export * from './maskView';
export * from './bars';
export * from './export';
export { FONT_SIZE, HEAD_COLORS, WEIGHT_INTERPOLATOR, headColor } from './common';
