/**
 * Save a view as a standalone .svg or a .png for slides.
 *
 * svgToString works wherever there is a DOM (the browser; jsdom). svgToPngBlob
 * and download need a real browser: they use Image, canvas and object URLs.
 * The string helpers at the bottom are pure and tested in Node.
 */
import { FONT_FAMILY } from './common';

const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

/**
 * Properties copied from the page's computed style onto text in the copy: the
 * views set geometry and colours as attributes already, but the font can come
 * from the app's stylesheet, which a standalone file does not have.
 */
const TEXT_STYLE_PROPS = ['font-family', 'font-size', 'font-weight', 'fill'] as const;

/** Serialises the <svg> to a standalone document: xmlns added, text styles inlined, size set. */
export function svgToString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const view = svg.ownerDocument.defaultView;
  if (view) {
    const sources = svg.querySelectorAll('text');
    const targets = clone.querySelectorAll('text');
    sources.forEach((src, i) => {
      const style = view.getComputedStyle(src);
      const dst = targets[i];
      for (const prop of TEXT_STYLE_PROPS) {
        const value = style.getPropertyValue(prop);
        if (value && !dst.getAttribute(prop)) dst.style.setProperty(prop, value);
      }
    });
  }
  // Without width/height an <img> or a slide tool may pick 300×150; take them from the viewBox.
  const size = sizeFromViewBox(clone.getAttribute('viewBox'));
  if (size) {
    clone.setAttribute('width', String(size.width));
    clone.setAttribute('height', String(size.height));
    clone.style.removeProperty('max-width');
    clone.style.removeProperty('height');
  }
  if (!clone.style.getPropertyValue('font-family')) clone.style.setProperty('font-family', FONT_FAMILY);
  const markup = new XMLSerializer().serializeToString(clone);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlSafe(ensureNamespaces(markup))}`;
}

/**
 * Renders the SVG to a PNG at `scale` × its viewBox size (2 = crisp on a
 * projector). Browser only: it needs Image, a 2D canvas and URL.createObjectURL.
 * The background is filled (white by default) because a transparent PNG
 * pasted on a dark slide loses its black labels.
 */
export async function svgToPngBlob(svg: SVGSVGElement, scale = 2, background: string | null = '#fff'): Promise<Blob> {
  const size = sizeFromViewBox(svg.getAttribute('viewBox')) ?? {
    width: svg.clientWidth || 300,
    height: svg.clientHeight || 150,
  };
  const url = URL.createObjectURL(new Blob([svgToString(svg)], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(size.width * scale);
    canvas.height = Math.round(size.height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('svgToPngBlob: no 2D canvas context');
    if (background) {
      ctx.fillStyle = background;
      ctx.fillRect(0, 0, canvas.width, canvas.height);
    }
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('svgToPngBlob: canvas.toBlob gave nothing'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves a blob through a temporary <a download> (browser only). */
export function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start the download asynchronously after click().
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Convenience for a toolbar "SVG" button. */
export function svgToBlob(svg: SVGSVGElement): Blob {
  return new Blob([svgToString(svg)], { type: 'image/svg+xml;charset=utf-8' });
}

/** Width and height from a viewBox attribute ("minX minY width height"), or null. */
export function sizeFromViewBox(viewBox: string | null): { width: number; height: number } | null {
  if (!viewBox) return null;
  const parts = viewBox.trim().split(/[\s,]+/).map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isFinite(p)) || parts[2] <= 0 || parts[3] <= 0) return null;
  return { width: parts[2], height: parts[3] };
}

/**
 * Adds xmlns (and xmlns:xlink where xlink: is used) to the root <svg> tag if
 * missing: a file opened on its own is not SVG without them.
 */
export function ensureNamespaces(markup: string): string {
  // Attribute values are skipped whole: one may hold a ">" (a model's name in the accessible name).
  const open = /<svg\b(?:[^>"']|"[^"]*"|'[^']*')*>/.exec(markup);
  if (!open) throw new Error('ensureNamespaces: no <svg> element');
  let tag = open[0];
  const add = (attr: string) => {
    tag = tag.replace(/^<svg\b/, `<svg ${attr}`);
  };
  if (!/\sxmlns\s*=/.test(tag)) add(`xmlns="${SVG_NS}"`);
  if (/\bxlink:/.test(markup.replace(tag, '')) && !/\sxmlns:xlink\s*=/.test(tag)) add(`xmlns:xlink="${XLINK_NS}"`);
  return markup.slice(0, open.index) + tag + markup.slice(open.index + open[0].length);
}

/**
 * Characters XML 1.0 forbids (C0 controls but tab/newline/return, U+FFFE/U+FFFF, lone surrogates)
 * → U+FFFD. XMLSerializer escapes &, < and > but copies these as they are, and a vocabulary line
 * may hold one: the file would then not be XML, and no viewer (nor the PNG export's <img>) opens it.
 * They cannot be part of markup, so replacing them in the serialised string touches only text.
 */
export function xmlSafe(markup: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this replaces
  return markup.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
