/**
 * A cloze pattern: the sentence to classify inside a template with one blank,
 * e.g. `{text} It was [MASK].` — the form in which pattern-exploiting training
 * (Schick & Schütze 2021, PET) hands a classification task to a masked LM.
 *
 * The template's pieces are tokenized apart from the text, so that a long text
 * is cut (from its end) and the template never is: the [MASK] must always be
 * there for the model to fill.
 */
import type { MaskQuery } from '../../model/bert';
import { addSpecialTokens } from '../../tokenizer/postprocess';
import type { TokenizedPrefix, TokenizedText, WordPieceTokenizer } from '../../tokenizer/tokenizer';

export const DEFAULT_PATTERN = '{text} It was [MASK].';
/** Where the sentence goes in a pattern. */
export const TEXT_SLOT = '{text}';

export interface Pattern {
  source: string;
  /** Template text before and after {text}. */
  before: string;
  after: string;
  beforePieces: TokenizedText;
  afterPieces: TokenizedText;
}

/** Checks a pattern against the tokenizer: one {text}, exactly one [MASK], room for at least one text piece. */
export function parsePattern(tokenizer: WordPieceTokenizer, source: string): Pattern {
  if (typeof source !== 'string') throw new Error('the pattern must be text');
  const at = source.indexOf(TEXT_SLOT);
  if (at < 0) throw new Error(`the pattern "${source}" has no ${TEXT_SLOT} where the sentence goes`);
  if (source.indexOf(TEXT_SLOT, at + 1) >= 0) throw new Error(`the pattern "${source}" has ${TEXT_SLOT} more than once`);
  const before = source.slice(0, at);
  const after = source.slice(at + TEXT_SLOT.length);
  const beforePieces = tokenizer.tokenize(before);
  const afterPieces = tokenizer.tokenize(after);
  const mask = tokenizer.idToToken(tokenizer.maskId);
  const masks = [...beforePieces.tokens, ...afterPieces.tokens].filter((t) => t === mask).length;
  if (masks !== 1) {
    throw new Error(`the pattern "${source}" must have exactly one ${mask} for the model to fill (it has ${masks})`);
  }
  if (beforePieces.tokens.length + afterPieces.tokens.length + 3 > tokenizer.maxLength) {
    throw new Error(`the pattern "${source}" leaves no room for the sentence in ${tokenizer.maxLength} positions`);
  }
  return { source, before, after, beforePieces, afterPieces };
}

export interface PromptQuery extends MaskQuery {
  /** The filled-in pattern the offsets point into (the text as cut, if it was). */
  filled: string;
}

/**
 * `[CLS] before text after [SEP]` with the text cut to fit the model's
 * positions. `truncated` says whether it was, and `droppedChars` how much of
 * the text was cut (the text is read only as far as the room needs). A [MASK]
 * typed inside the text stays a [MASK] (the model sees it), but the one read
 * is the pattern's.
 */
export function promptQuery(tokenizer: WordPieceTokenizer, pattern: Pattern, text: string): PromptQuery {
  const { before, after, beforePieces, afterPieces } = pattern;
  const room = tokenizer.maxLength - 2 - beforePieces.tokens.length - afterPieces.tokens.length;
  // One piece more than the room tells whether the text fits.
  const textPieces = tokenizer.tokenizePrefix(text, { maxPieces: room + 1, maxChars: tokenizer.readLimitChars() });
  const kept = Math.min(textPieces.tokens.length, room);
  const truncated = kept < textPieces.tokens.length || !textPieces.complete;
  const cutText = truncated ? text.slice(0, kept === 0 ? 0 : textPieces.offsets[kept - 1][1]) : text;
  // One sequence whose offsets point into the filled-in pattern: before · text (as cut) · after.
  const filled = before + cutText + after;
  const pieces: TokenizedPrefix = { tokens: [], offsets: [], complete: true, read: filled.length, textLength: filled.length };
  const append = (from: TokenizedText, count: number, shift: number) => {
    for (let i = 0; i < count; i++) {
      pieces.tokens.push(from.tokens[i]);
      pieces.offsets.push([from.offsets[i][0] + shift, from.offsets[i][1] + shift]);
    }
  };
  append(beforePieces, beforePieces.tokens.length, 0);
  append(textPieces, kept, before.length);
  append(afterPieces, afterPieces.tokens.length, before.length + cutText.length);
  // It fits (the text was cut to the room left), so this only adds [CLS] … [SEP] and the masks.
  const encoding = {
    ...addSpecialTokens(pieces, null, tokenizer.maxLength, (t) => tokenizer.tokenToId(t)),
    truncated,
    droppedChars: text.length - cutText.length,
  };
  const mask = tokenizer.idToToken(tokenizer.maskId);
  const maskInBefore = beforePieces.tokens.indexOf(mask);
  const position = 1 + (maskInBefore >= 0 ? maskInBefore : beforePieces.tokens.length + kept + afterPieces.tokens.indexOf(mask));
  return { encoding, position, filled };
}
