import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

// The pre-training lab on a class's own text with a vocabulary trained on it, in the lab's worker, on
// wasm: the vocabulary is trained before step 0, both models use it (the probe is cut into its pieces),
// a few steps give finite losses, and the saved model's vocab.txt has the size asked and tokenizes the
// page's sentence as the lab did.

const PIECES = 400;
const STEPS = 4;

test('own text, a trained vocabulary of 400 pieces: trained, used, saved, loaded as the main model', async ({ page }) => {
  test.setTimeout(300_000);
  const own = (await readFile('public/data/pretrain/train.txt', 'utf8')).slice(0, 60_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible();
  const lab = page.getByTestId('lab');
  const vocabLine = lab.getByTestId('lab-vocab');
  await expect(vocabLine).toHaveAttribute('data-vocab', 'shipped');
  // The choice is offered with one's own text only.
  await expect(lab.getByRole('radiogroup', { name: 'Vocabulary' })).toHaveCount(0);
  await lab.getByRole('radio', { name: /My own text/ }).check();
  await lab.getByRole('textbox', { name: 'Your text to pre-train on' }).fill(own);
  await lab.getByRole('radio', { name: 'Trained on my text:' }).check();
  await lab.getByRole('spinbutton', { name: 'Pieces in the trained vocabulary' }).fill(String(PIECES));
  await expect(vocabLine).toHaveAttribute('data-vocab', 'trained');
  await expect(vocabLine).toContainText(`${PIECES} WordPiece pieces, trained in your browser`);

  await lab.getByRole('spinbutton', { name: 'Stop after' }).fill(String(STEPS));
  await lab.getByRole('combobox', { name: 'Unit of the budget' }).selectOption('steps');
  await lab.getByRole('spinbutton', { name: 'Test, probe and snapshot every' }).fill('2');
  await lab.getByRole('button', { name: 'Start pre-training' }).click();
  const status = lab.getByTestId('lab-status');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  await expect(status).toHaveAttribute('data-step', String(STEPS));
  await expect(vocabLine).toHaveAttribute('data-pieces', String(PIECES));
  await expect(vocabLine).toContainText(`${PIECES} WordPiece pieces trained in your browser on your text`);
  const settings = JSON.parse((await lab.getByTestId('lab-settings').getAttribute('data-settings')) ?? '{}') as { vocabSize: number };
  expect(settings.vocabSize).toBe(PIECES);
  const losses = JSON.parse((await status.getAttribute('data-losses')) ?? '{}') as { first: number[][]; last: number[][] };
  for (const pair of [...losses.first, ...losses.last]) for (const loss of pair) expect(Number.isFinite(loss)).toBe(true);
  // A fresh model over 400 pieces starts near ln 400 ≈ 6.0, not ln 8,192 ≈ 9.0: its output layer follows the vocabulary.
  expect(losses.first[0][0]).toBeLessThan(7.5);

  // The probe, cut into the trained pieces: no [UNK], some "##" pieces (400 pieces hold few whole words).
  const probeTokens = JSON.parse((await lab.getByTestId('lab-guesses').getAttribute('data-tokens')) ?? '[]') as string[];
  expect(probeTokens).not.toContain('[UNK]');
  expect(probeTokens.some((p) => p.startsWith('##'))).toBe(true);

  // Saved, its vocab.txt holds the trained pieces, one a line.
  await lab.getByRole('button', { name: 'Save nano-BERT' }).click();
  const id = `lab/nano-bert-${STEPS}`;
  await expect(lab.getByTestId('lab-saved')).toHaveAttribute('data-id', id);
  const [download] = await Promise.all([page.waitForEvent('download'), lab.getByRole('button', { name: `Download vocab.txt of ${id}` }).click()]);
  const vocab = (await readFile(await download.path(), 'utf8')).split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');
  expect(vocab).toHaveLength(PIECES);
  expect(vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  for (const piece of probeTokens) expect(vocab).toContain(piece);

  // As the main model, the page's chips are the same pieces the lab cut the probe into.
  await lab.getByTestId('lab-use').click();
  await expect(page.getByTestId('main-model')).toHaveText(id, { timeout: 60_000 });
  await page.getByRole('textbox', { name: 'Sentence', exact: true }).fill('The people of the United [MASK] will not forget this day.');
  await expect(page.getByTestId('token-chip')).toHaveText(probeTokens);
});
