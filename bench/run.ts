/**
 * npm run bench — forward latency of the encoder in headless Chromium, per
 * backend (WebGPU, wasm), model and sequence length: the baseline the speed
 * work is measured against. Prints a table, then JSON (`-- --json`: JSON only).
 *
 * Each cell: one warm-up run (shaders compile, weights upload), then up to 5
 * timed runs within a time budget; the median is reported. A cell whose warm-up
 * alone takes longer than the budget reports that single run (marked *), because
 * a software WebGPU adapter can need minutes for bert-base; longer inputs of
 * that row are then skipped (shown as –).
 */
import { chromium } from '@playwright/test';
import { existsSync } from 'node:fs';
import { build, preview } from 'vite';
import { chromiumArgs, chromiumFound, chromiumPath } from '../e2e/chromium';
import { finetuneBench, finetuneTimingSet } from './finetune';

const jsonOnly = process.argv.includes('--json');
// --quick: only the shipped-size model (bert-base on a software GPU takes minutes a run).
const quick = process.argv.includes('--quick');
const say = (line: string) => process.stderr.write(line + '\n');

interface Shape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabSize?: number;
}
interface ModelSpec {
  name: string;
  url?: string; // a Hugging Face folder served by the app
  shape?: Shape; // or a seeded random model of this shape
}
interface Cell {
  model: string;
  backend: string;
  tokens: number;
  ms: number;
  runs: number;
  warm: boolean;
}

const LENGTHS = [16, 64, 128];
const BACKENDS = ['webgpu', 'wasm'];
const BUDGET_MS = 20_000;

const models: ModelSpec[] = [
  existsSync('public/weights/bert-mini/config.json')
    ? { name: 'bert-mini (shipped)', url: '/weights/bert-mini/' }
    : { name: 'random 4/256/4/1024', shape: { layers: 4, hidden: 256, heads: 4, intermediate: 1024, vocabSize: 8000 } },
  { name: 'random bert-base 12/768/12/3072', shape: { layers: 12, hidden: 768, heads: 12, intermediate: 3072, vocabSize: 30522 } },
].slice(0, quick ? 1 : 2);

async function main(): Promise<void> {
  if (!chromiumFound()) throw new Error(`No Chromium at ${chromiumPath}: sudo apt-get install -y chromium (or set CHROME_PATH)`);
  say('building the app…');
  await build({ logLevel: 'error' });
  const server = await preview({ logLevel: 'error', preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const base = server.resolvedUrls?.local[0];
  if (base === undefined) throw new Error('vite preview did not report a URL');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const cells: Cell[] = [];
  let adapter = 'unknown';
  const webgpuTraining: { model: string; examples: number; epochs: number; ms: number }[] = [];
  try {
    for (const backend of BACKENDS) {
      // The offline service worker would sit between the page and the weights: measure the engine alone.
      const page = await browser.newPage({ serviceWorkers: 'block' });
      // tsx compiles this file with esbuild's keepNames, which wraps functions in __name(…);
      // the functions we send to the page need that helper there too.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      await page.goto(`${base}?backend=${backend}`);
      await page.getByTestId('backend').waitFor({ timeout: 60_000 });
      const active = await page.getByTestId('backend').textContent();
      // Let the page finish loading its own models first: a second, simultaneous fetch of the same
      // large file can fail in Chromium (ERR_CACHE_WRITE_FAILURE).
      await page.getByTestId('token-chip').first().waitFor({ timeout: 120_000 });
      if (active !== backend) {
        say(`skipping ${backend}: the page runs on ${active}`);
        continue;
      }
      if (backend === 'webgpu') {
        adapter = await page.evaluate(async () => {
          const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor: string; architecture: string; description: string } } | null> } }).gpu;
          const a = await gpu?.requestAdapter();
          return a?.info ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}`.trim() : 'unknown';
        });
      }
      for (const model of models) {
        let tooSlow = false;
        for (const tokens of LENGTHS) {
          if (tooSlow) {
            // Longer inputs only take longer: a cell whose single run already blew the budget ends the row.
            say(`${backend} · ${model.name} · ${tokens} tokens: skipped (the shorter input already exceeded the budget)`);
            continue;
          }
          say(`${backend} · ${model.name} · ${tokens} tokens…`);
          const cell = await page.evaluate(
            async ({ model, tokens, budget }) => {
              const api = window.bertPlayground;
              const bert = model.url !== undefined ? await api.loadModel(api.urlSource(model.url)) : api.randomModel(model.shape!);
              const text = Array.from({ length: tokens - 2 }, () => 'the').join(' '); // + [CLS], [SEP]
              const once = async () => {
                const t0 = performance.now();
                const e = await api.encode(bert, text, { lm: 'none' });
                if (e.ids.length !== tokens) throw new Error(`expected ${tokens} tokens, got ${e.ids.length}`);
                return performance.now() - t0;
              };
              const warmUp = await once();
              if (warmUp > budget) {
                bert.dispose();
                return { ms: warmUp, runs: 1, warm: false };
              }
              const times: number[] = [];
              const n = Math.max(1, Math.min(5, Math.floor(budget / warmUp)));
              for (let i = 0; i < n; i++) times.push(await once());
              bert.dispose();
              times.sort((a, b) => a - b);
              return { ms: times[Math.floor(times.length / 2)], runs: n, warm: true };
            },
            { model, tokens, budget: BUDGET_MS },
          );
          cells.push({ model: model.name, backend, tokens, ...cell });
          tooSlow = !cell.warm;
        }
        // Each model's weights are freed before the next; a fresh page keeps GPU memory from piling up.
      }
      if (backend === 'webgpu' && models[0].url !== undefined) {
        // Fine-tuning in the browser: features from the frozen encoder, then the head, 64 examples × 30 epochs.
        say('webgpu · fine-tuning 64 examples × 30 epochs…');
        const ms = await page.evaluate(
          async ({ url, examples }) => {
            const api = window.bertPlayground;
            const bert = await api.loadModel(api.urlSource(url));
            const t0 = performance.now();
            await api.trainHead(bert, examples, { labels: ['negative', 'positive'], epochs: 30, validationFraction: 0 });
            const elapsed = performance.now() - t0;
            bert.dispose();
            return elapsed;
          },
          { url: models[0].url, examples: finetuneTimingSet() },
        );
        webgpuTraining.push({ model: models[0].name, examples: 64, epochs: 30, ms: round(ms) });
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  say('fine-tuning in Node (cpu, wasm) and few-shot accuracy…');
  const finetune = await finetuneBench({ say: jsonOnly ? () => {} : say });
  const report = {
    browser: `Chromium (${chromiumPath})`,
    webgpu_adapter: adapter,
    rows: cells.map((c) => ({ model: c.model, tokens: c.tokens, backend: c.backend, ours_ms: round(c.ms), runs: c.runs, warm: c.warm })),
    finetune: { ...finetune, webgpu_training: webgpuTraining },
  };
  if (!jsonOnly) {
    console.log(table(cells));
    console.log(
      `WebGPU adapter: ${adapter}. * = a single cold run (the warm-up alone exceeded ${BUDGET_MS / 1000} s); ` +
        '– = skipped after that.\n',
    );
  }
  console.log(JSON.stringify(report, null, jsonOnly ? undefined : 2));
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function table(cells: Cell[]): string {
  const header = ['model', 'backend', ...LENGTHS.map((t) => `${t} tok (ms)`)];
  const rows: string[][] = [];
  for (const model of models) {
    for (const backend of BACKENDS) {
      const mine = cells.filter((c) => c.model === model.name && c.backend === backend);
      if (mine.length === 0) continue;
      rows.push([
        model.name,
        backend,
        ...LENGTHS.map((t) => {
          const c = mine.find((m) => m.tokens === t);
          return c === undefined ? '–' : `${round(c.ms)}${c.warm ? '' : '*'}`;
        }),
      ]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((v, i) => v.padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
