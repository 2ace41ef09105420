import { useCallback, useMemo, useState } from 'react';
import type { Encoded } from '../engine';
import { bidirectionalMask, causalMask } from '../viz/attentionMath';
import { headView, type HeadViewOptions, type TokenSide } from '../viz/headView';
import { heatmapView, type HeatmapOptions } from '../viz/heatmap';
import { maskView } from '../viz/maskView';
import { modelView, type ModelViewOptions } from '../viz/modelView';
import { clampLayerHead, selectAttention } from '../viz/selectAttention';
import type { CellRef } from '../viz/types';
import { D3View } from './D3View';
import { useT, type MessageKey } from './i18n';
import type { AttentionSettings, AttentionViewName } from './urlState';

interface Props {
  bert: Encoded;
  /** null until the twin has run for this sentence (it runs only while a view shows it). */
  twin: Encoded | null;
  settings: AttentionSettings;
  onSettings: (settings: AttentionSettings) => void;
  /** The main model's name for labels: 'BERT-mini', or the checkpoint the class loaded. */
  modelLabel: string;
  /**
   * True when the main model has no causal twin: `twin` is then the main model
   * itself under the causal mask — "what if it could not look right?" — and is
   * labelled as such, never as a model trained that way.
   */
  whatIf?: boolean;
}

const VIEWS: { id: AttentionViewName; label: MessageKey }[] = [
  { id: 'heatmap', label: 'att.tab.heatmap' },
  { id: 'heads', label: 'att.tab.heads' },
  { id: 'model', label: 'att.tab.model' },
  { id: 'contrast', label: 'att.tab.contrast' },
];

export function AttentionPanel({ bert: bidirectional, twin: twinOrNull, settings, onSettings, modelLabel, whatIf = false }: Props) {
  const t = useT();
  // Settings live in the URL (shareable); hover and toggles are this visit's alone.
  const { view, meanHeads, rollout: useRollout, normWeighted: normWeightedOn, hideSpecial: hideSpecialOn } = settings;
  const change = (patch: Partial<AttentionSettings>) => onSettings({ ...settings, ...patch });
  const setView = (v: AttentionViewName) => change({ view: v });
  const setLayer = (v: number) => change({ layer: v });
  const setHead = (v: number) => change({ head: v });
  const setMeanHeads = (v: boolean) => change({ meanHeads: v });
  const setUseRollout = (v: boolean) => change({ rollout: v });
  const setNormWeighted = (v: boolean) => change({ normWeighted: v });
  const setHideSpecial = (v: boolean) => change({ hideSpecial: v });
  // The main views show either model: BERT-mini (bidirectional) or its causal twin.
  // Until the twin has run, the hooks below get BERT-mini's output, which is never drawn as the twin's.
  const twinPending = twinOrNull === null && (settings.mask === 'causal' || view === 'contrast');
  const twin = twinOrNull ?? bidirectional;
  const bert = settings.mask === 'causal' ? twin : bidirectional;
  const [highlight, setHighlight] = useState<CellRef | null>(null);
  const [activeHeads, setActiveHeads] = useState<boolean[]>([]);
  const [focus, setFocus] = useState<{ token: number | null; side: TokenSide }>({ token: null, side: 'query' });

  const L = bert.layers;
  const H = bert.heads;
  const n = bert.ids.length;
  const { layer: l, head: h } = clampLayerHead(bert, settings);

  const describe = useRollout
    ? t('att.describe.rollout')
    : t('att.describe', { layer: l + 1, head: meanHeads ? t('att.meanOfHeads') : t('att.headN', { head: h + 1 }) });
  // What the heatmaps draw: the attention itself, and beside it (when on) the norm-weighted attention.
  const main = useMemo(
    () => selectAttention(bert, { layer: l, head: h, meanHeads, rollout: useRollout, hideSpecial: hideSpecialOn }),
    [bert, l, h, meanHeads, useRollout, hideSpecialOn],
  );
  const side = useMemo(
    () =>
      normWeightedOn
        ? selectAttention(bert, { layer: l, head: h, meanHeads, rollout: useRollout, hideSpecial: hideSpecialOn, normWeighted: true })
        : null,
    [bert, l, h, meanHeads, useRollout, hideSpecialOn, normWeightedOn],
  );

  const onHover = useCallback((query: number | null, key: number | null) => {
    setHighlight(query === null && key === null ? null : { query, key });
  }, []);
  const heatmapOptions: HeatmapOptions = useMemo(
    () => ({ text: t, title: t('att.raw', { describe }), highlight, onHover }),
    [describe, highlight, onHover, t],
  );
  const weightedOptions: HeatmapOptions = useMemo(
    () => ({ text: t, title: t('att.normCaption', { describe }), highlight, onHover }),
    [describe, highlight, onHover, t],
  );

  const headOptions: HeadViewOptions = useMemo(
    () => ({
      text: t,
      title: t('att.headsTitle', { layer: l + 1 }),
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
    [l, H, activeHeads, focus, t],
  );
  const headData = useMemo(() => ({ tokens: bert.tokens, heads: bert.attentions[l] }), [bert, l]);

  const modelOptions: ModelViewOptions = useMemo(
    () => ({
      text: t,
      title: t('att.modelTitle'),
      selected: { layer: l, head: h },
      onSelect: (layerIndex: number, headIndex: number) =>
        onSettings({ ...settings, layer: layerIndex, head: headIndex, meanHeads: false, rollout: false, view: 'heatmap' }),
    }),
    [l, h, settings, onSettings, t],
  );
  const modelData = useMemo(() => ({ attentions: bert.attentions, tokens: bert.tokens }), [bert]);

  const masks = useMemo(
    () => ({
      bidirectional: { mask: bidirectionalMask(n), tokens: bert.tokens },
      causal: { mask: causalMask(n), tokens: bert.tokens },
    }),
    [n, bert.tokens],
  );
  // The contrast view: the same layer and head of both models, special tokens always shown.
  const twinMatrix = useMemo(() => selectAttention(twin, { layer: l, head: h, meanHeads }), [twin, l, h, meanHeads]);
  const bertMatrix = useMemo(() => selectAttention(bidirectional, { layer: l, head: h, meanHeads }), [bidirectional, l, h, meanHeads]);
  const where = t('att.describe', { layer: l + 1, head: meanHeads ? t('att.meanOfHeads') : t('att.headN', { head: h + 1 }) });
  const contrastBertOptions = useMemo(
    () => ({ text: t, title: `${t('att.contrast.bert', { model: modelLabel })} · ${where}`, highlight, onHover }),
    [where, highlight, onHover, t, modelLabel],
  );
  const causalName = whatIf ? t('att.contrast.whatIf', { model: modelLabel }) : t('att.contrast.twin');
  const contrastTwinOptions = useMemo(
    () => ({ text: t, title: `${causalName} · ${where}`, highlight, onHover, maskMatrix: masks.causal.mask }),
    [causalName, where, highlight, onHover, masks, t],
  );

  return (
    <div className="attention">
      <div className="tabs" role="tablist" aria-label={t('att.views')}>
        {VIEWS.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            aria-selected={view === v.id}
            className={view === v.id ? 'tab tab-active' : 'tab'}
            onClick={() => setView(v.id)}
          >
            {t(v.label)}
          </button>
        ))}
      </div>
      <div className="controls" role="group" aria-label={t('att.options')}>
        <label>
          {t('att.model')}{' '}
          <select value={settings.mask} onChange={(e) => change({ mask: e.target.value as AttentionSettings['mask'] })}>
            <option value="bidirectional">{t('att.model.bidirectional', { model: modelLabel })}</option>
            <option value="causal">{whatIf ? t('att.model.whatIf', { model: modelLabel }) : t('att.model.causal')}</option>
          </select>
        </label>
        <label>
          {t('att.layer')}{' '}
          <select value={l} onChange={(e) => setLayer(Number(e.target.value))} disabled={useRollout && view === 'heatmap'}>
            {Array.from({ length: L }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('att.head')}{' '}
          <select value={h} onChange={(e) => setHead(Number(e.target.value))} disabled={meanHeads || useRollout}>
            {Array.from({ length: H }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <label title={t('att.mean.title')}>
          <input type="checkbox" checked={meanHeads} onChange={(e) => setMeanHeads(e.target.checked)} /> {t('att.mean')}
        </label>
        <label title={t('att.hide.title')}>
          <input type="checkbox" checked={hideSpecialOn} onChange={(e) => setHideSpecial(e.target.checked)} /> {t('att.hide')}
        </label>
        <label title={t('att.rollout.title')}>
          <input type="checkbox" checked={useRollout} onChange={(e) => setUseRollout(e.target.checked)} /> {t('att.rollout')}
        </label>
        <label title={t('att.norm.title')}>
          <input
            type="checkbox"
            checked={normWeightedOn}
            disabled={useRollout}
            onChange={(e) => setNormWeighted(e.target.checked)}
          />{' '}
          {t('att.norm')}
        </label>
      </div>

      <div className="view" role="tabpanel" aria-label={t(VIEWS.find((v) => v.id === view)?.label ?? 'att.tab.heatmap')}>
        {twinPending && (
          <p className="notice" role="status">
            {whatIf ? t('att.whatIfRunning', { model: modelLabel }) : t('att.twinRunning')}
          </p>
        )}
        {!twinPending && whatIf && settings.mask === 'causal' && view !== 'contrast' && (
          <p className="hint" data-testid="what-if-note">
            {t('att.whatIfNote', { model: modelLabel })}
          </p>
        )}
        {!twinPending && view === 'heatmap' && (
          <div className="side-by-side">
            <D3View
              view={heatmapView}
              data={main}
              options={heatmapOptions}
              caption={t('att.raw', { describe })}
              className="main-heatmap"
              label={t('att.heatmapLabel', { describe })}
            />
            {side !== null && (
              <D3View
                view={heatmapView}
                data={side}
                options={weightedOptions}
                caption={t('att.normCaption', { describe })}
                className="norm-heatmap"
                label={t('att.normLabel', { describe })}
              />
            )}
          </div>
        )}
        {!twinPending && view === 'heads' && <D3View view={headView} data={headData} options={headOptions} label={t('att.headsLabel', { layer: l + 1 })} />}
        {!twinPending && view === 'model' && <D3View view={modelView} data={modelData} options={modelOptions} label={t('att.modelLabel')} />}
        {!twinPending && view === 'contrast' && (
          <div className="contrast">
            <p className="explain">
              {whatIf ? t('att.contrast.explainWhatIf', { model: modelLabel }) : t('att.contrast.explain')}
            </p>
            <div className="side-by-side">
              <D3View view={maskView} data={masks.bidirectional} options={{ caption: t('att.mask.bidirectional'), text: t }} label={t('att.mask.bidirectionalLabel')} />
              <D3View view={maskView} data={masks.causal} options={{ caption: t('att.mask.causal'), text: t }} label={t('att.mask.causalLabel')} />
            </div>
            <div className="side-by-side">
              <D3View
                view={heatmapView}
                data={bertMatrix}
                options={contrastBertOptions}
                caption={t('att.contrast.bert', { model: modelLabel })}
                className="contrast-bidirectional"
                label={t('att.contrast.bertLabel', { where })}
              />
              <D3View
                view={heatmapView}
                data={twinMatrix}
                options={contrastTwinOptions}
                caption={causalName}
                className="contrast-causal"
                label={whatIf ? t('att.contrast.whatIfLabel', { where, model: modelLabel }) : t('att.contrast.twinLabel', { where })}
              />
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
