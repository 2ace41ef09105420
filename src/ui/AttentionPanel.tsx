import { useCallback, useMemo, useState } from 'react';
import type { Encoded } from '../engine/bert';
import {
  bidirectionalMask,
  causalMask,
  hideSpecial,
  meanOverHeads,
  nonSpecialIndices,
  normWeighted,
  rollout,
} from '../viz/attentionMath';
import { headView, type HeadViewOptions, type TokenSide } from '../viz/headView';
import { heatmapView, type HeatmapOptions } from '../viz/heatmap';
import { maskView } from '../viz/maskView';
import { modelView, type ModelViewOptions } from '../viz/modelView';
import type { CellRef } from '../viz/types';
import { D3View } from './D3View';
import type { AttentionSettings, AttentionViewName } from './urlState';

interface Props {
  bert: Encoded;
  twin: Encoded;
  settings: AttentionSettings;
  onSettings: (settings: AttentionSettings) => void;
}

const VIEWS: { id: AttentionViewName; label: string }[] = [
  { id: 'heatmap', label: 'Heatmap' },
  { id: 'heads', label: 'Head view' },
  { id: 'model', label: 'All layers & heads' },
  { id: 'contrast', label: 'BERT vs GPT mask' },
];

interface Matrix {
  tokens: string[];
  matrix: Float32Array;
}

/** Apply the "hide special tokens" option: drop [CLS]/[SEP] rows and columns, renormalise rows. */
function visible(tokens: string[], matrix: Float32Array, hide: boolean): Matrix {
  if (!hide) return { tokens, matrix };
  const keep = nonSpecialIndices(tokens);
  if (keep.length === 0) return { tokens, matrix };
  return { tokens: keep.map((i) => tokens[i]), matrix: hideSpecial(matrix, tokens.length, keep) };
}

export function AttentionPanel({ bert: bidirectional, twin, settings, onSettings }: Props) {
  // Settings live in the URL (shareable); hover and toggles are this visit's alone.
  const { view, layer, head, meanHeads, rollout: useRollout, normWeighted: normWeightedOn, hideSpecial: hideSpecialOn } = settings;
  const change = (patch: Partial<AttentionSettings>) => onSettings({ ...settings, ...patch });
  const setView = (v: AttentionViewName) => change({ view: v });
  const setLayer = (v: number) => change({ layer: v });
  const setHead = (v: number) => change({ head: v });
  const setMeanHeads = (v: boolean) => change({ meanHeads: v });
  const setUseRollout = (v: boolean) => change({ rollout: v });
  const setNormWeighted = (v: boolean) => change({ normWeighted: v });
  const setHideSpecial = (v: boolean) => change({ hideSpecial: v });
  // The main views show either model: BERT-mini (bidirectional) or its causal twin.
  const bert = settings.mask === 'causal' ? twin : bidirectional;
  const [highlight, setHighlight] = useState<CellRef | null>(null);
  const [activeHeads, setActiveHeads] = useState<boolean[]>([]);
  const [focus, setFocus] = useState<{ token: number | null; side: TokenSide }>({ token: null, side: 'query' });

  const L = bert.layers;
  const H = bert.heads;
  const n = bert.ids.length;
  const l = Math.min(layer, L - 1);
  const h = Math.min(head, H - 1);

  const raw = useMemo(() => {
    if (useRollout) return rollout(bert.attentions, n);
    return meanHeads ? meanOverHeads(bert.attentions[l]) : bert.attentions[l][h];
  }, [bert, n, l, h, meanHeads, useRollout]);

  const weighted = useMemo(() => {
    if (!normWeightedOn || useRollout || bert.valueNorms === null) return null;
    const norms = bert.valueNorms[l];
    const perHead = (i: number) => normWeighted(bert.attentions[l][i], norms[i], { normalizeRows: true });
    return meanHeads ? meanOverHeads(bert.attentions[l].map((_, i) => perHead(i))) : perHead(h);
  }, [bert, l, h, meanHeads, useRollout, normWeightedOn]);

  const describe = useRollout ? 'attention rollout, all layers' : `layer ${l + 1}, ${meanHeads ? 'mean of all heads' : `head ${h + 1}`}`;
  const main = useMemo(() => visible(bert.tokens, raw, hideSpecialOn), [bert.tokens, raw, hideSpecialOn]);
  const side = useMemo(
    () => (weighted === null ? null : visible(bert.tokens, weighted, hideSpecialOn)),
    [bert.tokens, weighted, hideSpecialOn],
  );

  const onHover = useCallback((query: number | null, key: number | null) => {
    setHighlight(query === null && key === null ? null : { query, key });
  }, []);
  const heatmapOptions: HeatmapOptions = useMemo(
    () => ({ title: `Raw attention · ${describe}`, highlight, onHover, queryLabel: 'query (looks)', keyLabel: 'key (looked at)' }),
    [describe, highlight, onHover],
  );
  const weightedOptions: HeatmapOptions = useMemo(
    () => ({ title: `Norm-weighted ‖α·f(x)‖ · ${describe}`, highlight, onHover }),
    [describe, highlight, onHover],
  );

  const headOptions: HeadViewOptions = useMemo(
    () => ({
      title: `Layer ${l + 1}: every head`,
      activeHeads,
      focusToken: focus.token,
      focusSide: focus.side,
      onToggleHead: (i: number) =>
        setActiveHeads((prev) => {
          const next = Array.from({ length: H }, (_, j) => prev[j] ?? true);
          next[i] = !next[i];
          return next;
        }),
      onFocusToken: (token: number | null, s: TokenSide) => setFocus({ token, side: s }),
    }),
    [l, H, activeHeads, focus],
  );
  const headData = useMemo(() => ({ tokens: bert.tokens, heads: bert.attentions[l] }), [bert, l]);

  const modelOptions: ModelViewOptions = useMemo(
    () => ({
      title: 'Every layer (rows) × head (columns) — click one to open it',
      selected: { layer: l, head: h },
      onSelect: (layerIndex: number, headIndex: number) =>
        onSettings({ ...settings, layer: layerIndex, head: headIndex, meanHeads: false, rollout: false, view: 'heatmap' }),
    }),
    [l, h, settings, onSettings],
  );
  const modelData = useMemo(() => ({ attentions: bert.attentions, tokens: bert.tokens }), [bert]);

  const masks = useMemo(
    () => ({
      bidirectional: { mask: bidirectionalMask(n), tokens: bert.tokens },
      causal: { mask: causalMask(n), tokens: bert.tokens },
    }),
    [n, bert.tokens],
  );
  const twinMatrix = useMemo(
    () => ({ tokens: twin.tokens, matrix: meanHeads ? meanOverHeads(twin.attentions[l]) : twin.attentions[l][h] }),
    [twin, l, h, meanHeads],
  );
  const bertMatrix = useMemo(
    () => ({
      tokens: bidirectional.tokens,
      matrix: meanHeads ? meanOverHeads(bidirectional.attentions[l]) : bidirectional.attentions[l][h],
    }),
    [bidirectional, l, h, meanHeads],
  );
  const where = `layer ${l + 1}, ${meanHeads ? 'mean of heads' : `head ${h + 1}`}`;
  const contrastBertOptions = useMemo(() => ({ title: `bidirectional · BERT-mini · ${where}`, highlight, onHover }), [where, highlight, onHover]);
  const contrastTwinOptions = useMemo(
    () => ({ title: `causal · twin · ${where}`, highlight, onHover, maskMatrix: masks.causal.mask }),
    [where, highlight, onHover, masks],
  );

  return (
    <div className="attention">
      <div className="tabs" role="tablist" aria-label="Attention views">
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            aria-selected={view === v.id}
            className={view === v.id ? 'tab tab-active' : 'tab'}
            onClick={() => setView(v.id)}
          >
            {v.label}
          </button>
        ))}
      </div>
      <div className="controls" role="group" aria-label="Attention options">
        <label>
          Model{' '}
          <select value={settings.mask} onChange={(e) => change({ mask: e.target.value as AttentionSettings['mask'] })}>
            <option value="bidirectional">BERT-mini (bidirectional)</option>
            <option value="causal">causal twin (GPT-style)</option>
          </select>
        </label>
        <label>
          Layer{' '}
          <select value={l} onChange={(e) => setLayer(Number(e.target.value))} disabled={useRollout && view === 'heatmap'}>
            {Array.from({ length: L }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <label>
          Head{' '}
          <select value={h} onChange={(e) => setHead(Number(e.target.value))} disabled={meanHeads || useRollout}>
            {Array.from({ length: H }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <label title="Average the heads of this layer">
          <input type="checkbox" checked={meanHeads} onChange={(e) => setMeanHeads(e.target.checked)} /> Mean over heads
        </label>
        <label title="Drop [CLS] and [SEP]; each row is renormalised: among the words, where does this word look?">
          <input type="checkbox" checked={hideSpecialOn} onChange={(e) => setHideSpecial(e.target.checked)} /> Hide [CLS]/[SEP]
        </label>
        <label title="Abnar & Zuidema 2020: follow attention (plus the residual path) through all layers">
          <input type="checkbox" checked={useRollout} onChange={(e) => setUseRollout(e.target.checked)} /> Attention rollout
        </label>
        <label title="Kobayashi et al. 2020: weight × size of what the token sends — a head staring at [SEP] may move almost nothing">
          <input
            type="checkbox"
            checked={normWeightedOn}
            disabled={useRollout}
            onChange={(e) => setNormWeighted(e.target.checked)}
          />{' '}
          Norm-weighted (beside raw)
        </label>
      </div>

      <div className="view" role="tabpanel" aria-label={VIEWS.find((v) => v.id === view)?.label}>
        {view === 'heatmap' && (
          <div className="side-by-side">
            <D3View
              view={heatmapView}
              data={main}
              options={heatmapOptions}
              caption={`raw attention · ${describe}`}
              className="main-heatmap"
              label={`Attention heatmap, ${describe}`}
            />
            {side !== null && (
              <D3View
                view={heatmapView}
                data={side}
                options={weightedOptions}
                caption={`norm-weighted ‖α·f(x)‖ · ${describe}`}
                className="norm-heatmap"
                label={`Norm-weighted attention, ${describe}`}
              />
            )}
          </div>
        )}
        {view === 'heads' && <D3View view={headView} data={headData} options={headOptions} label={`Head view, layer ${l + 1}`} />}
        {view === 'model' && <D3View view={modelView} data={modelData} options={modelOptions} label="Model view, all layers and heads" />}
        {view === 'contrast' && (
          <div className="contrast">
            <p className="explain">
              Left, BERT’s <strong>bidirectional</strong> mask: every token may look at every other. Right, GPT’s{' '}
              <strong>causal</strong> mask: token <em>i</em> sees only tokens 1…<em>i</em> — the numbers count what each
              position can see. Below, the same sentence through BERT-mini and through its causal twin.
            </p>
            <div className="side-by-side">
              <D3View view={maskView} data={masks.bidirectional} options={{ caption: 'bidirectional (BERT)' }} label="Bidirectional mask" />
              <D3View view={maskView} data={masks.causal} options={{ caption: 'causal (GPT)' }} label="Causal mask" />
            </div>
            <div className="side-by-side">
              <D3View
                view={heatmapView}
                data={bertMatrix}
                options={contrastBertOptions}
                caption="bidirectional · BERT-mini"
                className="contrast-bidirectional"
                label={`Bidirectional attention, ${where}`}
              />
              <D3View
                view={heatmapView}
                data={twinMatrix}
                options={contrastTwinOptions}
                caption="causal · twin"
                className="contrast-causal"
                label={`Causal attention, ${where}`}
              />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
