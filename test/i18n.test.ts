import { describe, expect, it } from 'vitest';
import { MINI_CONFIG } from './fixtures/bertConfig';
import { MESSAGES, translate, translatorFor, type MessageKey, type Translate } from '../src/ui/i18n';
import { BERT_BLOCKS, blockInfo, layoutArchitecture, shapesFor } from '../src/viz/architecture';
import { layoutHeatmap } from '../src/viz/heatmap';
import { layoutHeadView } from '../src/viz/headView';
import { layoutModelView } from '../src/viz/modelView';
import { layoutMaskView } from '../src/viz/maskView';
import { layoutBars } from '../src/viz/bars';
import { layoutCurves } from '../src/viz/curves';
import { causalMask } from '../src/viz/attentionMath';
import { initBackend, type BackendChoice } from '../src/engine';
import { skip, SKIP_WHY, type SkipCode } from '../src/engine/runtime/backend';
import { backendReason } from '../src/ui/BackendBadge';

const config = MINI_CONFIG;

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  it('Korean has every English message, with the same placeholders, and none left empty', () => {
    const keys = Object.keys(MESSAGES.en) as MessageKey[];
    expect(Object.keys(MESSAGES.ko).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(placeholders(MESSAGES.ko[key]), key).toEqual(placeholders(MESSAGES.en[key]));
      expect(MESSAGES.ko[key].trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'fill.token', { index: 3 })).toBe('Token 3');
    expect(translate('ko', 'fill.token', { index: 3 })).toBe('3번 토큰');
    expect(translate('en', 'fill.token')).toBe('Token {index}');
  });
});

describe('architecture figure text', () => {
  it('asks for every word by key: no English of its own', () => {
    const seen = new Set<MessageKey>();
    const recording: Translate = (key, params) => {
      seen.add(key);
      return translate('en', key, params);
    };
    for (const heads of [1, 4]) {
      layoutArchitecture({ layers: 4, heads, text: recording });
      for (const b of BERT_BLOCKS) shapesFor(b, config, 9, recording);
    }
    expect(seen.size).toBeGreaterThan(60);
    // A figure drawn with a text that knows no English shows none of the messages' English.
    const keysOnly: Translate = (key) => `<${key}>`;
    const layout = layoutArchitecture({ layers: 4, heads: 4, text: keysOnly });
    const words = [layout.title, ...layout.blocks.flatMap((b) => [b.label, b.sublabel, b.explain]), ...layout.arrows.map((a) => a.title)];
    for (const w of words) expect(w, w).toMatch(/^(Transformer|GPT|BERT: )?<arch\.[\w.]+>/);
  });

  it('draws in Korean when given Korean text, and the Korean labels fit their blocks', () => {
    const ko = translatorFor('ko');
    const layout = layoutArchitecture({ layers: 4, heads: 4, text: ko });
    expect(layout.title).toBe(MESSAGES.ko['arch.title']);
    const attn = layout.blocks.find((b) => b.id === 'bert-attention');
    expect(attn?.label).toBe('셀프 어텐션');
    expect(attn?.sublabel).toBe('헤드 4개, 양방향');
    expect(attn?.ariaLabel).toBe('BERT: 셀프 어텐션, 헤드 4개, 양방향');
    expect(layout.blocks.find((b) => b.id === 'bert-layer')?.label).toBe('4 × 인코더 층');
    expect(layout.labels.map((l) => l.text)).toEqual(['인코더 출력']);
    // Hangul is about 1 em wide, other characters about 0.6 em.
    const width = (s: string, size: number) => [...s].reduce((w, c) => w + (/[\uac00-\ud7a3]/.test(c) ? 1 : 0.6) * size, 0);
    const small = Math.round(layout.fontSize * 0.82);
    for (const b of layout.blocks) {
      expect(width(b.label, b.width < 150 ? small : layout.fontSize), b.id).toBeLessThan(b.width);
      if (b.kind !== 'layer') expect(width(b.sublabel, small), b.id).toBeLessThan(b.width);
    }
    const notes = shapesFor('attention', config, 9, ko);
    expect(notes.find((r) => r.name === 'attention_probs')?.note).toBe('키에 대한 softmax; 층마다 하나 (4개)');
  });
});

/**
 * Latin-letter words in a Korean string that are not names or code: what a
 * Korean reader would see as English left over. Model and method names,
 * token pieces and formula symbols are allowed.
 */
const ALLOWED = new Set([
  ...['BERT', 'GPT', 'Transformer', 'WordPiece', 'CLS', 'SEP', 'MASK', 'id'],
  // Layer names and formulas, as in the paper: x + FFN(x), probs·V, tanh(W·h_[CLS]).
  ...['LayerNorm', 'GELU', 'MLP', 'FFN', 'LM', 'softmax', 'tanh', 'probs', 'W', 'W_Q', 'W_K', 'W_V', 'W_O', 'h_', 'Q', 'K', 'V', 'H', 'T', 'N', 'x', 't'],
]);
function english(s: string): string[] {
  return (s.match(/[A-Za-z][A-Za-z_]*/g) ?? []).filter((w) => !ALLOWED.has(w));
}

describe('the drawings in Korean', () => {
  const ko = translatorFor('ko');
  const tokens = ['[CLS]', '영화', '[SEP]'];
  const n = tokens.length;
  const matrix = new Float32Array(n * n).fill(1 / n);

  it('heatmap, head view, model view, mask view, bars and curves: titles, axis names, tooltips and aria-labels have no English', () => {
    const heatmap = layoutHeatmap({ tokens, matrix }, { text: ko, maskMatrix: causalMask(n) });
    const heads = layoutHeadView({ tokens, heads: [matrix, matrix] }, { text: ko, activeHeads: [true, false] });
    const model = layoutModelView({ attentions: [[matrix, matrix]], tokens }, { text: ko });
    const mask = layoutMaskView({ mask: causalMask(n), tokens }, { text: ko });
    const bars = layoutBars([{ token: '영화', score: 0.5 }], { text: ko });
    const curves = layoutCurves({ epochs: 2, loss: [], accuracy: [] }, { text: ko });
    const strings = [
      heatmap.title,
      heatmap.queryLabel,
      heatmap.keyLabel,
      ...heatmap.maskedCells.map((c) => c.title),
      heads.title,
      ...heads.toggles.flatMap((t) => [t.ariaLabel, t.title]),
      ...heads.lines.map((l) => l.title),
      model.title,
      ...model.thumbs.flatMap((t) => [t.label, t.title]),
      ...model.layerLabels.map((l) => l.text),
      ...model.headLabels.map((l) => l.text),
      mask.caption,
      mask.countHeader.text,
      ...mask.cells.map((c) => c.title),
      bars.title,
      curves.title,
      ...curves.panels.map((p) => p.label),
    ];
    expect(strings.length).toBeGreaterThan(30);
    for (const s of strings) expect(english(s), s).toEqual([]);
    expect(heads.toggles.map((t) => t.ariaLabel)).toEqual(['1번 헤드 보임', '2번 헤드 숨김']);
    expect(heatmap.maskedCells[0].title).toBe('[CLS]은(는) 영화을(를) 볼 수 없음');
  });

  it('the architecture figure and its details box have no English but names and code', () => {
    const layout = layoutArchitecture({ layers: 4, heads: 4, text: ko });
    const strings = [
      layout.title,
      ...layout.columns.map((c) => c.subtitle),
      ...layout.blocks.flatMap((b) => [b.label, b.sublabel, b.explain, b.ariaLabel]),
      ...layout.arrows.map((a) => a.title),
      ...layout.labels.map((l) => l.text),
      ...BERT_BLOCKS.flatMap((b) => shapesFor(b, config, 9, ko).map((r) => r.note)),
      blockInfo({ layers: 4, heads: 4, text: ko }, 'gpt-attention')?.explain ?? '',
    ];
    for (const s of strings) expect(english(s), s).toEqual([]);
  });
});

describe('the backend badge', () => {
  it('says in English what the engine says, and in Korean the same facts', async () => {
    const choice = await initBackend({ chain: ['cpu'] });
    expect(backendReason(choice, translatorFor('en'))).toBe(choice.reason);
    const timed: BackendChoice = {
      name: 'wasm',
      how: 'timed',
      reason: '',
      skipped: [{ name: 'webgpu', code: 'no-adapter', why: 'the browser found no WebGPU adapter' }],
      timings: { wasm: 12.4, webgl: 30 },
    };
    expect(backendReason(timed, translatorFor('en'))).toBe(
      'WebAssembly: runs on the CPU; fastest of a timed run here (wasm 12 ms, webgl 30 ms) — passed over webgpu: the browser found no WebGPU adapter',
    );
    expect(backendReason({ ...timed, how: 'remembered', timings: {}, skipped: [] }, translatorFor('ko'))).toBe('WebAssembly: CPU에서 실행; 이전 방문에서 기억함');
    expect(english(backendReason(choice, translatorFor('ko')))).toEqual(['CPU', 'JavaScript']); // names only
  });

  it('explains every backend passed over in the page language: the engine words in English, Korean in Korean', () => {
    const codes = Object.keys(SKIP_WHY) as SkipCode[];
    const choice = (code: SkipCode): BackendChoice => ({
      name: 'wasm',
      how: 'first',
      reason: '',
      skipped: [skip('webgl', code, code === 'software-renderer' ? 'SwiftShader' : code.endsWith('failed') ? 'boom' : undefined)],
      timings: {},
    });
    for (const code of codes) {
      const [skipped] = choice(code).skipped;
      expect(backendReason(choice(code), translatorFor('en'))).toBe(
        `WebAssembly: runs on the CPU; the first that starts — passed over webgl: ${skipped.why}`,
      );
      const korean = backendReason(choice(code), translatorFor('ko'));
      expect(korean).not.toBe(backendReason(choice(code), translatorFor('en')));
      // Left in English: names, flags and the engine's own detail ("boom", a renderer's name).
      const allowed = ['CPU', 'WebAssembly', 'WebGL', 'WebGPU', 'GPU', 'Chrome', 'Edge', 'Chromium', 'https', 'localhost', 'navigator', 'gpu', 'enable', 'unsafe', 'webgpu', 'webgl', 'backend', 'SwiftShader', 'boom'];
      expect(english(korean).filter((w) => !allowed.includes(w)), code).toEqual([]);
    }
  });
});
