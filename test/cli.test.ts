// The CLI as a user runs it: JSON on stdout only, errors on stderr with a non-zero exit.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function cli(args: string[], input = '') {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MLM = 'test/fixtures/checkpoints/tiny-mlm-f32';
const DECODER = 'test/fixtures/checkpoints/tiny-decoder';

describe('cli', () => {
  it('tokenize: one JSON array per input line, no [CLS]/[SEP]', () => {
    const r = cli(['tokenize', '--vocab', `${MLM}/vocab.txt`], 'The cats sat.\nplaying [MASK] birds\n');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      ['the', 'cat', '##s', 'sat', '.'],
      ['play', '##ing', '[MASK]', 'bird', '##s'],
    ]);
  });

  it('tokenize --cased keeps capitals (which this uncased vocabulary cannot spell)', () => {
    const r = cli(['tokenize', '--vocab', `${MLM}/vocab.txt`, '--cased'], 'The cat\n');
    expect(JSON.parse(r.stdout)).toEqual(['[UNK]', 'cat']);
  });

  it('encode: tokens, ids, hidden states and attentions with the documented shapes', () => {
    const r = cli(['encode', '--model', MLM, '--text', 'the cat sat on the mat']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '[SEP]']);
    expect(out.ids).toEqual([2, 5, 7, 9, 11, 5, 13, 3]);
    expect(out.hidden_states).toHaveLength(3); // embeddings + 2 layers
    expect(out.hidden_states[0]).toHaveLength(8);
    expect(out.hidden_states[0][0]).toHaveLength(32);
    expect(out.attentions).toHaveLength(2);
    expect(out.attentions[0]).toHaveLength(4);
    expect(out.attentions[1][3][5]).toHaveLength(8);
    const rowSum = out.attentions[1][3][5].reduce((a: number, b: number) => a + b, 0);
    expect(rowSum).toBeCloseTo(1, 5);
  });

  it('encode: a decoder defaults to the causal mask; --mask overrides', () => {
    const dec = JSON.parse(cli(['encode', '--model', DECODER, '--text', 'the cat sat']).stdout);
    expect(dec.attentions[0][0][1].slice(2)).toEqual([0, 0, 0]); // token 1 sees nothing to its right
    const bi = JSON.parse(cli(['encode', '--model', DECODER, '--text', 'the cat sat', '--mask', 'bidirectional']).stdout);
    expect(bi.attentions[0][0][1][2]).toBeGreaterThan(0);
  });

  it('encode matches the golden reference through the whole path (text → numbers)', () => {
    const golden = JSON.parse(readFileSync('test/fixtures/golden/tiny-mlm-f32.json', 'utf8'));
    const first = golden.cases[0]; // ids [2,5,7,9,11,5,13,15,3] = "the cat sat on the mat ."
    const out = JSON.parse(cli(['encode', '--model', MLM, '--text', 'The cat sat on the mat.']).stdout);
    expect(out.ids).toEqual(first.input_ids);
    const ours = out.hidden_states.flat(2) as number[];
    const ref = first.hidden_states.flat(2) as number[];
    expect(Math.max(...ours.map((v, i) => Math.abs(v - ref[i])))).toBeLessThan(1e-4);
  });

  it('fill-mask: one entry per [MASK], predictions best first, probabilities', () => {
    const r = cli(['fill-mask', '--model', MLM, '--text', 'the [MASK] sat on the [MASK] .', '--top-k', '4']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.map((m: { position: number }) => m.position)).toEqual([2, 6]);
    for (const m of out) {
      expect(m.predictions).toHaveLength(4);
      const scores = m.predictions.map((p: { score: number }) => p.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      expect(scores[0]).toBeGreaterThan(0);
      expect(scores[0]).toBeLessThanOrEqual(1);
    }
  });

  it('every output says whether the text was cut to the model\'s 24 positions', () => {
    const long = Array(10).fill('the cat sat on the mat').join(' '); // 60 pieces
    const short = JSON.parse(cli(['encode', '--model', MLM, '--text', 'the cat sat']).stdout);
    expect(short.truncated).toBe(false);
    const cut = JSON.parse(cli(['encode', '--model', MLM, '--text', long]).stdout);
    expect(cut.truncated).toBe(true);
    expect(cut.tokens).toHaveLength(24);
    const fill = cli(['fill-mask', '--model', MLM, '--text', `the [MASK] sat . ${long}`]);
    expect(fill.code, fill.stderr).toBe(0);
    const masks = JSON.parse(fill.stdout);
    expect(masks.map((m: { position: number; truncated: boolean }) => [m.position, m.truncated])).toEqual([[2, true]]);
    const kept = JSON.parse(cli(['fill-mask', '--model', MLM, '--text', 'the [MASK] sat .']).stdout);
    expect(kept[0].truncated).toBe(false);
  });

  it('fill-mask: a [MASK] past the positions is said to be cut off, not missing', () => {
    const long = Array(10).fill('the cat sat on the mat').join(' ');
    const text = `${long} the [MASK] .`;
    const r = cli(['fill-mask', '--model', MLM, '--text', text]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: the [MASK] at character ${text.indexOf('[MASK]') + 1} lies beyond the model's 24 positions; it was cut off — shorten the text before it\n`,
    );
  });

  it('encode --text "" is an empty text ([CLS] [SEP]), not a missing one', () => {
    const r = cli(['encode', '--model', MLM, '--text', '']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).tokens).toEqual(['[CLS]', '[SEP]']);
    const missing = cli(['encode', '--model', MLM]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: missing --text (cli --help for usage)\n');
  });

  it('a reader that closes the pipe early (| head -c 100) ends the CLI quietly', () => {
    // Through a shell, as a user pipes it (a child's pipe destroyed from Node did not reproduce the bug);
    // pipefail makes the pipeline's status the CLI's when it fails. Megabytes of JSON: far past a pipe's buffer.
    const text = Array(20).fill('the cat sat on the mat').join(' ');
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', 'npx tsx src/cli/main.ts encode --model "$M" --text "$T" | head -c 100'], {
      encoding: 'utf8',
      env: { ...process.env, M: MLM, T: text },
    });
    expect([0, 141]).toContain(r.status);
    expect(r.stdout).toHaveLength(100);
    expect(r.stderr).toBe('');
  });

  it('exit status 2 and one line for a wrong command line; 1 and one line for bad input', () => {
    for (const args of [['frobnicate'], ['encode', '--bogus'], ['encode', '--model'], ['tokenize', '--vocab', 'x', 'extra']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^error: [^\n]*\n$/);
    }
    for (const args of [
      ['encode', '--model', 'no/such/dir', '--text', 'hi'],
      ['encode', '--model', MLM, '--text', 'hi', '--top-k', '0'],
      ['fill-mask', '--model', MLM, '--text', 'no mask here'],
      ['tokenize', '--vocab', 'no/such/vocab.txt'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr, args.join(' ')).toMatch(/^error: [^\n]*\n$/);
    }
    const bare = cli([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^usage:/);
  });

  it('errors go to stderr with a non-zero exit and nothing on stdout', () => {
    for (const args of [
      ['encode', '--model', 'no/such/dir', '--text', 'hi'],
      ['fill-mask', '--model', MLM, '--text', 'no mask here'],
      ['encode', '--model', MLM, '--text', 'hi', '--mask', 'sideways'],
      ['fill-mask', '--model', 'test/fixtures/checkpoints/tiny-cls', '--text', 'a [MASK]'],
      ['frobnicate'],
    ]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: /);
    }
  });

  it('a broken file is named in the error: vocabulary, tokenizer settings, a folder for a file, a head', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-files-'));
    const copy = (name: string, edit: (folder: string) => void) => {
      const folder = join(dir, name);
      cpSync(MLM, folder, { recursive: true });
      edit(folder);
      return folder;
    };
    const cases: [string[], string][] = [
      [['encode', '--model', copy('empty-vocab', (f) => writeFileSync(`${f}/vocab.txt`, '')), '--text', 'hi'], 'empty-vocab: vocab.txt: the file is empty'],
      [
        ['encode', '--model', copy('no-unk', (f) => writeFileSync(`${f}/vocab.txt`, readFileSync(`${MLM}/vocab.txt`, 'utf8').replace('[UNK]\n', '[UNKNOWN]\n'))), '--text', 'hi'],
        'no-unk: vocab.txt: vocabulary lacks the special token [UNK]',
      ],
      [
        ['encode', '--model', copy('lower', (f) => writeFileSync(`${f}/tokenizer_config.json`, '{"do_lower_case": "yes"}')), '--text', 'hi'],
        'lower: tokenizer_config.json: do_lower_case must be a boolean',
      ],
      [
        ['encode', '--model', copy('dir', (f) => (rmSync(`${f}/model.safetensors`), mkdirSync(`${f}/model.safetensors`))), '--text', 'hi'],
        'dir/model.safetensors is a folder; a file was expected',
      ],
    ];
    const head = join(dir, 'head.json');
    writeFileSync(head, '{"format": "something else"}');
    cases.push([['classify', '--model', MLM, '--head', head, '--text', 'hi'], `${head}: head JSON: "format" must be`]);
    for (const [args, message] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
    }
    rmSync(dir, { recursive: true });
  });

  it('a vocab.txt with Windows line ends (CRLF) reads as the same vocabulary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-crlf-'));
    cpSync(MLM, dir, { recursive: true });
    writeFileSync(`${dir}/vocab.txt`, readFileSync(`${MLM}/vocab.txt`, 'utf8').replace(/\n/g, '\r\n'));
    const crlf = cli(['encode', '--model', dir, '--text', 'the cat sat']);
    const lf = cli(['encode', '--model', MLM, '--text', 'the cat sat']);
    expect(crlf.code).toBe(0);
    expect(JSON.parse(crlf.stdout).ids).toEqual(JSON.parse(lf.stdout).ids);
    rmSync(dir, { recursive: true });
  });
});
