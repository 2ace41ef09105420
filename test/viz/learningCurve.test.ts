import { describe, expect, it } from 'vitest';
import { layoutLearningCurve, SERIES_STYLES, type LearningCurveData } from '../../src/viz/learningCurve';

const data: LearningCurveData = {
  ks: [0, 4, 8, 16],
  chance: 0.5,
  series: [
    {
      id: 'prompt',
      name: 'prompt',
      points: [
        { k: 8, mean: 0.7, sd: 0.05, n: 3 },
        { k: 0, mean: 0.6, sd: 0, n: 1 },
        { k: 4, mean: 0.65, sd: 0.1, n: 3 },
      ],
    },
    { id: 'bow', name: 'bag of words', points: [{ k: 4, mean: 0.5, sd: 0.4, n: 3 }] },
  ],
};

const numbers = (d: string) => d.match(/-?[\d.]+(e-?\d+)?/g)!.map(Number);

describe('layoutLearningCurve', () => {
  it('puts every k asked for on an evenly spaced x axis, before any result arrives', () => {
    const { x } = layoutLearningCurve({ ...data, series: [] });
    expect(x.domain()).toEqual([0, 4, 8, 16]);
    const steps = [4, 8, 16].map((k, i) => (x(k) as number) - (x([0, 4, 8][i]) as number));
    steps.forEach((s) => expect(s).toBeCloseTo(steps[0], 6));
  });

  it('encodes mean as the line and mean ± sd as the band and whisker', () => {
    const { series, x, y } = layoutLearningCurve(data);
    const prompt = series[0];
    // Points in k order, whatever order they arrived in.
    expect(prompt.points.map((p) => p.k)).toEqual([0, 4, 8]);
    const p4 = prompt.points[1];
    expect(p4.cx).toBeCloseTo(x(4) as number, 6);
    expect(p4.cy).toBeCloseTo(y(0.65), 6);
    expect(p4.top).toBeCloseTo(y(0.75), 6);
    expect(p4.bottom).toBeCloseTo(y(0.55), 6);
    // The line passes through the means.
    const line = numbers(prompt.line!);
    const expected = [x(0), y(0.6), x(4), y(0.65), x(8), y(0.7)] as number[];
    line.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 2));
    // The band's upper edge is mean + sd.
    const band = numbers(prompt.band!);
    expect(band[1]).toBeCloseTo(y(0.6), 2); // k = 0 has sd 0
    expect(band[3]).toBeCloseTo(y(0.75), 2);
  });

  it('clips the band to 0…100% and draws a lone point without a line', () => {
    const bow = layoutLearningCurve(data).series[1];
    expect(bow.line).toBeNull();
    expect(bow.band).toBeNull();
    const [p] = bow.points;
    const { y } = layoutLearningCurve(data);
    expect(p.top).toBeCloseTo(y(0.9), 6);
    expect(p.bottom).toBeCloseTo(y(0.1), 6);
    const wide = layoutLearningCurve({ ...data, series: [{ id: 'w', name: 'w', points: [{ k: 0, mean: 0.9, sd: 0.3, n: 2 }] }] });
    expect(wide.series[0].points[0].top).toBeCloseTo(wide.y(1), 6);
  });

  it('tells methods apart by colour, dash and symbol, and says what each point is', () => {
    const layout = layoutLearningCurve(data);
    const [a, b] = layout.series;
    expect(a.color).toBe(SERIES_STYLES[0].color);
    expect(a.color).not.toBe(b.color);
    expect(a.dash).not.toBe(b.dash);
    expect(layout.legend[0].symbol).not.toBe(layout.legend[1].symbol);
    expect(layout.legend.map((l) => l.name)).toEqual(['prompt', 'bag of words']);
    expect(a.points[1].title).toBe('prompt, k = 4: 65% ± 10% (3 draws)');
    expect(layout.chance?.y).toBeCloseTo(layout.y(0.5), 6);
  });

  it('keeps each series in its own style when other series appear or are missing', () => {
    const bow = { id: 'bow', name: 'bag of words', style: 5, points: [{ k: 4, mean: 0.5, sd: 0, n: 1 }] };
    const alone = layoutLearningCurve({ ...data, series: [bow] });
    const later = layoutLearningCurve({ ...data, series: [{ ...data.series[0], style: 0 }, bow] });
    for (const layout of [alone, later]) {
      const mark = layout.series.find((s) => s.id === 'bow')!;
      expect(mark.color).toBe(SERIES_STYLES[5].color);
      expect(mark.dash).toBe(SERIES_STYLES[5].dash);
    }
    expect(alone.legend[0].symbol).toBe(later.legend[1].symbol);
  });

  it('takes the tooltip words from the options', () => {
    const layout = layoutLearningCurve(data, { drawsLabel: (n) => `${n}번 뽑기` });
    expect(layout.series[0].points[1].title).toBe('prompt, k = 4: 65% ± 10% (3번 뽑기)');
  });

  it('ignores results for a k that is not on the axis', () => {
    const layout = layoutLearningCurve({ ...data, ks: [0, 8] });
    expect(layout.series[0].points.map((p) => p.k)).toEqual([0, 8]);
    expect(layout.series[1].points).toEqual([]);
  });
});
