/**
 * What must hold for any text, whatever its characters: the checks the
 * tokenizer fuzz runs on every random string. Each returns a list of problems
 * (empty when all is well), so a failure shows every broken rule of the
 * shrunk counterexample at once.
 *
 * The expected normalisation is written here independently of the tokenizer's
 * own (offsets.ts, normalize.ts): per-character lower-casing, deletion of NUL,
 * U+FFFD and controls, NFC, then (uncased) NFD and removal of combining marks.
 */
import { BERT_SPECIAL_TOKENS, type WordPieceTokenizer } from '../../src/engine/tokenizer/tokenizer';

const SPECIAL = new Set<string>(BERT_SPECIAL_TOKENS);
/** Characters BERT deletes outright: NUL, U+FFFD and category C* except tab, newline and return. */
const DELETED_CHAR = /[\0\uFFFD]|(?![\t\n\r])\p{C}/u;
const DELETED = new RegExp(DELETED_CHAR.source, 'gu');
const MARKS = /\p{Mn}/gu;

const lowerEach = (s: string): string => Array.from(s, (c) => c.toLowerCase()).join('');
const stripAccents = (s: string): string => s.normalize('NFD').replace(MARKS, '');

/** What a word's original slice should read as, once normalised the tokenizer's way. */
export function expectedWord(slice: string, tokenizer: WordPieceTokenizer): string {
  const lower = tokenizer.doLowerCase;
  const strip = tokenizer.stripAccents ?? lower;
  let s = (lower ? lowerEach(slice) : slice).replace(DELETED, '').normalize('NFC');
  if (lower) s = lowerEach(s);
  if (strip) s = stripAccents(s);
  return s;
}

/**
 * Does `slice` lie inside one normalisation cluster: a first character, then only
 * combining marks, Hangul medial/final jamo, or characters BERT deletes? NFC
 * composes and reorders only within such a run, so tokens cut from one run may
 * share its range (offsets.ts), even across a word boundary ("!" + two marks out
 * of canonical order: "!" and the marks' [UNK] both cover all three).
 */
function withinCluster(slice: string): boolean {
  return Array.from(slice)
    .slice(1)
    .every((c) => /\p{M}/u.test(c) || /[\u1161-\u1175\u11a8-\u11c2]/u.test(c) || DELETED_CHAR.test(c));
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Problems with `tokenize(text)`: shapes, offsets, ids, and the case and accent rules. */
export function tokenizeProblems(tokenizer: WordPieceTokenizer, text: string): string[] {
  const { tokens, offsets } = tokenizer.tokenize(text);
  if (tokens.length !== offsets.length) return [`${tokens.length} tokens but ${offsets.length} offsets`];
  const problems: string[] = [];
  const lower = tokenizer.doLowerCase;
  const strip = tokenizer.stripAccents ?? lower;
  tokens.forEach((token, k) => {
    const [start, end] = offsets[k];
    const where = `token ${k} ${JSON.stringify(token)} [${start}, ${end})`;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= text.length)) {
      problems.push(`${where}: range outside the text (length ${text.length}) or empty`);
      return;
    }
    if (isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) {
      problems.push(`${where}: starts inside a surrogate pair`);
    }
    if (k > 0) {
      const [prevStart, prevEnd] = offsets[k - 1];
      if (start < prevStart || end < prevEnd) problems.push(`${where}: out of order after [${prevStart}, ${prevEnd})`);
      // Tokens share original characters only when cut from one normalisation cluster.
      else if (start < prevEnd && !withinCluster(text.slice(start, prevEnd))) {
        problems.push(`${where}: overlaps [${prevStart}, ${prevEnd}) beyond one normalisation cluster`);
      }
    }
    const id = tokenizer.tokenToId(token);
    if (!(Number.isInteger(id) && id >= 0 && id < tokenizer.vocabSize)) problems.push(`${where}: id ${id} out of range`);
    else if (token !== '[UNK]' && tokenizer.idToToken(id) !== token) problems.push(`${where}: not in the vocabulary`);
    const slice = text.slice(start, end);
    if (SPECIAL.has(token)) {
      // A typed special token is matched exactly; [UNK] may also stand for an unknown word.
      if (slice !== token && !(token === '[UNK]' && expectedWord(slice, tokenizer).length > 0)) {
        problems.push(`${where}: special token for ${JSON.stringify(slice)}`);
      }
      return;
    }
    const piece = token.startsWith('##') ? token.slice(2) : token;
    if (piece.length === 0 || /\s/u.test(piece) || DELETED_CHAR.test(piece)) problems.push(`${where}: empty or has whitespace/controls`);
    if (lower && lowerEach(piece) !== piece) problems.push(`${where}: not lower-cased`);
    if (strip && stripAccents(piece) !== piece) problems.push(`${where}: accents not stripped`);
  });
  // Whole words: a word's pieces, joined, are its original slice normalised. This is
  // where a cased tokenizer must keep the text's case, and offsets must cover the word.
  for (let k = 0; k < tokens.length; ) {
    let e = k + 1;
    while (e < tokens.length && tokens[e].startsWith('##')) e++;
    if (!SPECIAL.has(tokens[k]) && offsets[k] !== undefined && offsets[e - 1] !== undefined) {
      const word = tokens.slice(k, e).map((t, i) => (i === 0 ? t : t.slice(2))).join('');
      const slice = text.slice(offsets[k][0], offsets[e - 1][1]);
      const expected = expectedWord(slice, tokenizer);
      // A word cut from a cluster it shares with a neighbour holds only part of the cluster's text.
      const shares = (j: number): boolean =>
        j >= 0 && j < tokens.length && offsets[j][0] < offsets[e - 1][1] && offsets[k][0] < offsets[j][1];
      if (word !== expected && !(expected.includes(word) && (shares(k - 1) || shares(e)))) {
        problems.push(`word ${JSON.stringify(word)} at [${offsets[k][0]}, ${offsets[e - 1][1]}) reads ${JSON.stringify(expected)}`);
      }
    }
    k = e;
  }
  return problems;
}

/** Problems with `encode(text, pair, maxLength)`: the length limit, [CLS]/[SEP], and agreement with `tokenize`. */
export function encodeProblems(tokenizer: WordPieceTokenizer, text: string, pair: string | undefined, maxLength: number): string[] {
  const enc = tokenizer.encode(text, pair, maxLength);
  const n = enc.tokens.length;
  const problems: string[] = [];
  const lengths = [enc.ids, enc.tokenTypeIds, enc.attentionMask, enc.specialTokensMask, enc.sequenceIds, enc.offsets].map((a) => a.length);
  if (lengths.some((l) => l !== n)) problems.push(`${n} tokens but field lengths ${lengths.join(', ')}`);
  if (n > maxLength) problems.push(`${n} tokens over maxLength ${maxLength}`);
  if (enc.tokens[0] !== '[CLS]' || enc.tokens[n - 1] !== '[SEP]') problems.push(`starts ${enc.tokens[0]}, ends ${enc.tokens[n - 1]}`);
  if (enc.ids.some((id) => !Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize)) problems.push('an id out of range');
  const added = enc.specialTokensMask.reduce((a, b) => a + b, 0);
  if (added !== (pair === undefined ? 2 : 3)) problems.push(`${added} added special tokens`);
  // What was kept of each sequence is a prefix of its own tokenization, with the same offsets.
  const full = [tokenizer.tokenize(text), pair === undefined ? null : tokenizer.tokenize(pair)];
  let dropped = false;
  full.forEach((whole, seq) => {
    if (whole === null) return;
    const kept = enc.sequenceIds.flatMap((s, i) => (s === seq ? [i] : []));
    if (kept.length < whole.tokens.length) dropped = true;
    kept.forEach((i, j) => {
      if (enc.tokens[i] !== whole.tokens[j] || enc.offsets[i][0] !== whole.offsets[j][0] || enc.offsets[i][1] !== whole.offsets[j][1]) {
        problems.push(`sequence ${seq} token ${j}: ${enc.tokens[i]} is not ${whole.tokens[j]}`);
      }
      if (enc.tokenTypeIds[i] !== seq) problems.push(`sequence ${seq} token ${j}: token type ${enc.tokenTypeIds[i]}`);
      if (enc.ids[i] !== tokenizer.tokenToId(whole.tokens[j])) problems.push(`sequence ${seq} token ${j}: id ${enc.ids[i]}`);
    });
  });
  if (enc.truncated !== dropped) problems.push(`truncated is ${enc.truncated} but ${dropped ? 'tokens were' : 'nothing was'} dropped`);
  if (dropped && n !== maxLength) problems.push(`truncated to ${n} tokens, not to maxLength ${maxLength}`);
  return problems;
}
