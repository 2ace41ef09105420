import { describe, expect, it } from 'vitest';
import { ensureNamespaces, sizeFromViewBox } from '../../src/viz/export';

describe('export helpers', () => {
  it('reads width and height from a viewBox', () => {
    expect(sizeFromViewBox('0 0 640 480')).toEqual({ width: 640, height: 480 });
    expect(sizeFromViewBox('0,0,10.5,20')).toEqual({ width: 10.5, height: 20 });
    expect(sizeFromViewBox(null)).toBeNull();
    expect(sizeFromViewBox('0 0 0 10')).toBeNull();
    expect(sizeFromViewBox('junk')).toBeNull();
  });

  it('adds the SVG namespace when missing, once', () => {
    const out = ensureNamespaces('<svg viewBox="0 0 1 1"><rect/></svg>');
    expect(out).toBe('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect/></svg>');
    expect(ensureNamespaces(out)).toBe(out);
  });

  it('adds xlink only when xlink: is used', () => {
    const out = ensureNamespaces('<svg><image xlink:href="a.png"/></svg>');
    expect(out).toContain('xmlns:xlink="http://www.w3.org/1999/xlink"');
    expect(out).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(ensureNamespaces('<svg><image href="a.png"/></svg>')).not.toContain('xlink');
  });

  it('rejects markup without an <svg>', () => {
    expect(() => ensureNamespaces('<div></div>')).toThrow();
  });
});
