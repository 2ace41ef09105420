/**
 * The checks behind the prompt's pattern and words, as the page says them:
 * each problem is a message key and its parameters, so a class reads it in its
 * own language while typing — before anything runs. The engine checks the same
 * things again (engine/training/prompt/) and its English message is the fallback
 * for anything these do not name.
 */
import type { Pattern, Verbalizer, WordPieceTokenizer } from '../../engine';
import { parsePattern, parseVerbalizer, TEXT_SLOT } from '../../engine/pure';
import type { MessageKey } from '../i18n';

export interface Problem {
  key: MessageKey;
  params?: Record<string, string | number>;
}

/** A Korean pattern for Korean examples: "…. 한마디로 [MASK]." ("in a word, [MASK]"). */
export const KOREAN_PATTERN = '{text} 한마디로 [MASK].';

const HANGUL = /\p{Script=Hangul}/u;

/** Korean when most of the texts contain Hangul (the examples' language, for patterns and starter sets). */
export function mostlyHangul(texts: readonly string[]): boolean {
  return texts.length > 0 && texts.filter((t) => HANGUL.test(t)).length * 2 > texts.length;
}

/** The default pattern in the examples' language. */
export function defaultPatternFor(texts: readonly string[], english: string): string {
  return mostlyHangul(texts) ? KOREAN_PATTERN : english;
}

/** A sentence to try first: the first example's, else one in the pattern's language (Korean when it has Hangul). */
export function firstSentence(texts: readonly string[], pattern: string): string {
  const first = texts.find((t) => t.trim() !== '');
  if (first !== undefined) return first;
  return HANGUL.test(pattern) ? '이 영화 정말 재미있었다.' : 'The film was a delight.';
}

/** null when the pattern is usable with this tokenizer (and, for a causal model, puts the sentence before the blank). */
export function checkPattern(tokenizer: WordPieceTokenizer, pattern: string, causal: boolean): Problem | null {
  const at = pattern.indexOf(TEXT_SLOT);
  if (at < 0) return { key: 'fs.err.noText' };
  if (pattern.indexOf(TEXT_SLOT, at + 1) >= 0) return { key: 'fs.err.twoTexts' };
  const mask = tokenizer.idToToken(tokenizer.maskId);
  const masks = pattern.split(TEXT_SLOT).reduce((n, part) => n + tokenizer.tokenize(part).tokens.filter((t) => t === mask).length, 0);
  if (masks === 0) return { key: 'fs.err.noMask', params: { mask } };
  if (masks > 1) return { key: 'fs.err.manyMasks', params: { mask, count: masks } };
  let parsed: Pattern;
  try {
    parsed = parsePattern(tokenizer, pattern);
  } catch (error) {
    return { key: 'fs.err.engine', params: { message: error instanceof Error ? error.message : String(error) } };
  }
  // A left-to-right model sees only what comes before the blank: a blank before the sentence never sees it.
  // Read from the pattern's pieces, as the model gets them, not from where the characters happen to be.
  if (causal && parsed.beforePieces.tokens.includes(mask)) return { key: 'fs.err.maskFirst', params: { mask } };
  return null;
}

/**
 * The verbalizer as typed: '' means "find the words in the examples" (null
 * verbalizer, no problem). Otherwise every label needs words, every word must
 * be one piece of this vocabulary, and no word may speak for two labels.
 */
export function checkVerbalizer(
  tokenizer: WordPieceTokenizer,
  labels: readonly string[],
  typed: string,
): { verbalizer: Verbalizer | null; problem: Problem | null } {
  if (typed.trim() === '') return { verbalizer: null, problem: null };
  let verbalizer: Verbalizer;
  try {
    verbalizer = parseVerbalizer(typed);
  } catch (error) {
    return { verbalizer: null, problem: { key: 'fs.err.format', params: { message: error instanceof Error ? error.message : String(error) } } };
  }
  for (const key of Object.keys(verbalizer)) {
    if (!labels.includes(key)) return { verbalizer: null, problem: { key: 'fs.err.unknownLabel', params: { label: key, labels: labels.join(', ') } } };
  }
  const owner = new Map<string, string>();
  for (const label of labels) {
    const words = verbalizer[label];
    if (words === undefined || words.length === 0) return { verbalizer: null, problem: { key: 'fs.err.noWords', params: { label } } };
    for (const word of words) {
      const pieces = tokenizer.tokenize(word).tokens;
      if (pieces.length > 1) {
        return {
          verbalizer: null,
          problem: { key: 'fs.err.multiPiece', params: { word, label, count: pieces.length, pieces: pieces.join(' ') } },
        };
      }
      if (pieces.length === 0 || pieces[0] === '[UNK]' || !tokenizer.hasToken(pieces[0])) {
        return { verbalizer: null, problem: { key: 'fs.err.unknownWord', params: { word, label } } };
      }
      const other = owner.get(pieces[0]);
      if (other !== undefined && other !== label) {
        return { verbalizer: null, problem: { key: 'fs.err.sharedWord', params: { word, first: other, second: label } } };
      }
      owner.set(pieces[0], label);
    }
  }
  return { verbalizer, problem: null };
}
