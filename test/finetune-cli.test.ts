// The finetune and classify commands as a user runs them: JSON on stdout only, errors on stderr with exit 1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

function cli(args: string[], input = '') {
  const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MLM = 'test/fixtures/checkpoints/tiny-mlm-f32';
const dir = mkdtempSync(join(tmpdir(), 'finetune-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli finetune / classify', () => {
  it('trains a head from a TSV file, then classifies stdin one JSON line per sentence', () => {
    const head = join(dir, 'head.json');
    const train = cli(['finetune', '--method', 'head', '--model', MLM, '--train', 'test/fixtures/finetune/sentiment.tsv', '--out', head, '--epochs', '40', '--seed', '3']);
    expect(train.code, train.stderr).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary).toMatchObject({ head, method: 'head', labels: ['positive', 'negative'], examples: 24, pooling: 'mean', epochs: 40 });
    expect(summary).toMatchObject({ truncated: 0, truncated_train: 0, truncated_held_out: 0, dropped_chars: 0 });
    expect(summary.train_loss).toBeGreaterThan(0);
    expect(summary.val_accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.ms).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(head, 'utf8')).labels).toEqual(['positive', 'negative']);

    const long = Array(10).fill('i love this good film').join(' '); // 50 pieces: past the 24 positions
    const r = cli(['classify', '--model', MLM, '--head', head], `i love this good film\nvery bad movie\n${long}\n`);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.truncated)).toEqual([false, false, true]);
    for (const line of lines) {
      expect(Object.keys(line.probs)).toEqual(['positive', 'negative']);
      expect(line.probs.positive + line.probs.negative).toBeCloseTo(1, 6);
      expect(line.label).toBe(line.probs.positive > 0.5 ? 'positive' : 'negative');
    }
  });

  it('the default method fills a blank: trains with a pattern and words, and classify reads the saved prompt', () => {
    const out = join(dir, 'prompt.json');
    const train = cli([
      'finetune', '--model', MLM, '--train', 'test/fixtures/finetune/sentiment.tsv', '--out', out,
      '--pattern', '{text} it was [MASK] .', '--verbalizer', 'positive=good,happy;negative=bad,sad', '--seed', '1',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary).toMatchObject({
      classifier: out,
      method: 'prompt',
      labels: ['positive', 'negative'],
      examples: 24,
      pattern: '{text} it was [MASK] .',
      verbalizer: { positive: ['good', 'happy'], negative: ['bad', 'sad'] },
      truncated: 0,
      truncated_train: 0,
      truncated_held_out: 0,
      dropped_chars: 0,
    });
    expect(summary.val_accuracy).toBeGreaterThanOrEqual(0);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved).toMatchObject({ format: 'bert-playground-prompt', method: 'prompt', pattern: '{text} it was [MASK] .' });

    const r = cli(['classify', '--model', MLM, '--head', out], 'i love this good film\nvery bad movie\n');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.probs.positive + line.probs.negative).toBeCloseTo(1, 6);
      expect(line.truncated).toBe(false);
    }
  });

  it.each(['head', 'prompt'])('finetune --method %s reports the examples cut to fit, trained on and held out, and the characters cut', (method) => {
    // 12 short examples and 4 long ones (50 pieces each, past the 24 positions); a seeded split holds some out.
    const long = (word: string) => Array(10).fill(`i ${word} this good film`).join(' ');
    const lines = readFileSync('test/fixtures/finetune/sentiment.tsv', 'utf8').trim().split('\n').slice(0, 12);
    lines.push(`positive\t${long('love')}`, `negative\t${long('hate')}`, `positive\t${long('love')}`, `negative\t${long('hate')}`);
    const file = join(dir, `long-${method}.tsv`);
    writeFileSync(file, lines.join('\n') + '\n');
    const extra = method === 'head' ? ['--epochs', '2'] : ['--verbalizer', 'positive=good;negative=bad'];
    const r = cli(['finetune', '--method', method, '--model', MLM, '--train', file, '--out', join(dir, `long-${method}.json`), '--validation', '0.5', ...extra]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.truncated).toBe(4);
    expect(summary.truncated_train + summary.truncated_held_out).toBe(4);
    expect(summary.truncated_held_out).toBeGreaterThan(0);
    expect(summary.truncated_train).toBeGreaterThan(0);
    // Each long text keeps its first pieces; the rest of it is counted as cut.
    expect(summary.dropped_chars).toBeGreaterThan(4 * (long('love').length / 2));
    expect(summary.dropped_chars).toBeLessThan(4 * long('love').length);
  });

  it('refuses bad patterns, multi-piece label words and the other method\'s flags, writing nothing', () => {
    const out = join(dir, 'never-prompt.json');
    const base = ['finetune', '--model', MLM, '--train', 'test/fixtures/finetune/sentiment.tsv', '--out', out];
    for (const [extra, message] of [
      [['--pattern', '{text} it was good .'], /exactly one \[MASK\].*has 0/],
      [['--pattern', '{text} [MASK] [MASK]'], /exactly one \[MASK\].*has 2/],
      [['--verbalizer', 'positive=unhappy;negative=bad'], /"unhappy" \(label "positive"\) is 2 pieces/],
      [['--verbalizer', 'positive good'], /label=word/],
      [['--epochs', '3'], /--epochs is for --method head/],
      [['--method', 'head', '--pattern', '{text} [MASK]'], /--pattern is for --method prompt/],
      [['--method', 'magic'], /--method must be "prompt" or "head"/],
    ] as const) {
      const r = cli([...base, ...extra]);
      expect(r.code, extra.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('reports every bad line by number and writes nothing', () => {
    const out = join(dir, 'never.json');
    const r = cli(['finetune', '--model', MLM, '--train', 'test/fixtures/finetune/bad-lines.tsv', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bad-lines.tsv:2: expected "label<TAB>text" (no tab found)');
    expect(r.stderr).toContain('bad-lines.tsv:3: the text is empty');
    expect(existsSync(out)).toBe(false);
  });

  it('reads a training file as the page does (CSV, quotes across lines), numbering bad lines alike', () => {
    const file = join(dir, 'quoted.csv');
    writeFileSync(file, 'text,label\n"good, honest food",positive\n"two\nlines",negative\njust one field\n');
    const r = cli(['finetune', '--model', MLM, '--train', file, '--out', join(dir, 'never-csv.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('quoted.csv:5: expected "label,text" (no comma found)');
    expect(r.stderr).not.toContain('quoted.csv:2');
  });

  it('rejects bad flags and a bad head file on stderr', () => {
    for (const [args, code] of [
      [['finetune', '--model', MLM, '--train', 'test/fixtures/finetune/sentiment.tsv', '--out', join(dir, 'x.json'), '--pooling', 'max'], 1],
      [['finetune', '--model', MLM, '--train', 'test/fixtures/finetune/sentiment.tsv'], 2], // --out left out: usage
      [['classify', '--model', MLM, '--head', 'test/fixtures/finetune/sentiment.tsv'], 1],
    ] as const) {
      const r = cli([...args], 'good\n');
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});
