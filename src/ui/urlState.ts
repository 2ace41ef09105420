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

/**
 * Limits on what a link may set. A link is typed, pasted and forwarded by people, so anything
 * outside these is a broken or hand-made link: that one field keeps its default, the rest stays.
 *
 * - text: 6,000 characters. The URL must survive the servers and chat apps it passes through:
 *   nginx and Apache refuse request lines over ~8 KB by default (414 URI Too Long), and the text
 *   is most of the URL. 6,000 ASCII characters are ~1,200 words, more than BERT's 512 positions
 *   read; writeViewState cuts what it writes to fit (sentenceForUrl).
 * - layer/head: 1–999. The largest BERTs have 24 layers and 16 heads; the page clamps to the
 *   model in use, this only keeps "layer=1e308" and 50-digit numbers out.
 * - masked: at most 512 positions (BERT's most), each a position number of at most 4 digits.
 * - model: at most 300 characters (an "org/name" id is at most 96 + 1 + 96; a pasted hub page URL
 *   a little more). Its form is checked by the model picker with the hub's rules (parseModelId),
 *   which names the rule on the page and makes no request for a bad id.
 */
export const URL_LIMITS = { text: 6000, index: 999, masked: 512, position: 9999, model: 300 } as const;

function index(value: string | null): number | null {
  if (value === null || !/^\d{1,4}$/.test(value)) return null;
  const n = Number(value) - 1;
  return n >= 0 && n < URL_LIMITS.index ? n : null;
}

/** A 0/1 switch: "1" (or a bare "&mean") is on, "0" off; anything else is not a switch. */
function flag(value: string): boolean | null {
  return value === '1' || value === '' ? true : value === '0' ? false : null;
}

export interface ReadReport {
  state: ViewState;
  /** The parameters that were present but unusable (too long, malformed, badly encoded) and so kept their default. */
  ignored: string[];
}

/** Reads what the URL sets; anything missing or malformed keeps its default. Never throws. */
export function readViewState(search: string, defaults: ViewState): ViewState {
  return readViewStateReport(search, defaults).state;
}

/** readViewState, also saying which parameters were ignored (for a notice). */
export function readViewStateReport(search: string, defaults: ViewState): ReadReport {
  const p = new URLSearchParams(search);
  const ignored: string[] = [];
  /** The parameter's value if present, well encoded and accepted by `parse`; else null (and noted when present). */
  const take = <T>(name: string, parse: (value: string) => T | null): T | null => {
    const value = p.get(name);
    if (value === null) return null;
    // Escapes that are not UTF-8 (a link cut in the middle of a character, "%FF") read as U+FFFD:
    // a broken link, not what anyone typed. public/url-guard.js leaves such values this way too.
    const parsed = value.includes('\uFFFD') ? null : parse(value);
    if (parsed === null) ignored.push(name);
    return parsed;
  };
  const d = defaults.attention;
  const attention: AttentionSettings = {
    view: take('view', (v) => VIEWS.find((x) => x === v) ?? null) ?? d.view,
    mask: take('mask', (v): MaskMode | null => (v === 'causal' || v === 'bidirectional' ? v : null)) ?? d.mask,
    layer: take('layer', index) ?? d.layer,
    head: take('head', index) ?? d.head,
    meanHeads: take(FLAG_PARAM.meanHeads, flag) ?? d.meanHeads,
    rollout: take(FLAG_PARAM.rollout, flag) ?? d.rollout,
    normWeighted: take(FLAG_PARAM.normWeighted, flag) ?? d.normWeighted,
    hideSpecial: take(FLAG_PARAM.hideSpecial, flag) ?? d.hideSpecial,
  };
  const sentence = take('text', (v) => (v.length <= URL_LIMITS.text ? v : null));
  const masked = take('masked', (v) => {
    // Malformed entries are dropped one by one ("1,a,3" → 1, 3); too many is a broken link.
    const entries = v.split(',');
    if (entries.length > URL_LIMITS.masked) return null;
    return [...new Set(entries.filter((x) => /^\d{1,4}$/.test(x) && Number(x) <= URL_LIMITS.position).map(Number))];
  });
  const model = take('model', (v) => (v.length <= URL_LIMITS.model ? v : null));
  return {
    state: {
      sentence: sentence ?? defaults.sentence,
      // Masks belong to a sentence: a link with its own text and no masks has none.
      masked: masked ?? (p.has('text') || p.has('masked') ? [] : defaults.masked),
      model: model || defaults.model,
      attention,
    },
    ignored,
  };
}

/**
 * The sentence as the URL holds it: the longest prefix whose encoded form fits URL_LIMITS.text
 * characters, cut between characters (never inside a surrogate pair). A 1 MB paste is not written
 * into the URL — the page keeps the whole text; the link shares its start.
 */
export function sentenceForUrl(sentence: string): { text: string; cut: boolean } {
  const encodedLength = (s: string) => new URLSearchParams({ t: s }).toString().length - 2;
  // Every character encodes to at least one, so the answer is within the first `text` code units.
  let low = 0;
  let high = Math.min(sentence.length, URL_LIMITS.text);
  if (high === sentence.length && encodedLength(sentence) <= URL_LIMITS.text) return { text: sentence, cut: false };
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (encodedLength(sentence.slice(0, mid)) <= URL_LIMITS.text) low = mid;
    else high = mid - 1;
  }
  const code = sentence.charCodeAt(low - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? low - 1 : low; // do not keep half a pair
  return { text: sentence.slice(0, end), cut: true };
}

/** The URL query for a state, keeping parameters that are not ours (such as ?backend=). */
export function writeViewState(state: ViewState, currentSearch: string): string {
  const p = new URLSearchParams(currentSearch);
  p.set('text', sentenceForUrl(state.sentence).text);
  const masked = state.masked.slice(0, URL_LIMITS.masked);
  if (masked.length > 0) p.set('masked', masked.join(','));
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
