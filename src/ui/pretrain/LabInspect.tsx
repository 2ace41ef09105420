/**
 * What the lab's models have learnt so far: the probe sentence's [MASK]
 * guesses from both, the attention of one layer and head with a slider over
 * the saved snapshots (step 0 → now), and the "what does each head do?"
 * table for the lab model, its twin or the shipped BERT-mini.
 */
import { useMemo, useState } from 'react';
import type { PretrainSnapshot } from '../../engine';
import type { RoleSource } from '../../worker/pretrain/protocol';
import { causalMask } from '../../viz/attentionMath';
import { heatmapView } from '../../viz/heatmap';
import { roleTableView } from '../../viz/pretrain/roleTable';
import { D3View } from '../D3View';
import { useT } from '../i18n';
import type { Lab } from './useLab';

type Which = 'masked' | 'causal';

export function LabInspect({ lab, probe, onProbe }: { lab: Lab; probe: string; onProbe: (probe: string) => void }) {
  const t = useT();
  const [draft, setDraft] = useState(probe);
  // null: follow the newest snapshot.
  const [picked, setPicked] = useState<number | null>(null);
  const [which, setWhich] = useState<Which>('masked');
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState(0);
  const [roleSource, setRoleSource] = useState<RoleSource>('masked');
  const count = lab.snapshots.length;
  const index = picked === null ? count - 1 : Math.min(picked, count - 1);
  const snap: PretrainSnapshot | undefined = lab.snapshots[index];
  const names: Record<Which, string> = { masked: t('lab.model.masked'), causal: t('lab.model.causal') };

  const heatData = useMemo(() => {
    if (snap === undefined) return null;
    const perHead = snap[which].attentions[Math.min(layer, snap[which].attentions.length - 1)];
    const matrix = perHead?.[Math.min(head, perHead.length - 1)];
    return matrix === undefined ? null : { tokens: snap.tokens, matrix };
  }, [snap, which, layer, head]);
  const heatOptions = useMemo(
    () => ({
      text: t,
      title: t('lab.attn.title', { model: t(`lab.model.${which}`), layer: layer + 1, head: head + 1, step: snap?.step ?? 0 }),
      maskMatrix: which === 'causal' && heatData !== null ? causalMask(heatData.tokens.length) : null,
      cellSize: 22,
    }),
    [t, which, layer, head, snap?.step, heatData],
  );
  const roles = lab.roles[roleSource];
  const roleOptions = useMemo(
    () => ({ text: t, model: roleSource === 'shipped' ? 'BERT-mini' : t(`lab.model.${roleSource}`) }),
    [t, roleSource],
  );
  const layers = lab.settings?.shape.layers ?? 1;
  const heads = lab.settings?.shape.heads ?? 1;

  return (
    <div className="lab-inspect">
      <h3>{t('lab.probe.heading')}</h3>
      <form
        className="controls"
        onSubmit={(e) => {
          e.preventDefault();
          onProbe(draft);
        }}
      >
        <label>
          {t('lab.probe.label')}{' '}
          <input type="text" value={draft} size={50} spellCheck={false} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <button type="submit">{t('lab.probe.apply')}</button>
      </form>
      {snap !== undefined && (
        <div className="fillmask-pair" data-testid="lab-guesses" data-step={snap.step} data-tokens={JSON.stringify(snap.tokens)}>
          {(['masked', 'causal'] as const).map((w) => (
            <div key={w} data-model={w}>
              <h4>{t('lab.probe.guesses', { model: names[w], step: snap.step })}</h4>
              {snap[w].guesses.length === 0 ? (
                <p className="model-hint">{t('lab.probe.noMask')}</p>
              ) : (
                snap[w].guesses.map((g) => (
                  <p key={g.position} className="lab-guess">
                    <strong>{t('fill.token', { index: g.position })}:</strong>{' '}
                    {g.predictions.map((p) => `${p.token} ${(p.score * 100).toFixed(0)}%`).join(' · ')}
                  </p>
                ))
              )}
            </div>
          ))}
        </div>
      )}
      <h3>{t('lab.attn.heading')}</h3>
      <div className="controls" role="group" aria-label={t('lab.attn.settings')}>
        <label>
          {t('lab.attn.model')}{' '}
          <select value={which} onChange={(e) => setWhich(e.target.value as Which)}>
            <option value="masked">{names.masked}</option>
            <option value="causal">{names.causal}</option>
          </select>
        </label>
        <label>
          {t('lab.attn.layer')}{' '}
          <select value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: layers }, (_, l) => (
              <option key={l} value={l}>
                {l + 1}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('lab.attn.head')}{' '}
          <select value={head} onChange={(e) => setHead(Number(e.target.value))}>
            {Array.from({ length: heads }, (_, h) => (
              <option key={h} value={h}>
                {h + 1}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('lab.attn.step')}{' '}
          <input
            type="range"
            min={0}
            max={Math.max(0, count - 1)}
            value={Math.max(0, index)}
            disabled={count < 2}
            aria-valuetext={t('lab.attn.stepValue', { step: snap?.step ?? 0 })}
            onChange={(e) => {
              const i = Number(e.target.value);
              setPicked(i === count - 1 ? null : i);
            }}
            data-testid="lab-step-slider"
          />{' '}
          <span data-testid="lab-snapshot-step">{t('lab.attn.stepValue', { step: snap?.step ?? 0 })}</span>
        </label>
      </div>
      {heatData !== null && <D3View view={heatmapView} data={heatData} options={heatOptions} label={heatOptions.title} className="lab-heatmap" />}
      <h3>{t('lab.role.heading')}</h3>
      <p className="explain">{t('lab.role.explain')}</p>
      <div className="controls">
        <label>
          {t('lab.role.source')}{' '}
          <select
            value={roleSource}
            onChange={(e) => {
              // The chosen lab model's table then follows training; the shipped model's is read once.
              const source = e.target.value as RoleSource;
              setRoleSource(source);
              lab.askRoles(source);
            }}
          >
            <option value="masked">{names.masked}</option>
            <option value="causal">{names.causal}</option>
            <option value="shipped">{t('lab.role.shipped')}</option>
          </select>
        </label>
        {lab.busy.roles && (
          <span role="status" className="model-hint">
            {t('lab.role.computing')}
          </span>
        )}
      </div>
      {roles !== undefined && (
        <div data-testid="lab-roles" data-source={roles.source}>
          <D3View view={roleTableView} data={roles.roles} options={roleOptions} label={t('lab.role.title', { model: roleOptions.model })} />
          <p className="model-hint">
            {roles.step === null
              ? t('lab.role.noteShipped', { n: roles.sentences })
              : t('lab.role.noteLab', { n: roles.sentences, step: roles.step })}
          </p>
        </div>
      )}
    </div>
  );
}
