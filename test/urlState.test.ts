import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ATTENTION,
  readViewState,
  readViewStateReport,
  sentenceForUrl,
  URL_LIMITS,
  writeViewState,
  type AttentionSettings,
  type ViewState,
} from '../src/ui/urlState';

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

describe('hostile and broken links', () => {
  const full: ViewState = {
    sentence: 'kept',
    masked: [2],
    model: 'org/m',
    attention: { ...DEFAULT_ATTENTION, view: 'heads', layer: 1, head: 2, rollout: true },
  };
  const fine = writeViewState(full, '');

  it('a bad field falls back to its default; the others are kept; nothing throws', () => {
    const cases: [string, string, Partial<ViewState>][] = [
      ['layer', 'NaN', {}],
      ['layer', '-2', {}],
      ['layer', '1e3', {}],
      ['layer', '99999999999999999999999', {}],
      ['head', '-1', {}],
      ['head', '0', {}],
      ['head', '1000', {}],
      ['view', 'teapot', {}],
      ['view', '<script>', {}],
      ['mask', 'CAUSAL', {}],
      ['rollout', 'yes', {}],
      ['text', 'x'.repeat(6001), {}],
      ['model', 'o/'.repeat(200), {}],
      ['masked', Array.from({ length: 513 }, (_, i) => i).join(','), {}],
    ];
    for (const [name, bad] of cases) {
      const p = new URLSearchParams(fine);
      p.set(name, bad);
      const report = readViewStateReport(`?${p}`, defaults);
      expect(report.ignored, `${name}=${bad.slice(0, 30)}`).toEqual([name]);
      const expected = readViewState(fine, defaults);
      const key = name as keyof AttentionSettings;
      if (name in expected.attention) expected.attention = { ...expected.attention, [key]: DEFAULT_ATTENTION[key] };
      else if (name === 'text') expected.sentence = defaults.sentence;
      else if (name === 'model') expected.model = defaults.model;
      else if (name === 'masked') expected.masked = [];
      expect(report.state, `${name}=${bad.slice(0, 30)}`).toEqual(expected);
    }
  });

  it('a badly encoded value (not UTF-8) keeps its default instead of turning into �', () => {
    const report = readViewStateReport(`${fine.replace(/text=[^&]*/, 'text=caf%C3%A9%FF%E2%82')}`, defaults);
    expect(report.ignored).toEqual(['text']);
    expect(report.state.sentence).toBe('default');
    expect(report.state.attention.layer).toBe(1);
    expect(readViewState('?text=%E0%A4%A&layer=%%%&head=2', defaults)).toMatchObject({
      sentence: 'default',
      attention: { layer: 0, head: 1 },
    });
    // A stray "%" (a hand-typed link) is kept as it is: it is not a broken character.
    expect(readViewStateReport('?text=It was 100% great', defaults)).toMatchObject({ state: { sentence: 'It was 100% great' }, ignored: [] });
    // A broken foreign parameter is not ours to judge.
    expect(readViewStateReport('?backend=%FF&text=ok', defaults)).toEqual({
      state: { ...defaults, sentence: 'ok', masked: [] },
      ignored: [],
    });
  });

  it('keeps HTML and script in the text as text', () => {
    const sentence = '<img src=x onerror=alert(1)> </title><script>alert(2)</script> "]]> &amp; %';
    expect(readViewState(writeViewState({ ...defaults, sentence }, ''), defaults).sentence).toBe(sentence);
  });

  it('drops duplicate and oversize masked positions', () => {
    expect(readViewState('?masked=3,3,10000,2', defaults).masked).toEqual([3, 2]);
  });

  it('never writes a huge sentence: the URL holds its first 6,000 encoded characters, cut between characters', () => {
    const paste = 'word '.repeat(200_000); // 1 MB
    const started = performance.now();
    const search = writeViewState({ ...defaults, sentence: paste }, '?backend=wasm');
    expect(performance.now() - started).toBeLessThan(200);
    const text = new URLSearchParams(search).get('text')!;
    expect(new URLSearchParams({ text }).toString().length - 5).toBeLessThanOrEqual(URL_LIMITS.text);
    expect(text.length).toBeGreaterThan(URL_LIMITS.text - 10);
    expect(paste.startsWith(text)).toBe(true);
    expect(sentenceForUrl(paste).cut).toBe(true);
    expect(sentenceForUrl('short').cut).toBe(false);
    // Korean and emoji: each encodes to 9 or 12 characters; the cut never splits a surrogate pair.
    for (const piece of ['한국어 ', '😀', 'a😀']) {
      const { text: cut } = sentenceForUrl(piece.repeat(5000));
      expect(new URLSearchParams({ t: cut }).toString().length - 2).toBeLessThanOrEqual(URL_LIMITS.text);
      expect(cut.length).toBeGreaterThan(0);
      expect(/[\uD800-\uDBFF]$/.test(cut)).toBe(false);
      expect(piece.repeat(5000).startsWith(cut)).toBe(true);
    }
    // Read back: what was written is within the read limit.
    expect(readViewStateReport(search, defaults).ignored).toEqual([]);
  });
});
