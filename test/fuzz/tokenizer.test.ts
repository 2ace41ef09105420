// Fuzz: random Unicode text through the shipped model's tokenizer and a cased one
// (properties in tokenizerProperties.ts; case counts and seed in settings.ts).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenizerOptionsFromConfig } from '../../src/engine/tokenizer/options';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/tokenizer';
import { parseVocabText, vocabToText } from '../../src/engine/tokenizer/vocab';
import { fuzzParameters, fuzzRuns, fuzzTimeout, reportRun } from './settings';
import { fuzzText } from './texts';
import { encodeProblems, tokenizeProblems } from './tokenizerProperties';

const DIR = 'public/weights/bert-mini';
const vocabText = readFileSync(`${DIR}/vocab.txt`, 'utf8');
const config = JSON.parse(readFileSync(`${DIR}/config.json`, 'utf8')) as { max_position_embeddings: number };
const shippedOptions = tokenizerOptionsFromConfig(
  JSON.parse(readFileSync(`${DIR}/tokenizer_config.json`, 'utf8')),
  config.max_position_embeddings,
);

/**
 * A cased tokenizer needs a cased vocabulary, or every capital becomes [UNK] and
 * "case survives" is never tested: the shipped pieces plus their Capitalised and
 * UPPER forms, without lower-casing or accent stripping (like bert-base-cased).
 */
function casedVocab(): string {
  const pieces = parseVocabText(vocabText);
  const extra = new Set<string>();
  for (const p of pieces) {
    if (/^\[.*\]$/.test(p)) continue;
    const body = p.startsWith('##') ? p.slice(2) : p;
    const prefix = p.startsWith('##') ? '##' : '';
    extra.add(prefix + body.toUpperCase());
    extra.add(prefix + body.charAt(0).toUpperCase() + body.slice(1));
  }
  const known = new Set(pieces);
  return vocabToText([...pieces, ...[...extra].filter((p) => !known.has(p))]);
}

const tokenizers = {
  'bert-mini (uncased)': WordPieceTokenizer.fromVocabText(vocabText, shippedOptions),
  cased: WordPieceTokenizer.fromVocabText(casedVocab(), { doLowerCase: false, maxLength: 64 }),
};

describe.each(Object.entries(tokenizers))('fuzz: tokenizer %s', (name, tokenizer) => {
  it('tokenizes any text: offsets in the text and in order, ids in range, case and accent rules', () => {
    const started = performance.now();
    const runs = fuzzRuns(1000);
    fc.assert(
      fc.property(fuzzText, (text) => {
        expect(tokenizeProblems(tokenizer, text)).toEqual([]);
      }),
      fuzzParameters(1000),
    );
    reportRun(`tokenize ${name}`, runs, started);
  }, fuzzTimeout);

  it('encodes within maxLength, [CLS] first and [SEP] last, keeping a prefix of each sequence', () => {
    const started = performance.now();
    const runs = fuzzRuns(500);
    const maxLength = fc.oneof(fc.integer({ min: 3, max: 24 }), fc.constant(tokenizer.maxLength));
    fc.assert(
      fc.property(fuzzText, fc.option(fuzzText, { nil: undefined }), maxLength, (text, pair, max) => {
        expect(encodeProblems(tokenizer, text, pair, max)).toEqual([]);
      }),
      fuzzParameters(500),
    );
    reportRun(`encode ${name}`, runs, started);
  }, fuzzTimeout);
});

it('the cased tokenizer keeps capitals that the uncased one folds', () => {
  // Guards the fuzz itself: were the cased vocabulary to lose its capitals, "case survives" would test nothing.
  expect(tokenizers.cased.tokenize('The Cat').tokens).toEqual(['The', 'Cat']);
  expect(tokenizers['bert-mini (uncased)'].tokenize('The Cat').tokens).toEqual(['the', 'cat']);
});
