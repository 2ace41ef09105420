/**
 * The view as a URL, so a teacher can share exactly what the class should see:
 * sentence, masked tokens, model/mask, layer, head, view and options.
 * Layers and heads are 1-based in the URL (as on screen), 0-based in code.
 */
import type { MaskMode } from '../engine';

export type AttentionViewName = 'heatmap' | 'heads' | 'model' | 'contrast';
const VIEWS: readonly AttentionViewName[] = ['heatmap', 'heads', 'model', 'contrast'];

export interface AttentionSettings {
  view: AttentionViewName;
  /** Which model's attention the main views show: BERT-mini (bidirectional) or its twin (causal). */
  mask: MaskMode;
  layer: number;
  head: number;
  meanHeads: boolean;
  rollout: boolean;
  normWeighted: boolean;
  hideSpecial: boolean;
}

export interface ViewState {
  sentence: string;
  masked: number[];
  /** The main model when it is a Hugging Face id; null for the shipped BERT-mini (local files cannot be linked). */
  model: string | null;
  attention: AttentionSettings;
}

export const DEFAULT_ATTENTION: AttentionSettings = {
  view: 'heatmap',
  mask: 'bidirectional',
  layer: 0,
  head: 0,
  meanHeads: false,
  rollout: false,
  normWeighted: false,
  hideSpecial: false,
};

const FLAGS = ['meanHeads', 'rollout', 'normWeighted', 'hideSpecial'] as const;
const FLAG_PARAM: Record<(typeof FLAGS)[number], string> = {
  meanHeads: 'mean',
  rollout: 'rollout',
  normWeighted: 'norm',
  hideSpecial: 'nospecial',
};

function index(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value) - 1;
  return n >= 0 ? n : null;
}

/** Reads what the URL sets; anything missing or malformed keeps its default. */
export function readViewState(search: string, defaults: ViewState): ViewState {
  const p = new URLSearchParams(search);
  const view = p.get('view');
  const mask = p.get('mask');
  const masked = (p.get('masked') ?? '')
    .split(',')
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
  const attention: AttentionSettings = {
    view: VIEWS.find((v) => v === view) ?? defaults.attention.view,
    mask: mask === 'causal' || mask === 'bidirectional' ? mask : defaults.attention.mask,
    layer: index(p.get('layer')) ?? defaults.attention.layer,
    head: index(p.get('head')) ?? defaults.attention.head,
    meanHeads: defaults.attention.meanHeads,
    rollout: defaults.attention.rollout,
    normWeighted: defaults.attention.normWeighted,
    hideSpecial: defaults.attention.hideSpecial,
  };
  for (const flag of FLAGS) if (p.has(FLAG_PARAM[flag])) attention[flag] = p.get(FLAG_PARAM[flag]) !== '0';
  return {
    sentence: p.get('text') ?? defaults.sentence,
    masked: p.has('text') || p.has('masked') ? masked : defaults.masked,
    model: p.get('model') || defaults.model,
    attention,
  };
}

/** The URL query for a state, keeping parameters that are not ours (such as ?backend=). */
export function writeViewState(state: ViewState, currentSearch: string): string {
  const p = new URLSearchParams(currentSearch);
  p.set('text', state.sentence);
  if (state.masked.length > 0) p.set('masked', state.masked.join(','));
  else p.delete('masked');
  if (state.model !== null) p.set('model', state.model);
  else p.delete('model');
  const a = state.attention;
  p.set('view', a.view);
  p.set('mask', a.mask);
  p.set('layer', String(a.layer + 1));
  p.set('head', String(a.head + 1));
  for (const flag of FLAGS) {
    if (a[flag]) p.set(FLAG_PARAM[flag], '1');
    else p.delete(FLAG_PARAM[flag]);
  }
  return `?${p.toString()}`;
}
