/**
 * BERT's masked-LM corruption (Devlin et al. 2019, §3.1 and appendix A.1),
 * drawn afresh for every batch ("dynamic masking", as RoBERTa does): 15% of
 * the ordinary pieces are chosen; of those, 80% become [MASK], 10% a random
 * ordinary piece, 10% stay as they are — so the model cannot learn that only
 * [MASK] positions matter. Special tokens are never chosen nor drawn.
 */

export interface MaskingOptions {
  maskId: number;
  vocabSize: number;
  /** Ids that are never chosen and never drawn as a random replacement ([CLS], [SEP], [PAD], [UNK], [MASK]). */
  specialIds: ReadonlySet<number>;
  /** Share of ordinary pieces chosen. Default 0.15. */
  rate?: number;
}

export interface MaskedBatch {
  /** [B][T] the corrupted windows the masked model reads. */
  ids: number[][];
  /** (row, position) of every chosen piece, row-major order. */
  positions: [number, number][];
  /** The original piece at each chosen position. */
  labels: number[];
  /** What happened at each chosen position (for the statistics test and the panel). */
  kinds: ('mask' | 'random' | 'keep')[];
}

/**
 * Masks `windows` with the generator `random` (uniform in [0, 1)). At least one
 * piece is chosen per batch (a batch with no prediction would have no loss).
 */
export function maskWindows(windows: readonly (readonly number[])[], random: () => number, o: MaskingOptions): MaskedBatch {
  const rate = o.rate ?? 0.15;
  if (!(rate > 0 && rate < 1)) throw new Error(`masking rate must be in (0, 1) (got ${rate})`);
  const out: MaskedBatch = { ids: windows.map((w) => [...w]), positions: [], labels: [], kinds: [] };
  const choose = (b: number, t: number) => {
    const id = windows[b][t];
    const r = random();
    const kind = r < 0.8 ? 'mask' : r < 0.9 ? 'random' : 'keep';
    if (kind === 'mask') out.ids[b][t] = o.maskId;
    else if (kind === 'random') out.ids[b][t] = ordinaryPiece(random, o);
    out.positions.push([b, t]);
    out.labels.push(id);
    out.kinds.push(kind);
  };
  windows.forEach((w, b) =>
    w.forEach((id, t) => {
      if (!o.specialIds.has(id) && random() < rate) choose(b, t);
    }),
  );
  if (out.positions.length === 0) {
    const ordinary = windows.flatMap((w, b) => w.flatMap((id, t) => (o.specialIds.has(id) ? [] : [[b, t] as const])));
    if (ordinary.length === 0) throw new Error('masking: the batch has no ordinary piece to mask');
    const [b, t] = ordinary[Math.floor(random() * ordinary.length)];
    choose(b, t);
  }
  return out;
}

/** A uniformly drawn piece that is not a special token. */
function ordinaryPiece(random: () => number, o: MaskingOptions): number {
  for (;;) {
    const id = Math.floor(random() * o.vocabSize);
    if (!o.specialIds.has(id)) return id;
  }
}
