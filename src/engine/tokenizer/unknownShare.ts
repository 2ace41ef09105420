/**
 * How much of a sentence a model could not read: the share of its word pieces
 * that the tokenizer turned into `[UNK]`, and which writing system those
 * characters belong to. A model's vocabulary is all it can see — an English
 * vocabulary has no pieces for Hangul, so `나는 이 영화를 정말 좋아했다.` reaches
 * the network as five identical `[UNK]`s and a full stop.
 *
 * Pure and framework-free: the UI decides what to say, this decides when.
 */
import type { Offset } from './offsets';

/** Writing systems worth naming in a notice; the rest are 'other'. */
export type Script =
  | 'hangul'
  | 'han'
  | 'kana'
  | 'cyrillic'
  | 'greek'
  | 'arabic'
  | 'hebrew'
  | 'thai'
  | 'devanagari'
  | 'latin'
  | 'emoji'
  | 'other';

/**
 * The notice shows from this share of `[UNK]` pieces up. A quarter: below it, an
 * odd emoji or name in an otherwise readable sentence, which the model reads
 * around; from it, at least one piece in four is a blank to the model — every
 * attention map is then largely `[UNK]` looking at `[UNK]`, and that needs saying.
 */
export const UNKNOWN_NOTICE_SHARE = 0.25;

export interface UnknownShare {
  /** Word pieces of the sentence ([CLS]/[SEP] and typed special tokens such as [MASK] not counted). */
  pieces: number;
  /** How many of them are [UNK]. */
  unknown: number;
  /** unknown / pieces; 0 for an empty sentence. */
  share: number;
  /** The writing systems of the characters hidden inside [UNK] pieces, most characters first. */
  scripts: { script: Script; chars: number }[];
  /** True when the share is large enough to explain (see UNKNOWN_NOTICE_SHARE). */
  notice: boolean;
}

/** Order matters only for speed: the common scripts first. */
const SCRIPT_TESTS: [Script, RegExp][] = [
  ['latin', /\p{Script=Latin}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['han', /\p{Script=Han}/u],
  ['kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['greek', /\p{Script=Greek}/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['thai', /\p{Script=Thai}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['emoji', /\p{Extended_Pictographic}/u],
];

/**
 * Characters that say nothing about the writing system: spaces, punctuation,
 * combining marks, and the invisible glue of emoji sequences (ZWJ, variation
 * selectors, skin-tone modifiers, keycap and tag characters).
 */
const NEUTRAL = /[\s\p{P}\p{M}\p{Cf}\p{Emoji_Modifier}\u20e3\u{e0020}-\u{e007f}]/u;

/** The writing system of one character (a code point), or null for a neutral one. */
export function scriptOf(ch: string): Script | null {
  if (NEUTRAL.test(ch)) return null;
  for (const [script, test] of SCRIPT_TESTS) if (test.test(ch)) return script;
  return 'other';
}

/** A special token typed into the text (`[MASK]`), kept whole by the tokenizer: not a piece of the sentence. */
function typedSpecial(token: string, source: string): boolean {
  return token.length > 2 && token.startsWith('[') && token.endsWith(']') && source === token;
}

/**
 * The [UNK] share of a tokenized sentence. `tokens` and `offsets` are the
 * tokenizer's output for `text` without [CLS]/[SEP] (`tokenizer.tokenize(text)`);
 * offsets are [start, end) in `text`, in UTF-16 code units.
 */
export function unknownShare(
  text: string,
  tokens: readonly string[],
  offsets: readonly Offset[],
  unkToken = '[UNK]',
): UnknownShare {
  let pieces = 0;
  let unknown = 0;
  const counts = new Map<Script, number>();
  tokens.forEach((token, i) => {
    const [start, end] = offsets[i];
    const source = text.slice(start, end);
    if (typedSpecial(token, source)) return;
    pieces++;
    if (token !== unkToken) return;
    unknown++;
    for (const ch of source) {
      const script = scriptOf(ch);
      if (script !== null) counts.set(script, (counts.get(script) ?? 0) + 1);
    }
  });
  const share = pieces === 0 ? 0 : unknown / pieces;
  // Most characters first; a tie keeps the order of first appearance (Map order, stable sort).
  const scripts = [...counts].map(([script, chars]) => ({ script, chars })).sort((a, b) => b.chars - a.chars);
  return { pieces, unknown, share, scripts, notice: unknown > 0 && share >= UNKNOWN_NOTICE_SHARE };
}

/**
 * Can a tokenizer read a language? Its pieces for a typical sentence of it
 * (`probe`) are mostly known: the same rule as the notice, turned round.
 */
export function readsText(tokenizer: { tokenize(text: string): { tokens: string[]; offsets: Offset[] } }, probe: string): boolean {
  const { tokens, offsets } = tokenizer.tokenize(probe);
  return !unknownShare(probe, tokens, offsets).notice;
}
