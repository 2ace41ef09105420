import { Fragment, useCallback, useMemo, useState, type ReactNode } from 'react';
import type { BertConfig, Encoded } from '../engine';
import {
  architectureView,
  blockInfo,
  formatDims,
  formatShape,
  shapesFor,
  type ArchitectureData,
  type ArchitectureOptions,
  type JumpTarget,
} from '../viz/architecture';
import { D3View } from './D3View';
import { useT, type MessageKey } from './i18n';

interface Props {
  config: BertConfig;
  encoded: Encoded;
  /** The classifier's labels, when one is being fine-tuned. */
  labels?: string[];
  onOpenAttention: () => void;
}

const JUMPS: Record<JumpTarget, { heading: string; button: MessageKey }> = {
  tokens: { heading: 'sentence-heading', button: 'archp.jump.tokens' },
  fillmask: { heading: 'fill-heading', button: 'archp.jump.fillmask' },
  attention: { heading: 'attention-heading', button: 'archp.jump.attention' },
  finetune: { heading: 'finetune-heading', button: 'archp.jump.finetune' },
};

/** `**word**` in a message becomes <strong>word</strong>. */
function withStrong(text: string): ReactNode[] {
  return text.split('**').map((part, i) => (i % 2 === 1 ? <strong key={i}>{part}</strong> : <Fragment key={i}>{part}</Fragment>));
}

/** Scroll a section into view and move keyboard focus to its heading. */
function goTo(headingId: string): void {
  const el = document.getElementById(headingId);
  if (el === null) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
  el.focus({ preventScroll: true });
}

/**
 * The Transformer / GPT / BERT comparison figure. Clicking a BERT block shows
 * the live model's tensor shapes for the current sentence; the other columns
 * explain how they differ.
 */
export function ArchitecturePanel({ config, encoded, labels, onOpenAttention }: Props) {
  const t = useT();
  const [selected, setSelected] = useState<string | null>(null);
  // The figure's words are the page's: the same lookup, so it follows the language.
  const data: ArchitectureData = useMemo(() => ({ layers: config.layers, heads: config.heads, text: t }), [config.layers, config.heads, t]);
  const onSelect = useCallback((id: string) => setSelected(id), []);
  const options: ArchitectureOptions = useMemo(() => ({ selected, onSelect }), [selected, onSelect]);

  const T = encoded.ids.length;
  const info = selected === null ? null : blockInfo(data, selected);
  const numLabels = labels !== undefined && labels.length > 0 ? labels.length : undefined;
  const rows = info?.bert != null ? shapesFor(info.bert, config, T, t, numLabels) : null;

  const jump = (target: JumpTarget) => {
    if (target === 'attention') onOpenAttention();
    goTo(JUMPS[target].heading);
  };

  return (
    <div className="architecture">
      <p className="explain">{withStrong(t('archp.explain'))}</p>
      <div className="architecture-body">
        <D3View
          view={architectureView}
          data={data}
          options={options}
          className="architecture-diagram"
          label={t('archp.diagram')}
        />
        <div className="architecture-details" aria-live="polite" data-testid="architecture-details">
          {info === null && <p className="hint">{t('archp.hint')}</p>}
          {info !== null && (
            <>
              <h3>
                {info.family === 'bert' ? 'BERT' : info.family === 'gpt' ? 'GPT' : 'Transformer'}: {info.label}
              </h3>
              <p>{info.explain}</p>
              {rows !== null && (
                <>
                  <p className="hint">
                    {t('archp.sentence', { T, H: config.hidden, heads: config.heads, layers: config.layers })}
                  </p>
                  <table className="shapes">
                    <thead>
                      <tr>
                        <th scope="col">{t('archp.tensor')}</th>
                        <th scope="col">{t('archp.shape')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((r) => (
                        <tr key={r.name} data-testid="shape-row" data-name={r.name} title={r.note || undefined}>
                          <th scope="row">
                            <code>{r.name}</code>
                            {r.note !== '' && <span className="shape-note">{r.note}</span>}
                          </th>
                          <td>
                            <code className="shape-dims">{formatDims(r.dims)}</code>
                            <code className="shape-value" data-testid="shape-value">
                              {formatShape(r.shape)}
                            </code>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </>
              )}
              {info.jump !== null && (
                <button type="button" className="primary" onClick={() => info.jump !== null && jump(info.jump)}>
                  {t(JUMPS[info.jump].button)}
                </button>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
