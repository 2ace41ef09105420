import { useEffect, useRef } from 'react';
import type { View } from '../viz/types';
import { download, svgToBlob, svgToPngBlob } from '../viz/export';
import { useT } from './i18n';

export type ViewFactory<D, O> = (svg: SVGSVGElement, data: D, options: O) => View<D, O>;

interface Props<D, O> {
  view: ViewFactory<D, O>;
  data: D;
  options: O;
  /** Accessible name of the drawing, and the base of exported file names. */
  label: string;
  /** Show SVG/PNG export buttons. */
  exportable?: boolean;
  className?: string;
  /** A visible heading above the drawing. */
  caption?: string;
}

/** Natural size = the drawing's viewBox (CSS still shrinks it to fit narrow screens). */
function fitToViewBox(svg: SVGSVGElement): void {
  const box = svg.viewBox.baseVal;
  if (box !== null && box.width > 0) svg.setAttribute('width', String(box.width));
}

/**
 * React owns the <svg>; the drawing function in src/viz draws into it. The view
 * is created once per factory and then only updated, so hover stays cheap.
 */
export function D3View<D, O>({ view, data, options, label, exportable = true, className, caption }: Props<D, O>) {
  const t = useT();
  const svgRef = useRef<SVGSVGElement>(null);
  const viewRef = useRef<View<D, O> | null>(null);
  useEffect(() => {
    const svg = svgRef.current;
    if (svg === null) return;
    viewRef.current = view(svg, data, options);
    fitToViewBox(svg);
    return () => {
      viewRef.current?.destroy();
      viewRef.current = null;
    };
    // Created once per view function; data and options flow through update() below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view]);
  useEffect(() => {
    viewRef.current?.update(data, options);
    if (svgRef.current !== null) fitToViewBox(svgRef.current);
  }, [data, options]);

  // ASCII file names travel best; a label in Korean falls back to a generic name.
  const fileName = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'bert-playground-view';
  return (
    <figure className={`d3view ${className ?? ''}`}>
      {caption !== undefined && <h4 className="view-caption">{caption}</h4>}
      <svg ref={svgRef} aria-label={label} />
      {exportable && (
        <figcaption className="export">
          <button type="button" onClick={() => svgRef.current && download(svgToBlob(svgRef.current), `${fileName}.svg`)}>
            {t('view.save.svg')}
            <span className="sr-only"> {t('view.of', { label })}</span>
          </button>
          <button
            type="button"
            onClick={async () => svgRef.current && download(await svgToPngBlob(svgRef.current, 2), `${fileName}.png`)}
          >
            {t('view.save.png')}
            <span className="sr-only"> {t('view.of', { label })}</span>
          </button>
        </figcaption>
      )}
    </figure>
  );
}
