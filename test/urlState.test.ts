import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTENTION, readViewState, writeViewState, type ViewState } from '../src/ui/urlState';

const defaults: ViewState = { sentence: 'default', masked: [], model: null, attention: DEFAULT_ATTENTION };

describe('view state in the URL', () => {
  it('round-trips every setting and keeps foreign parameters', () => {
    const state: ViewState = {
      sentence: 'The cat sat & purred?',
      masked: [2, 5],
      model: 'google/bert_uncased_L-4_H-256_A-4',
      attention: { view: 'contrast', mask: 'causal', layer: 3, head: 1, meanHeads: true, rollout: false, normWeighted: true, hideSpecial: true },
    };
    const search = writeViewState(state, '?backend=wasm');
    expect(new URLSearchParams(search).get('backend')).toBe('wasm');
    expect(new URLSearchParams(search).get('layer')).toBe('4'); // 1-based, as on screen
    expect(readViewState(search, defaults)).toEqual(state);
  });

  it('ignores malformed values and falls back to the defaults', () => {
    const s = readViewState('?view=teapot&mask=sideways&layer=0&head=x&masked=1,a,3', defaults);
    expect(s.attention).toEqual(DEFAULT_ATTENTION);
    expect(s.masked).toEqual([1, 3]);
    expect(s.sentence).toBe('default');
  });
});
