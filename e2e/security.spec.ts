import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The built page's Content-Security-Policy (vite.config.ts says why each directive), and strings
// from a checkpoint or a link shown as text everywhere: chips, bars, tooltips, SVG and PNG files.

/**
 * Records every CSP violation: the page's securitypolicyviolation events (set up before any of the
 * page's scripts run) and the browser's "Refused to …" console lines, which also come from workers.
 * Also records dialogs (an alert() that got through) and uncaught errors.
 */
async function watch(page: Page): Promise<{ console: string[]; dialogs: string[]; errors: string[] }> {
  const seen = { console: [] as string[], dialogs: [] as string[], errors: [] as string[] };
  await page.addInitScript(() => {
    const list: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = list;
    document.addEventListener('securitypolicyviolation', (e) =>
      list.push(
        `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} ${e.sample} ` +
          `on ${e.target instanceof Element ? e.target.outerHTML.slice(0, 160) : String(e.target)}`,
      ),
    );
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.console.push(`${m.worker() ? 'worker: ' : ''}${m.text()}`);
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  return seen;
}

const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

/** Saves the view's SVG and PNG; returns the SVG's text. */
async function exportView(page: Page, testInfo: TestInfo, view: string): Promise<string> {
  const [svgDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: new RegExp(`Save SVG of ${view}`) }).click(),
  ]);
  const svgFile = testInfo.outputPath(`${view}.svg`);
  await svgDownload.saveAs(svgFile);
  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: new RegExp(`Save PNG of ${view}`) }).click(),
  ]);
  const pngFile = testInfo.outputPath(`${view}.png`);
  await pngDownload.saveAs(pngFile);
  const png = await readFile(pngFile);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.byteLength).toBeGreaterThan(2000);
  return readFile(svgFile, 'utf8');
}

/**
 * The file parsed as XML: its <title> and <text> contents, or the parser's error. In a blank page
 * of its own: a document parsed inside the app would be held to the app's policy (its style=""
 * attributes would count as violations there, though a standalone file has no such policy).
 */
async function parseSvg(page: Page, markup: string) {
  const blank = await page.context().newPage();
  try {
    return await blank.evaluate((markup) => {
      const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
      const error = doc.querySelector('parsererror');
      return {
        error: error === null ? null : error.textContent,
        active: doc.querySelectorAll('script, img, foreignObject, iframe').length,
        handlers: Array.from(doc.querySelectorAll('*')).flatMap((el) => el.getAttributeNames().filter((a) => /^on/i.test(a))),
        titles: Array.from(doc.querySelectorAll('title')).map((t) => t.textContent ?? ''),
        texts: Array.from(doc.querySelectorAll('text')).map((t) => t.textContent ?? ''),
      };
    }, markup);
  } finally {
    await blank.close();
  }
}

test('the built page carries the policy; an injected inline script, inline handler and eval are refused', async ({ page, request }) => {
  const seen = await watch(page);
  const response = await page.goto('/?backend=wasm');
  const header = response!.headers()['content-security-policy'];
  expect(header).toContain("frame-ancestors 'none'"); // vite preview's header adds what <meta> cannot carry
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(meta).not.toMatch(/unsafe-inline|'unsafe-eval'/);
  // The meta comes before every script and stylesheet, so it governs them all.
  const order = await page.evaluate(() => Array.from(document.head.children).map((e) => e.tagName + (e.getAttribute('http-equiv') ?? '')));
  expect(order[0]).toBe('METAContent-Security-Policy');
  // A static host sends no header: the meta alone is in the built index.html.
  expect(await (await request.get('/')).text()).toContain('http-equiv="Content-Security-Policy"');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });

  // Code the test evaluates is the debugger's, which CSP lets through; eval must be tried by the
  // page's own code: a script from this origin (allowed), served by the test.
  await page.route('**/csp-probe.js', (route) =>
    route.fulfill({
      contentType: 'text/javascript',
      body: `
        const refused = (run) => { try { run(); return false; } catch (e) { return e instanceof EvalError; } };
        window.__probe = {
          eval: refused(() => (0, eval)('window.__pwned = "eval"')),
          newFunction: refused(() => new Function('window.__pwned = "new Function"')()),
        };
        setTimeout('window.__pwned = "setTimeout string"', 0);`,
    }),
  );
  const attempts = await page.evaluate(async () => {
    const w = window as unknown as { __pwned?: unknown; __probe?: unknown };
    const probe = document.createElement('script');
    probe.src = '/csp-probe.js';
    const loaded = new Promise((r) => probe.addEventListener('load', r));
    document.head.append(probe);
    await loaded;
    const script = document.createElement('script');
    script.textContent = 'window.__pwned = "inline script"';
    document.head.append(script);
    const holder = document.createElement('div');
    holder.innerHTML = '<img src="data:," onerror="window.__pwned = \'inline handler\'">';
    document.body.append(holder);
    // A javascript: URL and a script from another origin.
    const link = document.createElement('a');
    link.href = 'javascript:window.__pwned="javascript: URL"';
    document.body.append(link);
    link.click();
    const remote = document.createElement('script');
    remote.src = 'https://example.com/x.js';
    document.head.append(remote);
    await new Promise((r) => setTimeout(r, 500));
    holder.remove();
    link.remove();
    return { probe: w.__probe, pwned: w.__pwned ?? null };
  });
  expect(attempts).toEqual({ probe: { eval: true, newFunction: true }, pwned: null });
  const refused = (await violations(page)).map((v) => v.split(' ')[0]);
  expect(refused).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr', 'script-src']));
  expect(seen.dialogs).toEqual([]);
});

// The class's journey, on each backend: nothing it does needs more than the policy allows.
for (const backend of ['webgpu', 'wasm'] as const) {
  test(`${backend}: loading, typing, every attention view, exports and fine-tuning raise no CSP violation`, async ({ page }, testInfo) => {
    test.setTimeout(420_000);
    const seen = await watch(page);
    await page.goto(`/?backend=${backend}`);
    await expect(page.getByTestId('backend')).toHaveText(backend, { timeout: 60_000 });
    await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 90_000 });
    await page.evaluate(() => localStorage.clear());

    await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the [MASK].');
    await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]', '.', '[SEP]']);
    await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);

    for (const tab of ['Head view', 'All layers & heads', 'BERT vs GPT mask', 'Heatmap']) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
    }
    await expect(page.locator('svg rect.cell').first()).toBeVisible();
    const svg = await exportView(page, testInfo, 'Attention heatmap');
    expect((await parseSvg(page, svg)).error).toBeNull();
    // The thumbnails of every layer × head are data: images; their PNG goes through a blob: <img>.
    await page.getByRole('tab', { name: 'All layers & heads' }).click();
    await expect(page.locator('svg image').first()).toBeAttached();

    // Fine-tuning starts (one epoch: the backend's training path, not its speed, is what is checked).
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('1');
    await page.getByRole('button', { name: 'Train the head' }).click();
    await expect(page.getByTestId('training-summary')).toHaveAttribute('data-done', 'true', { timeout: 300_000 });

    expect(await violations(page)).toEqual([]);
    expect(seen.console).toEqual([]);
    expect(seen.errors).toEqual([]);
  });
}

const FIXTURE = 'test/fixtures/checkpoints/tiny-mlm-f32';
/** Pieces the tokenizer keeps whole (never_split) so they reach the chips, axes and tooltips. */
const PIECES = ['<img/src=x/onerror=window.__pwned=1>', '</title><script>window.__pwned=2</script>', '"]]><svg/onload=window.__pwned=3>', '&amp;&lt;x'];
const NAME = '<img src=x onerror=window.__pwned=5> & co';

/** tiny-mlm-f32 with hostile vocabulary pieces, labels and config strings, as a folder named NAME. */
async function hostileCheckpoint(dir: string): Promise<string> {
  const folder = join(dir, NAME);
  await mkdir(folder);
  for (const file of await readdir(FIXTURE)) await writeFile(join(folder, file), await readFile(join(FIXTURE, file)));
  const vocab = (await readFile(join(FIXTURE, 'vocab.txt'), 'utf8')).split('\n');
  const keep = new Set(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'sat', 'on', '.', '']);
  let free = 0;
  const hostile = vocab.map((piece, i) => {
    if (keep.has(piece)) return piece;
    // The first free slots hold the never_split pieces; the rest are what fill-mask will guess.
    return free < PIECES.length ? PIECES[free++] : `<img src=x onerror=window.__pwned=${i}>"]]>&amp;`;
  });
  await writeFile(join(folder, 'vocab.txt'), hostile.join('\n'));
  const config = JSON.parse(await readFile(join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(
    join(folder, 'config.json'),
    JSON.stringify({
      ...config,
      _name_or_path: NAME,
      id2label: { 0: PIECES[0], 1: PIECES[1] },
      label2id: { [PIECES[0]]: 0, [PIECES[1]]: 1 },
      task_specific_params: { note: PIECES[2] },
    }),
  );
  const tokenizer = JSON.parse(await readFile(join(FIXTURE, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({ ...tokenizer, never_split: PIECES, name_or_path: NAME, unk_token: '[UNK]', model_input_names: [PIECES[1]] }),
  );
  return folder;
}

test('a hostile checkpoint: its strings are text in chips, bars, tooltips, SVG and PNG; nothing runs', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const seen = await watch(page);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  const dir = await mkdtemp(join(tmpdir(), 'bert-hostile-'));
  try {
    await page.getByLabel('A model folder').setInputFiles(await hostileCheckpoint(dir));
    await expect(page.getByTestId('main-model')).toHaveText(NAME);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill(`the cat ${PIECES.join(' ')} sat on the [MASK] .`);
  await expect(page.getByTestId('token-chip')).toHaveText(['[CLS]', 'the', 'cat', ...PIECES, 'sat', 'on', 'the', /\[MASK\]/, '.', '[SEP]']);

  // Fill-mask guesses are vocabulary pieces: hostile ones, shown as text.
  const bars = page.getByTestId('predictions-bidirectional').first();
  await expect(bars.locator('g.bar')).toHaveCount(5);
  await expect(bars.locator('text').filter({ hasText: '<img src=x' }).first()).toBeVisible();

  // The heatmap's axis labels (shortened) and its cells' tooltips (whole) are the pieces, as text.
  await page.getByRole('tab', { name: 'Heatmap' }).click();
  const tooltips = await page.locator('svg rect.cell title').allTextContents();
  for (const piece of PIECES) expect(tooltips.some((t) => t.startsWith(`${piece} → `)), piece).toBe(true);

  const parsed = await parseSvg(page, await exportView(page, testInfo, 'Attention heatmap'));
  expect(parsed.error).toBeNull();
  expect(parsed.active).toBe(0);
  expect(parsed.handlers).toEqual([]);
  for (const piece of PIECES) expect(parsed.titles.some((t) => t.startsWith(`${piece} → `)), piece).toBe(true);

  // The fill-mask bars' export too.
  const barsSvg = await page.locator('[data-testid="predictions-bidirectional"] svg').first().evaluate((svg) => svg.outerHTML);
  expect(barsSvg).not.toContain('<img ');

  // A config whose strings are refused is named in the message, as text.
  const dir2 = await mkdtemp(join(tmpdir(), 'bert-hostile-'));
  try {
    const folder = await hostileCheckpoint(dir2);
    const config = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(join(folder, 'config.json'), JSON.stringify({ ...config, model_type: PIECES[0], architectures: [PIECES[1]] }));
    await page.getByLabel('A model folder').setInputFiles(folder);
    await expect(page.getByTestId('model-message')).toContainText(`model_type "${PIECES[0]}" is not supported`);
  } finally {
    await rm(dir2, { recursive: true, force: true });
  }
  await expect(page.getByTestId('main-model')).toHaveText(NAME); // the loaded model keeps answering

  expect(await pwned(page)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(await violations(page)).toEqual([]);
  expect(seen.console).toEqual([]);
});

test('a hostile link: its text and parameters are text or defaults; nothing runs, nothing is requested', async ({ page }) => {
  const seen = await watch(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  const sentence = '<img src=x onerror=window.__pwned=1> </title><script>window.__pwned=2</script> "]]> &amp;';
  const model = '<script>window.__pwned=3</script>';
  const query = new URLSearchParams({
    backend: 'wasm',
    text: sentence,
    model,
    view: '<svg onload=window.__pwned=4>',
    layer: 'NaN',
    head: '-1',
    hub: 'javascript:window.__pwned=5',
  });
  await page.goto(`/?${query}&mean=%FF`);
  await expect(page.getByRole('textbox', { name: 'Sentence', exact: true })).toHaveValue(sentence, { timeout: 60_000 });
  await expect(page.getByTestId('token-chip').first()).toHaveText('[CLS]', { timeout: 60_000 });
  // Its "<" are pieces of their own, shown as text: one for each of <img, </title>, <script>, </script>.
  await expect.poll(async () => (await page.getByTestId('token-chip').allTextContents()).filter((c) => c === '<').length).toBe(4);
  // Bad view/layer/head fell back to their defaults; the model id is refused by the hub's rules, by name.
  await expect(page.getByRole('tab', { name: 'Heatmap' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('combobox', { name: 'Layer', exact: true })).toHaveValue('0');
  await expect(page.getByTestId('model-message')).toContainText(`"${model}" is not a model id`, { timeout: 60_000 });
  await expect(page.getByRole('checkbox', { name: 'Mean over heads' })).not.toBeChecked();
  // And the page says which of the link's settings it could not read.
  await expect(page.getByTestId('link-notice')).toContainText('these settings kept their defaults: view, layer, head');
  expect(requests.filter((u) => !u.startsWith('http://127.0.0.1'))).toEqual([]);

  // The URL the page writes back keeps the text as data.
  await expect.poll(() => page.evaluate(() => new URLSearchParams(location.search).get('text'))).toBe(sentence);
  expect(await pwned(page)).toBeUndefined();
  expect(seen.dialogs).toEqual([]);
  expect(await violations(page)).toEqual([]);
  expect(seen.console).toEqual([]);

  // A hand-typed "%" and a character cut in half (tfjs-core decodes every parameter as it loads: both
  // once left a blank page). The first is kept as typed; the second keeps the default.
  await page.goto('/?backend=wasm&text=It was 100% great&layer=2%E2%82');
  await expect(page.getByRole('textbox', { name: 'Sentence', exact: true })).toHaveValue('It was 100% great', { timeout: 60_000 });
  await expect(page.getByTestId('token-chip').first()).toHaveText('[CLS]', { timeout: 60_000 });
  await expect(page.getByRole('combobox', { name: 'Layer', exact: true })).toHaveValue('0');
  await expect(page.getByTestId('link-notice')).toContainText('defaults: layer');
  expect(seen.errors).toEqual([]);
});
