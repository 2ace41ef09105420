// The pre-training lab's drawings as pure layouts: the curves' data from steps and tests, the
// head-role table's encoding (colour and text from the share, the largest in bold).
import { describe, expect, it } from 'vitest';
import { translatorFor } from '../../src/ui/i18n';
import { WEIGHT_INTERPOLATOR } from '../../src/viz/common';
import { labCurves, layoutLabCurves, smooth } from '../../src/viz/pretrain/labCurves';
import { layoutRoleTable, ROLE_COLUMNS } from '../../src/viz/pretrain/roleTable';
import { thin, reduceLab } from '../../src/ui/pretrain/useLab';
import { formatDuration, timeLeft } from '../../src/ui/pretrain/PretrainPanel';

const text = translatorFor('en');
const role = (over: Partial<Record<(typeof ROLE_COLUMNS)[number] | 'other', number>>) => ({
  previous: 0, next: 0, self: 0, cls: 0, sep: 0, punctuation: 0, other: 0, ...over,
});

describe('lab curves', () => {
  const steps = [9, 8, 7, 6].map((l, i) => ({ step: i + 1, maskedLoss: l, causalLoss: l + 0.5 }));
  const tests = [0, 4].map((step, i) => ({
    step,
    masked: { loss: 9 - i, top1: 0.01 + i * 0.05 },
    causal: { loss: 9.2 - i, top1: 0.01 + i * 0.03 },
    unigramTop1: 0.04,
  }));

  it('smooths without pulling the start towards zero', () => {
    expect(smooth([5, 5, 5])).toEqual([5, 5, 5]);
    const s = smooth([10, 0]);
    expect(s[0]).toBe(10);
    expect(s[1]).toBeCloseTo((0.9 * 0.1 * 10) / (1 - 0.81), 10);
  });

  it('three panels: training loss and held-out loss per model, top-1 with the unigram baseline', () => {
    const data = labCurves(steps, tests, 10);
    expect(data.lastStep).toBe(10);
    expect(data.trainLoss.map((s) => s.points.map((p) => p.x))).toEqual([[1, 2, 3, 4], [1, 2, 3, 4]]);
    expect(data.heldOutTop1.map((s) => s.id)).toEqual(['masked', 'causal', 'unigram']);
    expect(data.heldOutTop1[2].points.map((p) => p.y)).toEqual([0.04, 0.04]);
    const layout = layoutLabCurves(data, { text });
    expect(layout.panels.map((p) => [p.id, p.lines.length])).toEqual([['trainLoss', 2], ['heldOutLoss', 2], ['heldOutTop1', 3]]);
    // x runs to the budget; the twin's line is dashed, not only another colour.
    expect(layout.panels[0].x.domain()).toEqual([0, 10]);
    expect(layout.panels[0].lines.find((l) => l.id === 'causal')?.dash).not.toBeNull();
    expect(layout.panels[0].lines.find((l) => l.id === 'masked')?.dash).toBeNull();
    expect(layout.legend.map((l) => l.label)).toEqual(['nano-BERT', 'causal twin', 'always the most frequent word']);
  });
});

describe('head-role table', () => {
  const roles = [[role({ previous: 0.8, self: 0.1 }), role({ sep: 0.3, cls: 0.2 })], [role({ next: 0.5 }), role({})]];
  const layout = layoutRoleTable(roles, { text, model: 'nano-BERT' });

  it('a row per layer and head, a cell per role, coloured and labelled by the share', () => {
    expect(layout.cells).toHaveLength(4 * ROLE_COLUMNS.length);
    expect(layout.rowLabels.map((r) => r.text)).toEqual(['layer 1, head 1', 'layer 1, head 2', 'layer 2, head 1', 'layer 2, head 2']);
    expect(layout.colLabels.map((c) => c.text)).toEqual(['previous', 'next', 'itself', '[CLS]', '[SEP]', 'punctuation']);
    const cell = layout.cells.find((c) => c.layer === 0 && c.head === 0 && c.role === 'previous')!;
    expect(cell.fill).toBe(WEIGHT_INTERPOLATOR(0.8));
    expect(cell.label).toBe('80.0%');
    expect(cell.ink).toBe('#fff');
    expect(cell.title).toBe('Layer 1, head 1: 80.0% of its attention on previous');
    expect(layout.title).toBe('What each head of nano-BERT looks at');
  });

  it('marks each head’s largest share, and none in a head with no attention on any role', () => {
    const strongest = layout.cells.filter((c) => c.strongest).map((c) => `${c.layer}${c.head}:${c.role}`);
    expect(strongest).toEqual(['00:previous', '01:sep', '10:next']);
  });

  it('speaks Korean when given Korean text', () => {
    const ko = layoutRoleTable(roles, { text: translatorFor('ko'), model: '나노 BERT' });
    expect(ko.rowLabels[0].text).toBe('1층 1번 헤드');
    expect(ko.colLabels[0].text).toBe('앞 토큰');
  });
});

describe('lab state on the page', () => {
  it('thins long lists but keeps the first and the newest', () => {
    const list = Array.from({ length: 11 }, (_, i) => i);
    expect(thin(list, 20)).toEqual(list);
    expect(thin(list, 10)).toEqual([0, 1, 3, 5, 7, 9, 10]);
    expect(thin(list, 10, 3)).toEqual([0, 1, 3, 5, 7, 8, 9, 10]);
  });

  it('a snapshot of a new probe at the same step replaces the old one', () => {
    const snap = (step: number, tokens: string[]) => ({ step, tokens, masked: { attentions: [], guesses: [] }, causal: { attentions: [], guesses: [] } });
    let view = reduceLab(
      { state: 'running', backend: null, settings: null, steps: [], clock: { elapsedMs: 0, trainMs: 0, tokens: 0 }, evaluations: [], snapshots: [], roles: {}, saved: [], error: null, busy: { save: false, roles: false } },
      { type: 'snapshot', snapshot: snap(0, ['a']) },
    );
    view = reduceLab(view, { type: 'snapshot', snapshot: snap(5, ['a']) });
    view = reduceLab(view, { type: 'snapshot', snapshot: snap(5, ['b']) });
    expect(view.snapshots.map((s) => [s.step, s.tokens[0]])).toEqual([[0, 'a'], [5, 'b']]);
    // A failed save frees its button, and says what failed.
    view = reduceLab({ ...view, busy: { save: true, roles: true } }, { type: 'error', during: 'save', message: 'no room' });
    expect(view.busy).toEqual({ save: false, roles: true });
    expect(view.error).toEqual({ during: 'save', message: 'no room' });
  });

  it('time left: of a budget in seconds, or steps at the pace so far', () => {
    const view = { clock: { elapsedMs: 30_000, trainMs: 25_000, tokens: 0 }, steps: [{ step: 60 }] } as Parameters<typeof timeLeft>[1];
    expect(timeLeft({ unit: 'seconds', value: 600 }, view)).toBe(570_000);
    expect(timeLeft({ unit: 'steps', value: 100 }, view)).toBe(20_000);
    expect(timeLeft(null, view)).toBeNull();
    expect(formatDuration(570_000)).toBe('9:30');
    expect(formatDuration(5_400)).toBe('0:05');
  });
});
