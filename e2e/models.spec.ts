import { expect, test, type Page } from '@playwright/test';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../src/engine/node';

// The model picker against a hub we control: a node:http server on 127.0.0.1
// serving test checkpoints as /<org>/<name>/resolve/main/<file>, cross-origin
// (with CORS and CORP headers, since the page is cross-origin isolated).

const FIXTURES = 'test/fixtures/checkpoints';
/** A word the shipped models do not have as one token, and the "zebra" model does. */
const WORD = 'zyzzyva';

type Files = Map<string, Buffer>;

/** Its model.safetensors arrives half-way and then stalls: progress shows, and only Cancel ends it. */
const SLOW = 'test-org/tiny-slow';

async function folder(name: string): Promise<Files> {
  const files: Files = new Map();
  for (const file of await readdir(join(FIXTURES, name))) files.set(file, await readFile(join(FIXTURES, name, file)));
  return files;
}

/** tiny-mlm-f32 with one word of its vocabulary renamed: its token chips are recognisably its own. */
async function zebra(): Promise<Files> {
  const files = await folder('tiny-mlm-f32');
  const vocab = files.get('vocab.txt')!.toString('utf8').split('\n');
  vocab[vocab.indexOf('when')] = WORD;
  files.set('vocab.txt', Buffer.from(vocab.join('\n')));
  return files;
}

async function hubModels(): Promise<Record<string, Files>> {
  const noVocab = await folder('tiny-mlm-f32');
  noVocab.delete('vocab.txt');
  const roberta = await folder('tiny-mlm-f32');
  const config = JSON.parse(roberta.get('config.json')!.toString('utf8')) as Record<string, unknown>;
  roberta.set('config.json', Buffer.from(JSON.stringify({ ...config, model_type: 'roberta', architectures: ['RobertaForMaskedLM'] })));
  return {
    'test-org/tiny-zebra': await zebra(),
    'test-org/tiny-no-vocab': noVocab,
    'test-org/tiny-roberta': roberta,
    'test-org/tiny-sharded': await folder('tiny-base-bf16-sharded'),
    [SLOW]: await zebra(),
  };
}

interface Hub {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function startHub(models: Record<string, Files>): Promise<Hub> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Content-Length',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    };
    const match = /^\/([^/]+\/[^/]+)\/resolve\/main\/([^/?]+)$/.exec(req.url ?? '');
    const body = match === null ? undefined : models[match[1]]?.get(decodeURIComponent(match[2]));
    if (body === undefined) {
      res.writeHead(404, { ...cors, 'Content-Type': 'text/plain' });
      res.end('Entry not found');
      return;
    }
    res.writeHead(200, { ...cors, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.byteLength) });
    if (req.method !== 'HEAD' && match?.[1] === SLOW && match[2] === 'model.safetensors') {
      res.write(body.subarray(0, body.byteLength >> 1)); // …and the rest never comes
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function chips(page: Page): Promise<string[]> {
  return page.getByTestId('token-chip').allTextContents();
}

async function open(page: Page, hub: string): Promise<void> {
  await page.goto(`/?backend=cpu&hub=${encodeURIComponent(hub)}`);
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await page.getByText('Choose another model').click();
}

let hub: Hub;
let models: Record<string, Files>;

test.beforeEach(async () => {
  models = await hubModels();
  hub = await startHub(models);
});

test.afterEach(async () => {
  await hub.close();
});

test('a hub model: size before download, cached, loaded again offline from the cache, removed', async ({ page }) => {
  await open(page, hub.url);
  const sentence = page.getByRole('textbox', { name: 'Sentence', exact: true });
  await sentence.fill(`${WORD} sat`);
  await expect.poll(() => chips(page)).not.toContain(WORD); // the shipped vocabulary has no such word

  // The size comes first (HEAD requests only), then the download on confirmation.
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill('test-org/tiny-zebra');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  const weights = models['test-org/tiny-zebra'].get('model.safetensors')!.byteLength;
  await expect(page.getByTestId('download-size')).toContainText(formatBytes(weights));
  expect(hub.requests.filter((r) => r.startsWith('GET'))).toEqual([]);
  await page.getByRole('button', { name: `Download ${formatBytes(weights)}` }).click();

  await expect(page.getByTestId('main-model')).toHaveText('test-org/tiny-zebra');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']); // its own vocabulary
  await expect(page.getByTestId('twin-note')).toContainText('test-org/tiny-zebra has no causal twin');
  const total = [...models['test-org/tiny-zebra'].values()].reduce((s, b) => s + b.byteLength, 0);
  const cached = page.getByTestId('cached-model');
  await expect(cached).toHaveCount(1);
  await expect(cached).toContainText('test-org/tiny-zebra');
  await expect(cached).toContainText(formatBytes(total));

  // Back to BERT-mini, then the same model again with the hub gone: it comes from the cache.
  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await expect.poll(() => chips(page)).not.toContain(WORD);
  await hub.close();
  const before = hub.requests.length;
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill('test-org/tiny-zebra');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('main-model')).toHaveText('test-org/tiny-zebra');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']);
  expect(hub.requests.length).toBe(before);

  await page.getByRole('button', { name: 'Remove test-org/tiny-zebra from the cache' }).click();
  await expect(cached).toHaveCount(0);
  expect(await page.evaluate(async () => (await (await caches.open('bert-playground-models-v1')).keys()).length)).toBe(0);
});

test('a download shows its progress and can be cancelled; the current model stays', async ({ page }) => {
  await open(page, hub.url);
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill(SLOW);
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByRole('button', { name: /^Download / }).click();
  const bar = page.getByRole('progressbar', { name: `Download of ${SLOW}` });
  await expect(bar).toBeVisible();
  const half = models[SLOW].get('model.safetensors')!.byteLength >> 1;
  await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThanOrEqual(half);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('model-message')).toContainText(`Loading ${SLOW} was cancelled; still using BERT-mini`);
  await expect(bar).toHaveCount(0);
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await expect(page.getByTestId('cached-model')).toHaveCount(0);
});

test('a sharded checkpoint: the size is the sum of its shards', async ({ page }) => {
  await open(page, hub.url);
  const shards = [...models['test-org/tiny-sharded']].filter(([n]) => /^model-.*\.safetensors$/.test(n));
  expect(shards).toHaveLength(2);
  const bytes = shards.reduce((s, [, b]) => s + b.byteLength, 0);
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill('https://huggingface.co/test-org/tiny-sharded');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('download-size')).toContainText(`${formatBytes(bytes)} to download in 2 files`);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('download-size')).toHaveCount(0);
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
});

test('a missing file or an unsupported architecture is named, and the current model keeps answering', async ({ page }) => {
  await open(page, hub.url);
  const id = page.getByRole('textbox', { name: 'Hugging Face model id' });
  const message = page.getByTestId('model-message');

  await id.fill('test-org/tiny-no-vocab');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await expect(message).toContainText('vocab.txt is missing');
  await expect(message).toContainText('Still using BERT-mini');

  // All files present, so it downloads — and fails on config.json, after the download, before any swap.
  await id.fill('test-org/tiny-roberta');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.getByRole('button', { name: /^Download / }).click();
  await expect(message).toContainText('model_type "roberta" is not supported');
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await expect(page.getByTestId('cached-model')).toHaveCount(0); // a failed load is not kept

  // BERT-mini still answers: new chips, and fill-mask predictions.
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The cat sat on the mat.');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
  await page.getByTestId('token-chip').nth(6).click();
  await expect(page.getByTestId('predictions-bidirectional').first().locator('g.bar')).toHaveCount(5);
});

test('local files: a folder, the files themselves, or a drop on the page load a model', async ({ page }) => {
  await open(page, hub.url);
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill(`${WORD} sat`);
  await expect.poll(() => chips(page)).not.toContain(WORD);

  const files = [...(await zebra())].map(([name, buffer]) => ({ name, mimeType: 'application/octet-stream', buffer }));
  await page.getByLabel(/or its files/).setInputFiles(files);
  await expect(page.getByTestId('main-model')).toHaveText('local files');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']);

  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect.poll(() => chips(page)).not.toContain(WORD);
  const dir = await mkdtemp(join(tmpdir(), 'bert-folder-'));
  const modelDir = join(dir, 'my-zebra');
  try {
    await mkdir(modelDir);
    for (const f of files) await writeFile(join(modelDir, f.name), f.buffer);
    await page.getByLabel('A model folder').setInputFiles(modelDir);
    await expect(page.getByTestId('main-model')).toHaveText('my-zebra');
    await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']);
    // Labels name the model in use, not the shipped one.
    await expect(page.getByRole('combobox', { name: 'Model', exact: true }).locator('option[value="bidirectional"]')).toHaveText(
      'my-zebra (bidirectional)',
    );
    await expect(page.getByText('Pre-training taught my-zebra its language')).toBeVisible();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  // Dropped onto the page.
  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect.poll(() => chips(page)).not.toContain(WORD);
  const payload = files.map((f) => ({ name: f.name, base64: f.buffer.toString('base64') }));
  const data = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    return transfer;
  }, payload);
  await page.dispatchEvent('main', 'dragover', { dataTransfer: data });
  await page.dispatchEvent('main', 'drop', { dataTransfer: data });
  await expect(page.getByTestId('main-model')).toHaveText('dropped files');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']);
});

test('a shared link names a hub model: it is offered (size first) and, once loaded, stays in the URL', async ({ page }) => {
  await page.goto(`/?backend=cpu&hub=${encodeURIComponent(hub.url)}&model=test-org/tiny-zebra&text=${WORD}%20sat`);
  const weights = models['test-org/tiny-zebra'].get('model.safetensors')!.byteLength;
  await expect(page.getByTestId('download-size')).toContainText(formatBytes(weights), { timeout: 60_000 });
  expect(hub.requests.filter((r) => r.startsWith('GET'))).toEqual([]); // nothing downloaded without asking
  await page.getByRole('button', { name: `Download ${formatBytes(weights)}` }).click();
  await expect(page.getByTestId('main-model')).toHaveText('test-org/tiny-zebra');
  await expect.poll(() => chips(page)).toEqual(['[CLS]', WORD, 'sat', '[SEP]']);
  await expect(page).toHaveURL(/model=test-org%2Ftiny-zebra/);
  await page.getByText('Choose another model').click();
  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await expect(page).not.toHaveURL(/model=/);
});

test('loading another model during the few-shot experiment stops it: no error, and its partial results stay with the model they came from', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}`);
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini', { timeout: 60_000 });
  await page.getByRole('heading', { name: 'Does pre-training help? The experiment' }).scrollIntoViewIfNeeded();
  await page.getByRole('combobox', { name: 'Data' }).selectOption('yelp');
  await page.getByRole('combobox', { name: 'Test sentences' }).selectOption('40');
  await page.getByRole('spinbutton', { name: 'Draws per k' }).fill('2');
  for (const k of ['4', '16', '32', '64']) await page.getByRole('checkbox', { name: k, exact: true }).uncheck();
  await page.getByRole('button', { name: 'Run the experiment' }).click();
  // One cell finished (the zero-shot prompt), the rest still running: now switch the main model.
  await expect(page.getByTestId('cell-prompt-0')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('progressbar', { name: 'Experiment progress' })).toBeVisible();

  await page.getByText('Choose another model').click();
  await page.getByRole('textbox', { name: 'Hugging Face model id' }).fill('test-org/tiny-zebra');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  const weights = models['test-org/tiny-zebra'].get('model.safetensors')!.byteLength;
  await page.getByRole('button', { name: `Download ${formatBytes(weights)}` }).click();
  await expect(page.getByTestId('main-model')).toHaveText('test-org/tiny-zebra');

  // The run on BERT-mini is over; its cells are not shown as this model's, and nothing failed.
  await page.getByRole('heading', { name: 'Does pre-training help? The experiment' }).scrollIntoViewIfNeeded();
  await expect(page.getByRole('progressbar', { name: 'Experiment progress' })).toHaveCount(0);
  await expect(page.getByTestId('experiment-other-model')).toContainText('bert-mini');
  await expect(page.getByTestId('experiment-results')).toHaveCount(0);
  await expect(page.locator('.finetune [role="alert"]')).toHaveCount(0);

  // Back on BERT-mini: the finished cells are there, marked as a cancelled run.
  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect(page.getByTestId('main-model')).toHaveText('BERT-mini');
  await page.getByRole('heading', { name: 'Does pre-training help? The experiment' }).scrollIntoViewIfNeeded();
  await expect(page.getByTestId('experiment-results')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('cell-prompt-0')).toHaveText(/^\d+% ± \d+%$/);
});
