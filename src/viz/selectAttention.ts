/**
 * Which attention matrix a view draws, from one model's output and the
 * panel's settings: one head or the mean of a layer's heads, attention
 * rollout over all layers, norm-weighted attention, special tokens hidden or
 * not. Pure: no DOM, no React — the panel calls it, a unit test checks it.
 */
import { hideSpecial as dropSpecial, meanOverHeads, nonSpecialIndices, normWeighted, rollout } from './attentionMath';

/** What selectAttention reads of an encoding (the engine's `Encoded` has these fields). */
export interface AttentionSource {
  tokens: string[];
  /** [layer][head] arrays of n×n, row-major: row = query, column = key. */
  attentions: Float32Array[][];
  /** [layer][head] arrays of length n: ‖f_h(x_j)‖; null when not computed. */
  valueNorms: Float32Array[][] | null;
}

export interface AttentionChoice {
  layer: number;
  head: number;
  /** The mean over the layer's heads instead of one head. */
  meanHeads: boolean;
  /** Attention rollout through every layer (Abnar & Zuidema 2020); layer and head are then ignored. */
  rollout?: boolean;
  /** Weight each key by ‖f_h(x_j)‖ (Kobayashi et al. 2020), rows renormalised. */
  normWeighted?: boolean;
  /** Drop [CLS]/[SEP] rows and columns and renormalise rows (see attentionMath.hideSpecial). */
  hideSpecial?: boolean;
}

export interface SelectedAttention {
  tokens: string[];
  matrix: Float32Array;
}

/** The layer and head the settings name, clamped to the model (settings may come from a URL or a bigger model). */
export function clampLayerHead(source: AttentionSource, choice: Pick<AttentionChoice, 'layer' | 'head'>): { layer: number; head: number } {
  const layers = source.attentions.length;
  const heads = source.attentions[0]?.length ?? 0;
  return { layer: Math.min(choice.layer, layers - 1), head: Math.min(choice.head, heads - 1) };
}

/**
 * The matrix to draw, with its tokens. Null for norm-weighted attention when
 * it cannot be shown: under rollout, or when the value norms were not computed.
 */
export function selectAttention(source: AttentionSource, choice: AttentionChoice & { normWeighted?: false }): SelectedAttention;
export function selectAttention(source: AttentionSource, choice: AttentionChoice): SelectedAttention | null;
export function selectAttention(source: AttentionSource, choice: AttentionChoice): SelectedAttention | null {
  const { layer, head } = clampLayerHead(source, choice);
  const heads = source.attentions[layer];
  let matrix: Float32Array;
  if (choice.normWeighted === true) {
    if (choice.rollout === true || source.valueNorms === null) return null;
    const norms = source.valueNorms[layer];
    const perHead = (i: number) => normWeighted(heads[i], norms[i], { normalizeRows: true });
    matrix = choice.meanHeads ? meanOverHeads(heads.map((_, i) => perHead(i))) : perHead(head);
  } else if (choice.rollout === true) {
    matrix = rollout(source.attentions, source.tokens.length);
  } else {
    matrix = choice.meanHeads ? meanOverHeads(heads) : heads[head];
  }
  return choice.hideSpecial === true ? withoutSpecial(source.tokens, matrix) : { tokens: source.tokens, matrix };
}

/** Drops the special tokens' rows and columns; a sentence of nothing but special tokens is kept whole. */
function withoutSpecial(tokens: string[], matrix: Float32Array): SelectedAttention {
  const keep = nonSpecialIndices(tokens);
  if (keep.length === 0) return { tokens, matrix };
  return { tokens: keep.map((i) => tokens[i]), matrix: dropSpecial(matrix, tokens.length, keep) };
}
