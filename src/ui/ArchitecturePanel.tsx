import { useCallback, useMemo, useState } from 'react';
import type { Encoded } from '../engine/bert';
import type { BertConfig } from '../engine/config';
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

interface Props {
  config: BertConfig;
  encoded: Encoded;
  /** The classifier's labels, when one is being fine-tuned. */
  labels?: string[];
  onOpenAttention: () => void;
}

const JUMPS: Record<JumpTarget, { heading: string; button: string }> = {
  tokens: { heading: 'sentence-heading', button: 'Show the token chips' },
  fillmask: { heading: 'fill-heading', button: 'Open fill in the blank' },
  attention: { heading: 'attention-heading', button: 'Open the attention heatmap' },
  finetune: { heading: 'finetune-heading', button: 'Open fine-tuning' },
};

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
  const [selected, setSelected] = useState<string | null>(null);
  const data: ArchitectureData = useMemo(() => ({ layers: config.layers, heads: config.heads }), [config.layers, config.heads]);
  const onSelect = useCallback((id: string) => setSelected(id), []);
  const options: ArchitectureOptions = useMemo(() => ({ selected, onSelect }), [selected, onSelect]);

  const T = encoded.ids.length;
  const info = selected === null ? null : blockInfo(data, selected);
  const numLabels = labels !== undefined && labels.length > 0 ? labels.length : undefined;
  const rows = info?.bert != null ? shapesFor(info.bert, config, T, numLabels) : null;

  const jump = (target: JumpTarget) => {
    if (target === 'attention') onOpenAttention();
    goTo(JUMPS[target].heading);
  };

  return (
    <div className="architecture">
      <p className="explain">
        Three members of one family. The <strong>Transformer</strong> translates: an encoder reads the source, a decoder
        writes the target. <strong>GPT</strong> keeps only the decoder and reads left to right. <strong>BERT</strong>{' '}
        keeps only the encoder and reads in both directions. Click a block (or Tab to it and press Enter).
      </p>
      <div className="architecture-body">
        <D3View
          view={architectureView}
          data={data}
          options={options}
          className="architecture-diagram"
          label="Transformer, GPT and BERT architectures"
        />
        <div className="architecture-details" aria-live="polite" data-testid="architecture-details">
          {info === null && <p className="hint">Pick a block to see what it does — BERT’s blocks show this sentence’s tensor shapes.</p>}
          {info !== null && (
            <>
              <h3>
                {info.family === 'bert' ? 'BERT' : info.family === 'gpt' ? 'GPT' : 'Transformer'}: {info.label}
              </h3>
              <p>{info.explain}</p>
              {rows !== null && (
                <>
                  <p className="hint">
                    This sentence: T = {T} tokens · H = {config.hidden} · {config.heads} heads · {config.layers} layers
                  </p>
                  <table className="shapes">
                    <thead>
                      <tr>
                        <th scope="col">tensor</th>
                        <th scope="col">shape (this sentence)</th>
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
                  {JUMPS[info.jump].button}
                </button>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
