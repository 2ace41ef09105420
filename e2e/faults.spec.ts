import { expect, test, type Page, type Route } from '@playwright/test';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { longestTask, watchLongTasks } from './fixtures';

// Browser faults (issue 19): the page refuses clearly and loses nothing when the browser
// misbehaves — saved values that do not read back, a cache that refuses to store, a download
// cut short, a broken checkpoint, a 1 MB paste, a GPU that goes away mid-session.

const FIXTURES = 'test/fixtures/checkpoints';
const MODEL = 'test-org/tiny';
type Files = Map<string, Buffer>;

async function folder(name: string): Promise<Files> {
  const files: Files = new Map();
  for (const file of await readdir(join(FIXTURES, name))) files.set(file, await readFile(join(FIXTURES, name, file)));
  return files;
}

/** `tiny` with float32 `value` written into the first element of `tensor` (a NaN, an Inf). */
function withValue(files: Files, tensor: string, value: number): Files {
  const weights = Buffer.from(files.get('model.safetensors')!);
  const headerLength = Number(weights.readBigUInt64LE(0));
  const header = JSON.parse(weights.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { data_offsets: [number, number] }>;
  weights.writeFloatLE(value, 8 + headerLength + header[tensor].data_offsets[0]);
  return new Map(files).set('model.safetensors', weights);
}

/**
 * A model hub on the page's own origin (`?hub=<origin>/hub`), answering from memory;
 * `fault` may take over a request for model.safetensors (abort it, cut it short).
 */
async function serveHub(page: Page, files: Files, fault: { next: ((route: Route, body: Buffer) => Promise<void>) | null }) {
  await page.route('**/hub/**', async (route) => {
    const match = /\/hub\/([^/]+\/[^/]+)\/resolve\/main\/([^/?]+)$/.exec(new URL(route.request().url()).pathname);
    const body = match !== null && match[1] === MODEL ? files.get(decodeURIComponent(match[2])) : undefined;
    if (body === undefined) return route.fulfill({ status: 404, body: 'Entry not found' });
    if (route.request().method() === 'HEAD') return route.fulfill({ status: 200, headers: { 'x-linked-size': String(body.byteLength) } });
    if (match![2] === 'model.safetensors' && fault.next !== null) {
      const handle = fault.next;
      fault.next = null; // one fault; the retry gets the real file
      return handle(route, body);
    }
    return route.fulfill({ status: 200, body, headers: { 'content-length': String(body.byteLength) } });
  });
}

const chips = (page: Page) => page.getByTestId('token-chip').allTextContents();
const cacheKeys = (page: Page) => page.evaluate(async () => (await (await caches.open('bert-playground-models-v1')).keys()).map((r) => r.url));

/** Opens the page on `backend` with the hub served, the shipped model answering, and the picker open. */
async function open(page: Page, backend = 'cpu') {
  const hub = new URL('/hub', test.info().project.use.baseURL).href;
  await page.goto(`/?backend=${backend}&hub=${encodeURIComponent(hub)}`);
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await page.getByText('Choose another model').click();
}

async function askFor(page: Page, id: string) {
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill(id);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByRole('button', { name: /^Download / }).click();
}

/** BERT-mini still answers: new chips for a new sentence, and its guesses for a masked word. */
async function stillAnswers(page: Page) {
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the mat.');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
  await page.getByTestId('token-chip').nth(6).click();
  await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);
}

test('corrupted or foreign saved values: defaults, a notice naming them, nothing thrown, the old text kept aside', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const bad = {
    'bert-playground:backend': 'quantum',
    'bert-playground:backend-measured': '{"name":"wasm","agent":1',
    'bert-playground.lang': 'tlh',
    'bert-playground.examples.v1': '{"labels":["a","b"],"examples":[{"label":"a"',
    'bert-playground.head.v1': '{"labels":["a","b"],"layers":"none"}',
    'bert-playground.prompt.v1': '[1,2,3]',
    'bert-playground.fewshot-results.v1': 'undefined',
    'bert-playground.fewshot-panel.v1': '{"method":"telepathy","heldOut":0.5}',
  };
  // Written once, before the page's first script, as another version or another site might have left them.
  await page.addInitScript((values) => {
    if (sessionStorage.getItem('seeded') !== null) return;
    sessionStorage.setItem('seeded', '1');
    for (const [k, v] of Object.entries(values)) localStorage.setItem(k, v);
  }, bad);
  await page.goto('/'); // no ?backend=: the stored setting is read
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });

  const notice = page.getByTestId('storage-notice');
  await expect(notice).toHaveAttribute('role', 'status');
  await expect(notice).toContainText('Some saved settings could not be read back');
  for (const key of Object.keys(bad)) await expect(notice.getByText(key, { exact: true })).toHaveCount(1);
  await expect(notice).toContainText('bert-playground.examples.v1: not JSON');
  await expect(notice).toContainText('“bert-playground.examples.v1:corrupt”');
  // Defaults: English, the starter set of 40 examples; the backend setting is auto again (nothing stored).
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('textbox', { name: /^Text of example/ })).toHaveCount(40);
  const stored = await page.evaluate(() => Object.fromEntries(Object.entries(localStorage)));
  for (const [key, value] of Object.entries(bad)) expect(stored[`${key}:corrupt`], key).toBe(value);
  expect(stored['bert-playground:backend']).toBeUndefined();
  expect(JSON.parse(stored['bert-playground.fewshot-panel.v1'] ?? '{}')).toMatchObject({ heldOut: 0.5 }); // the good field stays
  expect(errors).toEqual([]);

  // The page still answers; after a reload nothing is reported again, and the copies are still there.
  await stillAnswers(page);
  await page.reload();
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('storage-notice')).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.getItem('bert-playground.lang:corrupt'))).toBe('tlh');
  expect(errors).toEqual([]);
});

test('the cache refuses to store a model (quota): a clear message, the model in use for this visit, nothing half-stored', async ({ page }) => {
  const files = await folder('tiny-mlm-f32');
  await serveHub(page, files, { next: null });
  await open(page);
  // Chromium's answer when the origin's storage quota is used up — after the smaller files went in.
  // The engine's worker downloads and stores the model: its Cache Storage is the one that refuses.
  await expect.poll(() => page.workers().length).toBeGreaterThan(0);
  await page.workers()[0].evaluate(() => {
    const put = Cache.prototype.put;
    Cache.prototype.put = function (request, response) {
      const url = typeof request === 'string' ? request : request instanceof Request ? request.url : String(request);
      if (url.endsWith('/model.safetensors')) return Promise.reject(new DOMException('Quota exceeded.', 'QuotaExceededError'));
      return put.call(this, request, response);
    };
  });
  await askFor(page, MODEL);
  await expect(page.getByTestId('main-model')).toHaveText(MODEL);
  const message = page.getByTestId('model-message');
  await expect(message).toHaveAttribute('role', 'alert');
  await expect(message).toContainText('The browser refused to store the model (storage full?): it is loaded for this visit but not saved.');
  await expect(message).toContainText('QuotaExceededError');
  expect(await cacheKeys(page)).toEqual([]);
  await expect(page.getByTestId('cached-model')).toHaveCount(0);
});

test('a download cut halfway: nothing cached, a clear message, and trying again loads and caches it', async ({ page }) => {
  const files = await folder('tiny-mlm-f32');
  const fault: { next: ((route: Route, body: Buffer) => Promise<void>) | null } = { next: null };
  await serveHub(page, files, fault);
  await open(page);
  const message = page.getByTestId('model-message');

  // The connection drops: no response at all.
  fault.next = (route) => route.abort('connectionreset');
  await askFor(page, MODEL);
  await expect(message).toContainText(`Could not load ${MODEL}`);
  await expect(message).toContainText('model.safetensors');
  await expect(message).toContainText('Still using BERT-mini');
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  expect(await cacheKeys(page)).toEqual([]);

  // Half the bytes arrive and the server hangs up: refused by the checkpoint's own checks, nothing kept.
  fault.next = (route, body) => route.fulfill({ status: 200, body: body.subarray(0, body.byteLength >> 1) });
  await askFor(page, MODEL);
  await expect(message).toContainText(`Could not load ${MODEL}`);
  await expect(message).toContainText('model.safetensors');
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  expect(await cacheKeys(page)).toEqual([]);
  await stillAnswers(page);

  // Again, with the network back: loaded, and kept.
  await askFor(page, MODEL);
  await expect(page.getByTestId('main-model')).toHaveText(MODEL);
  await expect(page.getByTestId('cached-model')).toHaveCount(1);
  expect((await cacheKeys(page)).length).toBe(files.size + 1); // the files and the manifest
});

test('a broken checkpoint in the picker (NaN weight, bad header, bad config.json): the message names file and tensor, the current model keeps answering', async ({ page }) => {
  const good = await folder('tiny-mlm-f32');
  const badHeader = new Map(good);
  const weights = Buffer.from(good.get('model.safetensors')!);
  weights.writeBigUInt64LE(1n << 40n, 0); // a header "a terabyte long"
  badHeader.set('model.safetensors', weights);
  const cases: [string, Files, RegExp][] = [
    ['NaN', withValue(good, 'bert.embeddings.LayerNorm.weight', NaN), /model\.safetensors.*bert\.embeddings\.LayerNorm\.weight.*(NaN|not finite|non-finite)/i],
    ['Inf', withValue(good, 'bert.encoder.layer.0.attention.self.query.weight', Infinity), /bert\.encoder\.layer\.0\.attention\.self\.query\.weight/],
    ['header', badHeader, /model\.safetensors/],
    ['config', new Map(good).set('config.json', Buffer.from('{"hidden_size": 64,')), /config\.json/],
  ];
  await open(page);
  const message = page.getByTestId('model-message');
  for (const [name, files, expected] of cases) {
    await page.getByLabel(/or its files/).setInputFiles([...files].map(([n, buffer]) => ({ name: n, mimeType: 'application/octet-stream', buffer })));
    await expect(message, name).toContainText('Could not load local files');
    await expect(message, name).toHaveText(expected);
    await expect(message).toHaveAttribute('role', 'alert');
    await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
    await stillAnswers(page);
    await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill(`try ${name} again`);
    await expect.poll(() => chips(page)).toContain('again');
  }
});

test('a 1 MB paste: the page stays responsive, and says what was cut', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  const text = 'the cat sat on the mat and looked at the dog . '.repeat(22_000).slice(0, 1_000_000);

  /** The longest main-thread task (Long Tasks API) while `target` takes a pasted 1 MB. */
  const pasteLongest = async (target: string) => {
    await page.evaluate((t) => navigator.clipboard.writeText(t), text);
    await watchLongTasks(page);
    await page.locator(target).focus();
    await page.keyboard.press('ControlOrMeta+V');
    await page.waitForTimeout(3000); // the paste, its re-encoding and redraws
    return longestTask(page);
  };

  const sentence = page.getByRole('textbox', { name: 'Sentence', exact: true });
  // For comparison: the same 2,000 characters typed in at once (what the page does with them after the paste).
  await watchLongTasks(page);
  await sentence.fill(text.slice(0, 2000));
  await page.waitForTimeout(3000);
  const fillMs = await longestTask(page);
  await sentence.fill('');
  await page.waitForTimeout(1000);
  const pageMs = await pasteLongest('input[aria-label="Sentence"]');
  const notice = page.getByTestId('cut-notice');
  await expect(notice).toHaveAttribute('role', 'status');
  await expect(notice).toContainText('The sentence box keeps 2,000 characters: the last 998,000 characters of the paste were left out.');
  await expect(notice).toContainText(/The model read the first 128 tokens \([\d,]+ characters\); the remaining [\d,]+ characters were not used\./);
  expect(await sentence.inputValue()).toHaveLength(2000);
  // The URL holds at most what the box holds.
  await expect.poll(() => page.url().length).toBeLessThan(8000);

  // The same paste into a bare text box on the same page, for comparison.
  await page.evaluate(() => {
    const box = document.createElement('textarea');
    box.id = 'bare';
    document.body.prepend(box);
  });
  const bareMs = await pasteLongest('#bare');
  expect(await page.locator('#bare').inputValue()).toHaveLength(text.length);
  test.info().annotations.push({ type: 'longest task (ms)', description: `sentence box ${pageMs.toFixed(0)}, bare textarea ${bareMs.toFixed(0)}` });
  console.log(`longest main-thread task: 1 MB paste into the sentence box ${pageMs.toFixed(0)} ms, into a bare textarea ${bareMs.toFixed(0)} ms; 2,000 characters typed at once ${fillMs.toFixed(0)} ms`);
  // Only a generous bound: no freeze of seconds. The target (bare + 100 ms) is measured, not asserted —
  // on a shared machine these numbers vary 3×, and most of what remains is drawing a 128-token sentence.
  expect(pageMs).toBeLessThan(5000);

  // A [MASK] typed after what the model reads: the fill-in panel says it was cut off, not "type a [MASK]".
  const long = 'the cat sat on the mat . '.repeat(40);
  await sentence.fill(`${long}The man went to the [MASK].`);
  await expect(page.getByTestId('mask-cut')).toContainText(`The [MASK] at character ${(long.length + 21).toLocaleString('en-US')} lies beyond the model's 128 positions`);

  // Still usable: typing over it re-runs the model, and the notices go with the long text.
  await sentence.fill('The man went to the [MASK].');
  await expect.poll(() => chips(page)).toContain('[MASK]');
  await expect(notice).toHaveCount(0);
});

test('the WebGPU device is lost mid-session: the next backend takes over with a notice; sentence, masks, examples and head are kept', async ({ page }) => {
  test.setTimeout(420_000);
  // A head trained on wasm first (fast), kept in the browser as the page keeps it.
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await page.getByRole('button', { name: 'Train the head' }).click();
  await expect(page.getByTestId('training-summary')).toHaveAttribute('data-done', 'true', { timeout: 150_000 });
  await page.getByRole('radio', { name: 'B · the head' }).check();

  await page.goto('/?backend=webgpu');
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 90_000 });
  // The class's state: a sentence, a masked word, one more example, the head in use.
  const sentence = page.getByRole('textbox', { name: 'Sentence', exact: true });
  await sentence.fill('The cat sat on the mat.');
  await expect.poll(() => chips(page), { timeout: 90_000 }).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
  const masked = page.getByTestId('token-chip').nth(6);
  await masked.click();
  await expect(masked).toHaveAttribute('aria-pressed', 'true');
  await expect(masked).toContainText('[MASK]', { timeout: 90_000 });
  await page.getByRole('button', { name: 'Add example' }).click();
  const rows = page.getByRole('textbox', { name: /^Text of example/ });
  const count = await rows.count();
  await rows.nth(count - 1).fill('A joyful, heart-warming evening.');
  await expect(page.getByTestId('head-result')).toBeVisible();
  // A mark on the fine-tuning panel's DOM: still there afterwards means the panel (and its state) was never rebuilt.
  await page.locator('.finetune').first().evaluate((el) => el.setAttribute('data-before-loss', '1'));

  await page.evaluate(() => window.bertPlayground.loseDevice());
  const lost = page.getByTestId('backend-lost');
  await expect(lost).toHaveAttribute('role', 'alert');
  await expect(lost).toContainText('webgpu stopped working');
  await expect(lost).toContainText('now running on wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');

  await expect(sentence).toHaveValue('The cat sat on the mat.');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]mat', '.', '[SEP]']);
  await expect(masked).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);
  await expect(rows).toHaveCount(count);
  await expect(rows.nth(count - 1)).toHaveValue('A joyful, heart-warming evening.');
  await expect(page.locator('.finetune[data-before-loss="1"]')).toHaveCount(1);
  await expect(page.getByTestId('head-result')).toBeVisible();
  // The head answers on the new backend.
  await page.getByRole('textbox', { name: 'Sentence to classify' }).fill('I loved it, a wonderful and beautiful story.');
  await expect(page.getByTestId('predicted-label')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('[role="alert"]').filter({ hasNotText: 'stopped working' })).toHaveCount(0);
});
