import { describe, expect, it } from 'vitest';
import { layoutCurves } from '../../src/viz/curves';
import { layoutScatter } from '../../src/viz/scatter';
import { translatorFor } from '../../src/ui/i18n/translate';

const text = translatorFor('en');

describe('layoutCurves', () => {
  const data = {
    epochs: 5,
    loss: [
      { epoch: 1, train: 0.8, validation: 0.9 },
      { epoch: 2, train: 0.4, validation: 0.6 },
    ],
    accuracy: [
      { epoch: 1, train: 0.5, validation: null },
      { epoch: 2, train: 1, validation: null },
    ],
  };
  it('puts epochs on x (fixed to the planned count) and the metric on y', () => {
    const [loss, acc] = layoutCurves(data, { text }).panels;
    expect(loss.x.domain()).toEqual([1, 5]);
    expect(loss.y(0.8)).toBeLessThan(loss.y(0.4)); // higher loss is drawn higher
    expect(acc.y.domain()).toEqual([0, 1]);
    // The path passes through the encoded points.
    const coords = loss.train!.match(/-?[\d.]+/g)!.map(Number);
    const expected = [loss.x(1), loss.y(0.8), loss.x(2), loss.y(0.4)];
    coords.forEach((c, i) => expect(c).toBeCloseTo(expected[i], 2));
  });
  it('draws no validation line when there is no validation set', () => {
    const [, acc] = layoutCurves(data, { text }).panels;
    expect(acc.validation).toBeNull();
    expect(acc.train).not.toBeNull();
  });
});

describe('layoutScatter', () => {
  it('places each example by its projection and colours it by label', () => {
    const layout = layoutScatter({
      title: 't',
      labels: ['negative', 'positive'],
      points: [
        { x: -1, y: 0, label: 'negative', text: 'bad' },
        { x: 1, y: 0, label: 'positive', text: 'good' },
        { x: 0, y: 1, label: 'positive', text: 'fine' },
      ],
    });
    const [a, b, c] = layout.dots;
    expect(a.cx).toBeLessThan(b.cx);
    expect(c.cy).toBeLessThan(a.cy); // larger y is higher on screen
    expect(b.fill).toBe(c.fill);
    expect(a.fill).not.toBe(b.fill);
    expect(a.symbol).not.toBe(b.symbol);
    expect(layout.legend.map((l) => l.label)).toEqual(['negative', 'positive']);
  });
});
