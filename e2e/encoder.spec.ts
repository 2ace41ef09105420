import { expect, test } from '@playwright/test';
import { serveFixtures } from './fixtures';

// The same encoder on WebGPU and on the cpu backend, in real Chromium, must agree.
for (const name of ['tiny-mlm-f32', 'tiny-decoder']) {
  test(`${name}: the WebGPU encoder matches the cpu backend within 1e-3`, async ({ page }) => {
    await serveFixtures(page);
    await page.goto('/?backend=webgpu');
    await expect(page.getByTestId('backend')).toHaveText('webgpu');
    const result = await page.evaluate(async (model) => {
      const api = window.bertPlayground;
      const text = 'the cat sat on the [MASK] . she was very happy';
      const run = async () => {
        const bert = await api.loadModel(api.urlSource(`/fixtures/${model}/`));
        const e = await api.encode(bert, text, { lm: 'all', hiddenStates: true });
        bert.dispose();
        return {
          backend: e.backend,
          tokens: e.tokens,
          mask: e.mask,
          hidden: (e.hiddenStates ?? []).flatMap((h) => Array.from(h)),
          attn: e.attentions.flat().flatMap((a) => Array.from(a)),
          lm: e.lm.flatMap((s) => Array.from(s.logits)),
          attnAboveDiagonal: e.attentions.flat().reduce((m, a) => {
            const n = e.ids.length;
            for (let q = 0; q < n; q++) for (let k = q + 1; k < n; k++) m = Math.max(m, a[q * n + k]);
            return m;
          }, 0),
        };
      };
      const gpu = await run();
      await api.initBackend(['cpu']);
      const cpu = await run();
      const maxDiff = (a: number[], b: number[]) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
      return {
        backends: [gpu.backend, cpu.backend],
        tokens: gpu.tokens,
        mask: gpu.mask,
        sizes: [gpu.hidden.length, gpu.attn.length, gpu.lm.length],
        hiddenDiff: maxDiff(gpu.hidden, cpu.hidden),
        attnDiff: maxDiff(gpu.attn, cpu.attn),
        lmDiff: maxDiff(gpu.lm, cpu.lm),
        attnAboveDiagonal: gpu.attnAboveDiagonal,
      };
    }, name);
    expect(result.backends).toEqual(['webgpu', 'cpu']);
    expect(result.tokens).toEqual(['[CLS]', 'the', 'cat', 'sat', 'on', 'the', '[MASK]', '.', 'she', 'was', 'very', 'happy', '[SEP]']);
    expect(result.sizes[0]).toBe(3 * 13 * 32); // embeddings + 2 layers, 13 tokens, hidden 32
    expect(result.hiddenDiff).toBeLessThan(1e-3);
    expect(result.attnDiff).toBeLessThan(1e-3);
    expect(result.lmDiff).toBeLessThan(1e-3);
    if (name === 'tiny-decoder') {
      expect(result.mask).toBe('causal');
      expect(result.attnAboveDiagonal).toBe(0);
    } else {
      expect(result.mask).toBe('bidirectional');
      expect(result.attnAboveDiagonal).toBeGreaterThan(0.01);
    }
  });
}
