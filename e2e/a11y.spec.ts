import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

// Accessibility: no serious or critical axe-core violations on the main views, and the controls
// are reachable with the keyboard alone.

test('no serious or critical accessibility violations', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  for (const tab of ['Heatmap', 'Head view', 'All layers & heads', 'BERT vs GPT mask']) {
    await page.getByRole('tab', { name: tab }).click();
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
    expect(bad, `view "${tab}"`).toEqual([]);
  }
});

test('the sentence, the token chips and the attention controls are reachable by keyboard', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  const reached = new Set<string>();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return el === null ? '' : `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''}`;
    });
    reached.add(name);
  }
  const all = [...reached].join('\n');
  expect(all).toContain('input:Sentence');
  expect(all).toMatch(/button:.*token 1/); // a token chip
  expect(all).toContain('button:Head view');
  expect(all).toMatch(/select:/);
});
