/**
 * Command-line access to the engine, for reproducible class material and tests.
 *   npm run --silent cli -- tokenize --vocab PATH [--cased]        (lines on stdin)
 *   npm run --silent cli -- encode --model DIR|URL --text TEXT [--mask bidirectional|causal]
 *   npm run --silent cli -- fill-mask --model DIR|URL --text TEXT [--top-k K]
 *   npm run --silent cli -- finetune --model DIR|URL --train FILE.tsv --out CLASSIFIER.json [--method prompt|head]
 *                                    [--pattern P] [--verbalizer V] [--validation F] [--seed S]
 *                                    [--epochs N] [--pooling cls|mean] [--hidden N] [--unfreeze N]   (head only)
 *   npm run --silent cli -- classify --model DIR|URL --classifier FILE.json     (sentences on stdin; --head too)
 * JSON goes to stdout and nothing else does; an error is one `error: …` line on stderr (a bad training file's
 * message lists each bad line). Exit status: 0 ok (also when stdout's reader goes away early, as `| head` does),
 * 1 bad input (a file, model, text or flag value, or a required flag left out), 2 usage (no or unknown command,
 * unknown flag, flag without its value).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  classifyBatch,
  classifyPrompt,
  DEFAULT_PATTERN,
  encode,
  fillMask,
  headFromJson,
  headToJson,
  inFile,
  initNodeBackend,
  loadModel,
  type MaskMode,
  parseVerbalizer,
  type Pooling,
  promptFromJson,
  promptToJson,
  readExampleFile,
  sourceFor,
  tokenizerOptionsFromConfig,
  toNested,
  trainHead,
  trainPrompt,
  type TruncationReport,
  WordPieceTokenizer,
} from '../engine/node';

const USAGE = `usage:
  cli tokenize --vocab PATH [--cased]                 reads lines on stdin; one JSON array of tokens per line
  cli encode --model DIR|URL --text TEXT [--mask bidirectional|causal]
  cli fill-mask --model DIR|URL --text TEXT [--top-k K]
  cli finetune --model DIR|URL --train FILE.tsv --out CLASSIFIER.json [--method prompt|head] [--validation F] [--seed S]
       prompt (default): [--pattern "{text} It was [MASK]."] [--verbalizer "positive=good,great;negative=bad,terrible"]
       head:             [--epochs N] [--pooling cls|mean] [--hidden N] [--unfreeze N]
                                                      FILE.tsv: one "label<TAB>text" per line (or CSV "label,text"; quotes
                                                      as in a spreadsheet's export; a "label"/"text" header row may
                                                      name the columns); prints a JSON summary
  cli classify --model DIR|URL --classifier FILE.json reads sentences on stdin; one JSON {label, probs} per line
                                                      (--head FILE.json: the same)
every output says "truncated" (the text was cut to the model's positions): encode and classify once per text,
fill-mask in each [MASK]'s entry, finetune as counts (truncated, truncated_train, truncated_held_out, dropped_chars)`;

/** The command line itself is wrong (exit 2); any other error is bad input (exit 1). */
class UsageError extends Error {}

/** Bad input: a flag's value, a file, a model or a text (exit 1). */
class InputError extends Error {}

/** Prints one `error: …` line and exits; never lets a library (tfjs-wasm's Emscripten handlers) print its source. */
function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError || (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true;
  process.stderr.write(`error: ${message}${usage ? ' (cli --help for usage)' : ''}\n`);
  process.exit(usage ? 2 : 1);
}

// A reader that stops early (`| head -c 100`) closes the pipe: that ends the CLI quietly, with status 0.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  fail(error);
});
// Registered before the wasm backend adds its own (which rethrow, printing a line of minified source): ours exit first.
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

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
  const config = tokenizerConfig;
  const options = config === null ? {} : inFile(join(vocabPath, 'tokenizer_config.json'), () => tokenizerOptionsFromConfig(config));
  if (cased) Object.assign(options, { doLowerCase: false, stripAccents: false });
  const vocabText = await readFile(vocabFile, 'utf8');
  const tokenizer = inFile(vocabFile, () => WordPieceTokenizer.fromVocabText(vocabText, options));
  const input = await readStdin();
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) process.stdout.write(JSON.stringify(tokenizer.tokenize(line.replace(/\r$/, '')).tokens) + '\n');
}

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`--${flag} must be an integer ≥ ${min} (got "${value}")`);
  return n;
}

/** Share of examples held out for the reported accuracy (both methods): --validation, default 0.2. */
function fraction(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const f = Number(value);
  if (!(f >= 0 && f < 1) || value.trim() === '') throw new InputError(`--validation must be a number in [0, 1) (got "${value}")`);
  return f;
}

/** The default method is the one `npm run bench -- --fewshot` reports as default_method (README, "Few-shot learning"). */
async function finetune(values: Record<string, string | boolean | undefined>): Promise<void> {
  const str = (k: string) => values[k] as string | undefined;
  const method = str('method') ?? 'prompt';
  if (method !== 'prompt' && method !== 'head') throw new InputError(`--method must be "prompt" or "head" (got "${method}")`);
  const only = method === 'prompt' ? ['epochs', 'pooling', 'hidden', 'unfreeze'] : ['pattern', 'verbalizer'];
  for (const flag of only) {
    if (values[flag] !== undefined) throw new InputError(`--${flag} is for --method ${method === 'prompt' ? 'head' : 'prompt'}, not ${method}`);
  }
  const trainFile = required(str('train'), 'train');
  const out = required(str('out'), 'out');
  const seed = integer(str('seed'), 'seed', 0);
  const validationFraction = fraction(str('validation')) ?? 0.2;
  if (method === 'prompt') {
    const verbalizer = str('verbalizer') === undefined ? undefined : parseVerbalizer(str('verbalizer') as string);
    const { examples, labels } = readExampleFile(await readFile(trainFile, 'utf8'), trainFile);
    await initNodeBackend();
    const bert = await loadModel(sourceFor(required(str('model'), 'model')));
    try {
      const started = performance.now();
      const result = await trainPrompt(bert, examples, { labels, pattern: str('pattern') ?? DEFAULT_PATTERN, verbalizer, seed, validationFraction });
      const ms = performance.now() - started;
      await writeFile(out, promptToJson(result.classifier));
      const summary = {
        classifier: out,
        method,
        labels,
        examples: examples.length,
        pattern: result.classifier.pattern,
        verbalizer: result.classifier.verbalizer,
        zero_shot_accuracy: result.zeroShotAccuracy,
        train_accuracy: result.trainAccuracy,
        val_accuracy: result.validationAccuracy,
        truncated: result.truncated,
        ...truncationSummary(result.truncation),
        ms: Math.round(ms),
      };
      process.stdout.write(JSON.stringify(summary) + '\n');
    } finally {
      bert.dispose();
    }
    return;
  }
  const pooling = str('pooling');
  if (pooling !== undefined && pooling !== 'cls' && pooling !== 'mean') {
    throw new InputError(`--pooling must be "cls" or "mean" (got "${pooling}")`);
  }
  const epochs = integer(str('epochs'), 'epochs', 1);
  const hiddenUnits = integer(str('hidden'), 'hidden', 0);
  const unfreezeLayers = integer(str('unfreeze'), 'unfreeze', 0);
  const { examples, labels } = readExampleFile(await readFile(trainFile, 'utf8'), trainFile);
  await initNodeBackend();
  const bert = await loadModel(sourceFor(required(str('model'), 'model')));
  try {
    const started = performance.now();
    const result = await trainHead(bert, examples, {
      labels,
      pooling: pooling as Pooling | undefined,
      epochs,
      seed,
      hiddenUnits,
      unfreezeLayers,
      validationFraction,
    });
    const ms = performance.now() - started;
    const { head, history } = result;
    await writeFile(out, headToJson(head));
    const last = history[history.length - 1];
    const summary = {
      classifier: out,
      head: out, // the key this summary had before prompts existed
      method,
      labels,
      examples: examples.length,
      pooling: head.pooling,
      hidden_units: head.hiddenUnits,
      unfrozen_layers: unfreezeLayers ?? 0,
      epochs: history.length,
      train_loss: last.trainLoss,
      train_accuracy: last.trainAccuracy,
      val_loss: last.valLoss,
      val_accuracy: last.valAccuracy,
      truncated: result.truncation.train + result.truncation.validation,
      ...truncationSummary(result.truncation),
      ms: Math.round(ms),
    };
    process.stdout.write(JSON.stringify(summary) + '\n');
  } finally {
    bert.dispose();
  }
}

/** The summary's split of `truncated`: examples cut among those trained on and those held out, and the characters cut. */
function truncationSummary(t: TruncationReport): Record<string, number> {
  return { truncated_train: t.train, truncated_held_out: t.validation, dropped_chars: t.droppedChars };
}

const CLASSIFY_CHUNK = 256;

/** A saved classifier of either method: the prompt's JSON says "format": "bert-playground-prompt". */
async function classifyLines(modelLocation: string, headFile: string): Promise<void> {
  const json = await readFile(headFile, 'utf8');
  let format: unknown;
  try {
    format = (JSON.parse(json) as { format?: unknown }).format;
  } catch {
    format = undefined; // headFromJson says what is wrong
  }
  const prompt = format === 'bert-playground-prompt' ? promptFromJson(json, headFile) : null;
  const head = prompt === null ? inFile(headFile, () => headFromJson(json)) : null;
  const lines = (await readStdin()).split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  const empty = lines.findIndex((l) => l.trim() === '');
  if (empty >= 0) throw new Error(`stdin line ${empty + 1} is empty (one sentence per line)`);
  await initNodeBackend();
  const bert = await loadModel(sourceFor(modelLocation));
  try {
    // In chunks: a prompt reads a whole vocabulary row per sentence (30,522 floats for bert-base),
    // so memory stays bounded by the chunk, not by the length of stdin.
    for (let start = 0; start < lines.length; start += CLASSIFY_CHUNK) {
      const chunk = lines.slice(start, start + CLASSIFY_CHUNK);
      if (prompt !== null) {
        for (const r of await classifyPrompt(bert, prompt, chunk, { topK: 0 })) {
          process.stdout.write(JSON.stringify({ label: r.label, probs: r.probs, truncated: r.truncated }) + '\n');
        }
      } else if (head !== null) {
        for (const r of await classifyBatch(bert, head, chunk)) {
          process.stdout.write(JSON.stringify({ label: r.label, probs: r.probs, truncated: r.truncated }) + '\n');
        }
      }
    }
  } finally {
    bert.dispose();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    process.stderr.write(USAGE + '\n');
    if (command === undefined) process.exitCode = 2;
    return;
  }
  if (!['tokenize', 'encode', 'fill-mask', 'finetune', 'classify'].includes(command)) {
    throw new UsageError(`unknown command "${command}"`);
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
      train: { type: 'string' },
      out: { type: 'string' },
      head: { type: 'string' },
      classifier: { type: 'string' },
      epochs: { type: 'string' },
      pooling: { type: 'string' },
      seed: { type: 'string' },
      hidden: { type: 'string' },
      unfreeze: { type: 'string' },
      method: { type: 'string' },
      pattern: { type: 'string' },
      verbalizer: { type: 'string' },
      validation: { type: 'string' },
    },
    strict: true,
  });
  if (command === 'tokenize') return tokenize(required(values.vocab, 'vocab'), values.cased ?? false);
  if (command === 'finetune') return finetune(values);
  if (command === 'classify') {
    if (values.head !== undefined && values.classifier !== undefined) throw new InputError('give --classifier or --head, not both');
    return classifyLines(required(values.model, 'model'), required(values.classifier ?? values.head, 'classifier'));
  }

  const mask = values.mask;
  if (mask !== undefined && mask !== 'bidirectional' && mask !== 'causal') {
    throw new InputError(`--mask must be "bidirectional" or "causal" (got "${mask}")`);
  }
  // An explicitly empty --text "" is a text (it encodes to [CLS] [SEP]); only a missing --text is refused.
  if (values.text === undefined) throw new UsageError('missing --text');
  const text = values.text;
  const topK = Number(values['top-k']);
  if (!Number.isInteger(topK) || topK < 1) throw new InputError(`--top-k must be a positive integer (got "${values['top-k']}")`);
  await initNodeBackend();
  const bert = await loadModel(sourceFor(required(values.model, 'model')));
  try {
    if (command === 'encode') {
      const e = await encode(bert, text, { mask: mask as MaskMode | undefined, lm: 'none', hiddenStates: true });
      const out = {
        tokens: e.tokens,
        ids: e.ids,
        offsets: e.offsets,
        truncated: e.truncated,
        mask: e.mask,
        hidden_states: (e.hiddenStates ?? []).map((h) => toNested(h, e.hidden)), // asked for: never null here
        attentions: e.attentions.map((layer) => layer.map((head) => toNested(head, e.ids.length))),
      };
      process.stdout.write(JSON.stringify(out) + '\n');
    } else {
      // A [MASK] past the model's positions: fillMask's error says it was cut off.
      const results = await fillMask(bert, text, { topK, mask: mask as MaskMode | undefined });
      if (results.length === 0) throw new InputError('the text has no [MASK] token to fill');
      const out = results.map((r) => ({
        position: r.position,
        predictions: r.predictions.map((p) => ({ token: p.token, score: p.score })),
        truncated: r.truncated,
      }));
      process.stdout.write(JSON.stringify(out) + '\n');
    }
  } finally {
    bert.dispose();
  }
}

main(process.argv.slice(2)).catch(fail);
