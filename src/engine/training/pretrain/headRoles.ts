/**
 * "What does each head do?" — per layer and head, how much attention goes to
 * the previous token, the next token, the token itself, [CLS], [SEP] and
 * punctuation: the measures with which Clark et al. (2019, "What Does BERT
 * Look At?", §3) found BERT-base's positional heads, its [SEP] "no-op" heads
 * and its heads that watch periods. Works on the attention of any model —
 * the lab's, the shipped one, a loaded one — given as plain numbers.
 */

/** One sentence's attention: what `encode` returns (`tokens`, `attentions`) fits. */
export interface AttentionSample {
  tokens: readonly string[];
  /** [layer][head] arrays of T×T, row-major: row = query, column = key. */
  attentions: readonly (readonly ArrayLike<number>[])[];
}

/**
 * Shares of one head's attention, each in [0, 1]: the mean, over the
 * queries between the first and the last token (the words of a
 * `[CLS] … [SEP]` input), of the weight on that kind of key.
 */
export interface HeadRole {
  /** On the key just before the query. */
  previous: number;
  /** On the key just after the query. */
  next: number;
  /** On the query's own position. */
  self: number;
  cls: number;
  sep: number;
  /** On pieces that are punctuation only (".", ",", "?", …). */
  punctuation: number;
  /** On keys that are none of the above. */
  other: number;
}

export const HEAD_ROLES = ['previous', 'next', 'self', 'cls', 'sep', 'punctuation'] as const;

const PUNCTUATION = /^[\p{P}\p{S}]+$/u;

/**
 * Role shares [layer][head], averaged over the inner queries of every sample
 * (every query but the first and last, so each has a previous and a next
 * key). previous, next and self are positions and never overlap (their sum
 * ≤ 1); [CLS], [SEP] and punctuation are kinds of token (sum ≤ 1) and may
 * coincide with them — the [SEP] just after a query is both "next" and
 * "[SEP]"; `other` is what falls on none of the six. All zeros when no
 * sample has three tokens.
 */
export function headRoles(samples: readonly AttentionSample[]): HeadRole[][] {
  if (samples.length === 0) throw new Error('headRoles: no attention to read');
  const layers = samples[0].attentions.length;
  const heads = layers > 0 ? samples[0].attentions[0].length : 0;
  // Per layer and head: Σ shares and how many queries each share was averaged over.
  const sums = Array.from({ length: layers * heads }, () => ({ ...zero(), n: 0 }));
  for (const [s, sample] of samples.entries()) {
    const T = sample.tokens.length;
    if (sample.attentions.length !== layers || sample.attentions.some((l) => l.length !== heads)) {
      throw new Error(`headRoles: sample ${s} has another number of layers or heads than the first`);
    }
    const kind = sample.tokens.map((t) => (t === '[CLS]' ? 'cls' : t === '[SEP]' ? 'sep' : PUNCTUATION.test(t) ? 'punctuation' : null));
    sample.attentions.forEach((perHead, l) =>
      perHead.forEach((a, h) => {
        if (a.length !== T * T) throw new Error(`headRoles: sample ${s}, layer ${l}, head ${h} has ${a.length} weights for ${T} tokens`);
        const acc = sums[l * heads + h];
        for (let q = 1; q < T - 1; q++) {
          const row = q * T;
          let rowSum = 0;
          let listed = 0; // weight on keys that are any of the six
          for (let k = 0; k < T; k++) {
            const w = a[row + k];
            rowSum += w;
            const kk = kind[k];
            if (kk !== null) acc[kk] += w;
            if (kk !== null || Math.abs(k - q) <= 1) listed += w;
          }
          acc.self += a[row + q];
          acc.previous += a[row + q - 1];
          acc.next += a[row + q + 1];
          acc.other += rowSum - listed;
          acc.n++;
        }
      }),
    );
  }
  return Array.from({ length: layers }, (_, l) =>
    Array.from({ length: heads }, (_, h) => {
      const acc = sums[l * heads + h];
      const mean = (v: number) => (acc.n === 0 ? 0 : v / acc.n);
      return {
        previous: mean(acc.previous),
        next: mean(acc.next),
        self: mean(acc.self),
        cls: mean(acc.cls),
        sep: mean(acc.sep),
        punctuation: mean(acc.punctuation),
        other: mean(acc.other),
      };
    }),
  );
}

function zero(): HeadRole {
  return { previous: 0, next: 0, self: 0, cls: 0, sep: 0, punctuation: 0, other: 0 };
}
