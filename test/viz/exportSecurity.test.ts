// @vitest-environment jsdom
/**
 * Strings from a checkpoint (vocabulary pieces, labels) and from the URL are text in every view and
 * in the exported SVG: the markup they would make is never built, the export parses as XML, and each
 * string comes back from the parsed file as the same text (tooltips included).
 */
import { describe, expect, it } from 'vitest';
import { normalizeRows } from '../../src/viz/attentionMath';
import { barsView } from '../../src/viz/bars';
import { truncate } from '../../src/viz/common';
import { ensureNamespaces, svgToString, xmlSafe } from '../../src/viz/export';
import { headView } from '../../src/viz/headView';
import { heatmapView } from '../../src/viz/heatmap';
import { maskView } from '../../src/viz/maskView';
import { scatterView } from '../../src/viz/scatter';
import { translatorFor } from '../../src/ui/i18n/translate';

const text = translatorFor('en');

/** What a hostile vocab.txt, config.json or link could carry. */
const HOSTILE = [
  '<img src=x onerror=window.__pwned=1>',
  '</title><script>window.__pwned=2</script>',
  '"]]><svg onload=window.__pwned=3>',
  '&amp;&lt;&#x3C;',
  "'\"`${x}",
  '<![CDATA[x]]>',
  '<?xml-stylesheet href="x"?>',
  '😀😀😀😀😀😀😀😀😀😀😀😀',
];
const tokens = ['[CLS]', ...HOSTILE, '[SEP]'];
const n = tokens.length;

function svg(): SVGSVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  document.body.appendChild(el);
  return el;
}

/** The export, parsed back as a standalone XML file. */
function exported(el: SVGSVGElement): Document {
  const markup = svgToString(el);
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  expect(doc.querySelector('parsererror'), markup.slice(0, 400)).toBeNull();
  // Nothing the strings spelled became markup: one <svg> (the root), no script, image or handler.
  expect(doc.querySelectorAll('script, img, foreignObject')).toHaveLength(0);
  expect(doc.querySelectorAll('svg')).toHaveLength(1);
  for (const node of Array.from(doc.querySelectorAll('*'))) {
    expect(node.getAttributeNames().filter((a) => /^on/i.test(a)), node.tagName).toEqual([]);
  }
  return doc;
}

const texts = (doc: Document, selector: string) => Array.from(doc.querySelectorAll(selector)).map((t) => t.textContent ?? '');

describe('hostile strings in the views and their SVG export', () => {
  const matrix = normalizeRows(new Float32Array(n * n).fill(1), n);

  it('heatmap: axis labels and tooltips are the strings, as text', () => {
    const el = svg();
    heatmapView(el, { tokens, matrix }, { text, title: HOSTILE[1] });
    const doc = exported(el);
    const titles = texts(doc, 'title');
    for (const s of HOSTILE) expect(titles.some((t) => t.startsWith(`${s} → `)), s).toBe(true);
    expect(titles).toContain(HOSTILE[1]); // the drawing's own title
    // The axis shows each label shortened (heatmap.ts: 14 characters), still as text.
    expect(texts(doc, 'text.row-label')).toEqual(tokens.map((t) => truncate(t, 14)));
  });

  it('head view, mask view, bars and scatter', () => {
    const heads = [matrix, matrix];
    const views: [string, (el: SVGSVGElement) => void][] = [
      ['heads', (el) => void headView(el, { tokens, heads }, { text, minWeight: 0 })],
      ['mask', (el) => void maskView(el, { mask: matrix, tokens }, { text, caption: HOSTILE[0] })],
      ['bars', (el) => void barsView(el, HOSTILE.map((token, i) => ({ token, score: 1 / (i + 2) })), { text, title: HOSTILE[2] })],
      [
        'scatter',
        (el) =>
          void scatterView(el, {
            points: HOSTILE.map((s, i) => ({ x: i, y: -i, label: HOSTILE[i % 3], text: s })),
            labels: HOSTILE.slice(0, 3),
            title: HOSTILE[1],
          }),
      ],
    ];
    for (const [name, draw] of views) {
      const el = svg();
      draw(el);
      const doc = exported(el);
      const all = texts(doc, 'text, title').join('\n');
      // Each string is there as text (labels may be shortened with "…", so its start).
      for (const s of name === 'scatter' ? HOSTILE.slice(0, 3) : HOSTILE) expect(all, `${name}: ${s}`).toContain(s.slice(0, 10));
    }
  });

  it('a control character or a lone surrogate in a vocabulary piece still gives XML', () => {
    const odd = ['bell\u0007', 'nul\u0000', 'half\uD83D', '\uDE00tail', 'ok\t'];
    const el = svg();
    heatmapView(el, { tokens: odd, matrix: normalizeRows(new Float32Array(25).fill(1), 5) }, { text });
    const doc = exported(el);
    expect(texts(doc, 'text.row-label')).toEqual(['bell\uFFFD', 'nul\uFFFD', 'half\uFFFD', '\uFFFDtail', 'ok\t']);
    expect(xmlSafe('a😀b\uFFFF')).toBe('a😀b\uFFFD');
  });

  it('labels are never cut inside an emoji', () => {
    expect(truncate('😀'.repeat(10), 6)).toBe('😀😀…');
    expect(truncate('a😀😀😀😀', 3)).toBe('a…');
  });

  it('finds the root tag even when an attribute before xmlns holds ">"', () => {
    const out = ensureNamespaces('<svg aria-label="a > b" viewBox="0 0 1 1"><text>x</text></svg>');
    expect(out).toBe('<svg xmlns="http://www.w3.org/2000/svg" aria-label="a > b" viewBox="0 0 1 1"><text>x</text></svg>');
    const withNs = ensureNamespaces('<svg aria-label="a > b" xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>');
    expect(withNs.match(/xmlns=/g)).toHaveLength(1);
  });
});
