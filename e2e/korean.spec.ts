import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { formatBytes, randomCheckpoint, writeSafetensors } from '../src/engine/node';

// A Korean classroom (issue 16): a Hangul sentence on the shipped English model is explained and
// answered with models that can read it; a Korean-vocabulary model loads from that suggestion,
// and the views that need a causal twin work without one.

const SENTENCE = '나는 이 영화를 정말 좋아했다.';
const KLUE = 'klue/bert-base';

/**
 * A random tiny BERT whose vocabulary has the Hangul pieces of the prepared Korean sentences,
 * cased like klue/bert-base (do_lower_case false: lower-casing would strip "accents" with NFD
 * and cut every Hangul syllable into jamo). Built here, served from memory as klue/bert-base.
 */
function tinyKoreanCheckpoint(): Map<string, Buffer> {
  const vocab = [
    '[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '.', ',',
    '나', '##는', '이', '영화', '##를', '정말', '좋아', '##했다',
    '서울', '##은', '대한민국', '##의', '##다', '수도',
    '아침', '##에', '따뜻한', '를', '한', '잔', '마셨다', '커피',
    '배', '##가', '아파서', '병원', '갔다', '타고', '작은', '섬',
  ];
  const shape = { layers: 2, hidden: 32, heads: 4, intermediate: 64, vocabSize: vocab.length, maxPositions: 64 };
  const checkpoint = randomCheckpoint(shape, 16);
  const tensors = [...checkpoint.weights].map(([name, w]) => ({ name, shape: w.shape, values: w.values }));
  const config = {
    model_type: 'bert',
    architectures: ['BertForMaskedLM'],
    vocab_size: vocab.length,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: 2,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
  };
  return new Map([
    ['config.json', Buffer.from(JSON.stringify(config))],
    ['vocab.txt', Buffer.from(vocab.join('\n') + '\n')],
    ['tokenizer_config.json', Buffer.from(JSON.stringify({ do_lower_case: false, tokenize_chinese_chars: true }))],
    ['model.safetensors', Buffer.from(writeSafetensors(tensors))],
  ]);
}

/** The hub, for one model: HEAD gives the size (X-Linked-Size, as the hub sends for LFS files), GET the bytes. */
async function serveHub(page: Page, id: string, files: Map<string, Buffer>): Promise<string[]> {
  const requests: string[] = [];
  await page.route(`https://huggingface.co/${id}/resolve/main/**`, async (route) => {
    const request = route.request();
    const name = decodeURIComponent(new URL(request.url()).pathname.split('/resolve/main/')[1]);
    requests.push(`${request.method()} ${name}`);
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'Content-Length, X-Linked-Size',
      'cross-origin-resource-policy': 'cross-origin',
    };
    const body = files.get(name);
    if (body === undefined) return route.fulfill({ status: 404, headers: cors, body: 'Entry not found' });
    if (request.method() === 'HEAD') {
      return route.fulfill({ status: 200, headers: { ...cors, 'x-linked-size': String(body.byteLength) }, body: '' });
    }
    return route.fulfill({ status: 200, headers: { ...cors, 'content-type': 'application/octet-stream' }, body });
  });
  return requests;
}

const chips = (page: Page) => page.getByTestId('token-chip').allTextContents();

/** Serious or critical axe-core violations on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

test('a Hangul sentence on the shipped model: the notice says why, in both languages, and suggests models', async ({ page }, testInfo) => {
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  const notice = page.getByTestId('unknown-notice');
  await expect(notice).toHaveCount(0); // the English first sentence reads fine

  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill(SENTENCE);
  await expect.poll(() => chips(page)).toEqual(['[CLS]', '[UNK]', '[UNK]', '[UNK]', '[UNK]', '[UNK]', '.', '[SEP]']);
  await expect(notice).toContainText('5 of the 6 pieces of this sentence are [UNK].');
  await expect(notice).toContainText('BERT-mini’s vocabulary has no pieces for Hangul (Korean).');
  await expect(notice).toContainText('8,192 of them');
  const suggestions = notice.getByTestId('unknown-suggestion');
  await expect(suggestions).toHaveText([KLUE, 'google-bert/bert-base-multilingual-cased']); // not the English one
  await expect(notice.getByRole('button', { name: `Check the download size of ${KLUE}` })).toBeVisible();
  await expect(notice).toContainText('CC-BY-SA-4.0');
  await page.screenshot({ path: testInfo.outputPath('unknown-notice.png'), fullPage: true });
  expect(await axeViolations(page)).toEqual([]);

  // The same notice in Korean, aria-labels included.
  await page.getByRole('combobox', { name: /Language/ }).selectOption('ko');
  await expect(notice).toContainText('이 문장의 조각 6개 중 5개가 [UNK]입니다.');
  await expect(notice).toContainText('BERT-mini의 어휘에는 한글 조각이 없습니다.');
  await expect(notice.getByRole('button', { name: `${KLUE}의 내려받을 크기 확인하기` })).toBeVisible();
  await expect(page.getByRole('status', { name: '모델이 모르는 조각' })).toBeVisible();

  // The model picker lists the suggestions, each with its language, size class and licence.
  await page.getByText('다른 모델 고르기').click();
  const listed = page.getByTestId('suggested-model');
  await expect(listed).toHaveCount(3);
  await expect(listed.nth(0)).toContainText('한국어');
  await expect(listed.nth(0)).toContainText('445 MB');
  await expect(listed.nth(2)).toContainText('gaunernst/bert-mini-uncased');
  await expect(listed.nth(2)).toContainText('작은 모델');
  await page.screenshot({ path: testInfo.outputPath('unknown-notice-ko.png'), fullPage: true });

  // Back to an English sentence: the notice goes.
  await page.getByRole('textbox', { name: '문장', exact: true }).fill('The cat sat on the mat.');
  await expect(notice).toHaveCount(0);
});

test('a Korean checkpoint from the suggestion reads the sentence; fill-mask and the mask contrast work without a twin', async ({
  page,
}, testInfo) => {
  const files = tinyKoreanCheckpoint();
  const requests = await serveHub(page, KLUE, files);
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill(SENTENCE);

  // The suggestion asks the hub for the size first, and downloads nothing until asked.
  await page.getByRole('button', { name: `Check the download size of ${KLUE}` }).click();
  const weights = files.get('model.safetensors')!.byteLength;
  await expect(page.getByTestId('download-size')).toContainText(`${KLUE}: ${formatBytes(weights)} to download`);
  expect(requests.filter((r) => r.startsWith('GET'))).toEqual([]);
  const download = page.getByRole('button', { name: `Download ${formatBytes(weights)}` });
  await expect(download).toBeFocused(); // the keyboard user who pressed the suggestion is taken to the question
  await download.click();

  await expect(page.getByTestId('main-model')).toHaveText(KLUE);
  await expect
    .poll(() => chips(page))
    .toEqual(['[CLS]', '나', '##는', '이', '영화', '##를', '정말', '좋아', '##했다', '.', '[SEP]']);
  await expect(page.getByTestId('unknown-notice')).toHaveCount(0);
  await expect(page.getByTestId('twin-note')).toContainText(`${KLUE} has no causal twin`);

  // Fill in the blank: one column, and a line saying why there is no second one.
  await page.getByRole('button', { name: /^영화, token 4/ }).click();
  await expect(page.getByTestId('fill-mask-row')).toContainText('was “영화”');
  await expect(page.getByTestId('predictions-bidirectional').locator('g.bar')).toHaveCount(5);
  await expect(page.getByTestId('predictions-causal')).toHaveCount(0);
  await expect(page.getByTestId('no-twin-note')).toContainText(`There is no second column: ${KLUE} has no causal twin`);
  await page.screenshot({ path: testInfo.outputPath('korean-fill-mask.png'), fullPage: true });

  // The mask contrast: both masks, on the loaded model, the causal one labelled as a what-if.
  await page.getByRole('tab', { name: 'BERT vs GPT mask' }).click();
  await expect(page.getByRole('heading', { name: `bidirectional · ${KLUE}` })).toBeVisible();
  await expect(page.getByRole('heading', { name: `causal mask on ${KLUE} · what if` })).toBeVisible();
  await expect(page.locator('.contrast')).toContainText(`${KLUE} has no causal twin, so below is ${KLUE} twice`);
  const cells = (scope: string) =>
    page.locator(`${scope} rect.cell`).evaluateAll((rects) =>
      rects.map((r) => ({ query: Number(r.getAttribute('data-query')), key: Number(r.getAttribute('data-key')), value: Number(r.getAttribute('data-value')) })),
    );
  await expect.poll(async () => (await cells('.contrast-bidirectional')).length).toBe(11 * 11);
  await expect.poll(async () => (await cells('.contrast-causal')).length).toBe((11 * 12) / 2); // only what the mask lets through
  const causal = await cells('.contrast-causal');
  expect(causal.filter((c) => c.key > c.query && c.value > 0)).toEqual([]);
  expect((await cells('.contrast-bidirectional')).filter((c) => c.key > c.query && c.value > 0).length).toBeGreaterThan(10);
  await page.screenshot({ path: testInfo.outputPath('korean-mask-contrast.png'), fullPage: true });
  expect(await axeViolations(page)).toEqual([]);
  const model = page.getByRole('combobox', { name: 'Model', exact: true });
  await expect(model.locator('option[value="causal"]')).toHaveText(`${KLUE} under a causal mask (what if?)`);
  await page.getByRole('tab', { name: 'Heatmap' }).click();
  await model.selectOption('causal');
  await expect(page.getByTestId('what-if-note')).toContainText(`What if ${KLUE} could not look right?`);

  // Prepared Korean sentences, for a model that reads Korean; the URL carries them like English ones.
  const examples = page.getByTestId('example-sentences');
  await examples.getByRole('button', { name: '서울은 대한민국의 [MASK]이다.' }).click();
  const input = page.getByRole('textbox', { name: 'Sentence', exact: true });
  await expect(input).toHaveValue('서울은 대한민국의 [MASK]이다.');
  await expect(page.getByTestId('fill-mask-row')).toHaveCount(1);
  await expect(page.getByTestId('unknown-notice')).toHaveCount(0);
  await expect
    .poll(() => {
      const params = new URL(page.url()).searchParams;
      return [params.get('text'), params.get('model')];
    })
    .toEqual(['서울은 대한민국의 [MASK]이다.', KLUE]);

  // A Korean fine-tuning starter set, with Undo.
  await page.getByRole('button', { name: 'Use the Korean starter set (40 sentences)' }).click();
  await expect(page.getByRole('textbox', { name: 'Text of example 1', exact: true })).toHaveValue('처음부터 끝까지 정말 재미있는 영화였다.');
  await expect(page.getByTestId('starter-offer')).toContainText('Korean starter set (긍정 / 부정)');
  await page.getByRole('button', { name: 'Undo: bring back the previous examples' }).click();
  await expect(page.getByRole('textbox', { name: 'Text of example 1', exact: true })).toHaveValue('I loved this film from start to finish.');
  await page.getByRole('button', { name: 'Use the Korean starter set (40 sentences)' }).click();
  await expect(page.getByRole('textbox', { name: 'Text of example 1', exact: true })).toHaveValue('처음부터 끝까지 정말 재미있는 영화였다.');

  // The shared link: the same sentence, and the model again (from this browser's cache now).
  await page.reload();
  await expect(page.getByRole('textbox', { name: 'Sentence', exact: true })).toHaveValue('서울은 대한민국의 [MASK]이다.');
  await expect(page.getByTestId('main-model')).toHaveText(KLUE);
  await expect
    .poll(() => chips(page))
    .toEqual(['[CLS]', '서울', '##은', '대한민국', '##의', '[MASK]', '이', '##다', '.', '[SEP]']);
  // The Korean examples stayed; back on BERT-mini, the English set is offered again.
  await expect(page.getByRole('textbox', { name: 'Text of example 1', exact: true })).toHaveValue('처음부터 끝까지 정말 재미있는 영화였다.');
  await page.getByRole('button', { name: 'Back to BERT-mini' }).click();
  await expect(page.getByTestId('starter-offer')).toContainText('BERT-mini has no Hangul pieces');
});
