/**
 * Command-line access to the engine, for reproducible class material and tests.
 *   npm run --silent cli -- tokenize --vocab PATH [--cased]        (lines on stdin)
 *   npm run --silent cli -- encode --model DIR|URL --text TEXT [--mask bidirectional|causal]
 *   npm run --silent cli -- fill-mask --model DIR|URL --text TEXT [--top-k K]
 * JSON goes to stdout and nothing else does; errors go to stderr with exit code 1.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encode, fillMask, loadModel, toNested, type MaskMode } from '../engine/bert';
import { initNodeBackend, sourceFor } from '../engine/node';
import { tokenizerOptionsFromConfig, WordPieceTokenizer } from '../engine/tokenizer';

const USAGE = `usage:
  cli tokenize --vocab PATH [--cased]                 reads lines on stdin; one JSON array of tokens per line
  cli encode --model DIR|URL --text TEXT [--mask bidirectional|causal]
  cli fill-mask --model DIR|URL --text TEXT [--top-k K]`;

class UsageError extends Error {}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${flag}`);
  return value;
}

async function tokenize(vocabPath: string, cased: boolean): Promise<void> {
  // --vocab takes a vocab.txt or a model folder (whose tokenizer_config.json is then honoured).
  let vocabFile = vocabPath;
  let tokenizerConfig: Record<string, unknown> | null = null;
  if ((await stat(vocabPath)).isDirectory()) {
    vocabFile = join(vocabPath, 'vocab.txt');
    tokenizerConfig = await readFile(join(vocabPath, 'tokenizer_config.json'), 'utf8').then(
      (t) => JSON.parse(t) as Record<string, unknown>,
      () => null,
    );
  }
  const options = tokenizerConfig === null ? {} : tokenizerOptionsFromConfig(tokenizerConfig);
  if (cased) Object.assign(options, { doLowerCase: false, stripAccents: false });
  const tokenizer = WordPieceTokenizer.fromVocabText(await readFile(vocabFile, 'utf8'), options);
  const input = await readStdin();
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) process.stdout.write(JSON.stringify(tokenizer.tokenize(line.replace(/\r$/, '')).tokens) + '\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stderr.write(USAGE + '\n');
    if (command === undefined) process.exitCode = 1;
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      vocab: { type: 'string' },
      cased: { type: 'boolean', default: false },
      model: { type: 'string' },
      text: { type: 'string' },
      mask: { type: 'string' },
      'top-k': { type: 'string', default: '5' },
    },
    strict: true,
  });
  if (command === 'tokenize') return tokenize(required(values.vocab, 'vocab'), values.cased ?? false);
  if (command !== 'encode' && command !== 'fill-mask') throw new UsageError(`unknown command "${command}"`);

  const mask = values.mask;
  if (mask !== undefined && mask !== 'bidirectional' && mask !== 'causal') {
    throw new UsageError(`--mask must be "bidirectional" or "causal" (got "${mask}")`);
  }
  const text = required(values.text, 'text');
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1) throw new UsageError(`--top-k must be a positive integer (got "${values['top-k']}")`);
  await initNodeBackend();
  const bert = await loadModel(sourceFor(required(values.model, 'model')));
  try {
    if (command === 'encode') {
      const e = await encode(bert, text, { mask: mask as MaskMode | undefined, lm: 'none' });
      const out = {
        tokens: e.tokens,
        ids: e.ids,
        offsets: e.offsets,
        truncated: e.truncated,
        mask: e.mask,
        hidden_states: e.hiddenStates.map((h) => toNested(h, e.hidden)),
        attentions: e.attentions.map((layer) => layer.map((head) => toNested(head, e.ids.length))),
      };
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      const results = await fillMask(bert, text, { topK, mask: mask as MaskMode | undefined });
      if (results.length === 0) throw new UsageError('the text has no [MASK] token to fill');
      const out = results.map((r) => ({
        position: r.position,
        predictions: r.predictions.map((p) => ({ token: p.token, score: p.score })),
      }));
      process.stdout.write(JSON.stringify(out) + '\n');
    }
  } finally {
    bert.dispose();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(USAGE + '\n');
  }
  process.exitCode = 1;
});
