// Temporary profiling script (not committed): where does the longest main-thread task while typing go?
import { chromium } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { preview } from 'vite';
import { chromiumArgs, chromiumPath } from '../e2e/chromium';

const server = await preview({ logLevel: 'error', build: { outDir: process.env.DIST ?? 'dist' }, preview: { host: '127.0.0.1', port: 0 } });
const base = server.resolvedUrls!.local[0];
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
const context = await browser.newContext({ serviceWorkers: 'block', bypassCSP: true });
const page = await context.newPage();
await page.goto(base + (process.env.QS ?? ''));
await page.getByTestId('token-chip').first().waitFor({ timeout: 120_000 });
const input = page.getByRole('textbox', { name: /sentence/i });
if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
await input.fill('');
await page.waitForTimeout(1000);
await browser.startTracing(page, { path: '/tmp/s24/prof/trace.json', categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'] });
await input.pressSequentially('The children read a long story.', { delay: 80 });
await page.waitForTimeout(3000);
await browser.stopTracing();
await browser.close();
await server.close();
type Ev = { name: string; ph: string; ts: number; dur?: number; tid: number; pid: number; args?: { data?: Record<string, unknown> } };
const trace = JSON.parse(readFileSync('/tmp/s24/prof/trace.json', 'utf8')) as { traceEvents: Ev[] };
const evs = trace.traceEvents;
// main thread: the thread with most RunTask events having CrRendererMain name
const names = evs.filter((e) => e.name === 'thread_name' && (e.args as { name?: string } | undefined)?.name === 'CrRendererMain');
const mains = new Set(names.map((e) => `${e.pid}:${e.tid}`));
const tasks = evs.filter((e) => e.name === 'RunTask' && mains.has(`${e.pid}:${e.tid}`) && (e.dur ?? 0) > 30_000).sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0));
const out: string[] = [];
for (const t of tasks.slice(0, 6)) {
  out.push(`TASK ${(t.dur! / 1000).toFixed(1)} ms at ${t.ts}`);
  const inside = evs.filter((e) => e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur! && e !== t && (e.dur ?? 0) > 2000);
  for (const e of inside.sort((a, b) => a.ts - b.ts)) {
    const d = e.args?.data ?? {};
    out.push(`  +${((e.ts - t.ts) / 1000).toFixed(1)} ${(e.dur! / 1000).toFixed(1)} ms ${e.name} ${String(d.functionName ?? '')} ${String(d.url ?? '').split('/').pop()}:${String(d.lineNumber ?? '')} ${String(d.type ?? '')}`);
  }
}
writeFileSync('/tmp/s24/prof/summary.txt', out.join('\n'));
console.log(out.join('\n'));
