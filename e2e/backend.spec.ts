import { expect, test, type Page } from '@playwright/test';

/** Whether the page's WebGPU adapter is SwiftShader (a CPU emulation: machines without a GPU). */
function softwareAdapter(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu: { requestAdapter(): Promise<{ info: { architecture: string; vendor: string } }> } }).gpu;
    const info = (await gpu.requestAdapter()).info;
    return /swiftshader/i.test(`${info.vendor} ${info.architecture}`);
  });
}

/**
 * The shipped model on `text`, on the page's backend and then on the cpu backend (plain op chains):
 * the kernels each ran, the largest difference over every layer's hidden states and attention
 * probabilities, and which wasm loops and product kernel ran on the page's backend.
 */
function againstCpu(page: Page, text: string) {
  return page.evaluate(async (text) => {
    const api = window.bertPlayground;
    const run = async () => {
      const bert = await api.loadModel(api.urlSource('/weights/bert-mini/'));
      // The engine runs in a worker: it lists the kernels one encode ran there (tf.profile).
      // The pooled vector too: the pooler runs only when asked for, and its one-row product is a case of its own.
      const kernels = await api.profileKernels(bert, text, { lm: 'none', hiddenStates: true, pooled: true });
      const e = await api.encode(bert, text, { lm: 'none', hiddenStates: true, pooled: true });
      bert.dispose();
      return { e, kernels };
    };
    const ours = await run();
    const loops = await api.wasmLoops();
    const gemm = await api.wasmGemm();
    await api.initBackend(['cpu']);
    const cpu = await run();
    let diff = 0;
    ours.e.hiddenStates!.forEach((h, l) => h.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - cpu.e.hiddenStates![l][i])))));
    if (ours.e.pooled === null || cpu.e.pooled === null) throw new Error('the shipped model has a pooler: its vector was asked for');
    ours.e.pooled.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - cpu.e.pooled![i]))));
    ours.e.attentions.forEach((heads, l) =>
      heads.forEach((m, h) => m.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - cpu.e.attentions[l][h][i]))))),
    );
    return { tokens: ours.e.ids.length, loops, gemm, kernels: ours.kernels, cpuKernels: cpu.kernels, diff };
  }, text);
}

test('the page runs tfjs on WebGPU and gets the right numbers', async ({ page }) => {
  await page.goto('/?backend=webgpu');
  const hasGpu = await page.evaluate(() => 'gpu' in navigator);
  expect(
    hasGpu,
    'navigator.gpu is missing: launch Chromium 113+ with --enable-unsafe-webgpu and load the page from localhost',
  ).toBe(true);
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  // [[1,2],[3,4]]·[[5,6],[7,8]] computed on the GPU backend and read back.
  await expect(page.getByTestId('self-test')).toHaveText('ok 19,22,43,50');
  // On a software adapter every product uses tfjs-webgpu's tiled matMul program (3); a GPU keeps tfjs's choice (-1).
  const programType = await page.evaluate(() => window.bertPlayground.tfFlag('WEBGPU_MATMUL_PROGRAM_TYPE'));
  expect(programType).toBe((await softwareAdapter(page)) ? 3 : -1);
});

test('on a software WebGPU adapter the dense layers run on the WGSL kernel and give the cpu backend\'s numbers', async ({ page }) => {
  // Without the page's background warm-up: tf.profile would list its kernels too.
  await page.goto('/?backend=webgpu&warmup=0');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  const software = await softwareAdapter(page);
  // 13 tokens: not a whole number of the kernel's 8-row blocks, so its last block is partial.
  const result = await againstCpu(page, 'a small cat sat on the warm mat and then slept.');
  expect(result.tokens % 8).not.toBe(0);
  const count = result.kernels.filter((k) => k === 'BertPlaygroundDenseWgsl').length;
  // 4 layers × (query, key, value, attention output, FFN in with GELU, FFN out) + the pooler; none on a real GPU.
  if (software) {
    expect(count).toBe(4 * 6 + 1);
    expect(result.kernels).not.toContain('Erf'); // GELU is inside the kernel
  } else {
    expect(count).toBe(0);
  }
  expect(result.diff).toBeLessThan(1e-4);
});

test('without an override, a software-only WebGPU adapter is passed over for WebAssembly, and the badge says why', async ({
  page,
}) => {
  await page.goto('/');
  const software = await softwareAdapter(page);
  test.skip(!software, 'this machine has a real GPU: WebGPU is the right choice there');
  await expect(page.getByTestId('backend')).not.toHaveText('webgpu');
  await expect(page.getByRole('status').filter({ hasText: 'backend' })).toHaveAttribute('title', /software emulation/);
  // The passed-over WebGPU backend was never loaded (its code is fetched only when tried),
  // and forcing it still works: it is fetched then.
  const registered = () => page.evaluate(() => window.bertPlayground.backendRegistered('webgpu'));
  expect(await registered()).toBe(false);
  await page.evaluate(() => window.bertPlayground.initBackend(['webgpu']));
  expect(await registered()).toBe(true);
});

test('the backend setting picks one by hand, is remembered across visits, and auto goes back to the fastest', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('backend')).toHaveText(/wasm|webgpu|webgl/);
  const setting = page.getByRole('combobox', { name: /where the model runs/i });
  await expect(setting).toHaveValue('auto');
  await setting.selectOption('cpu'); // reloads the page
  await expect(page.getByTestId('backend')).toHaveText('cpu');
  await expect(page.getByRole('status').filter({ hasText: 'backend' })).toHaveAttribute('title', /chosen by hand/);
  await page.goto('/'); // a later visit keeps the setting
  await expect(page.getByTestId('backend')).toHaveText('cpu');
  await expect(page.getByRole('combobox', { name: /where the model runs/i })).toHaveValue('cpu');
  // The URL parameter beats the setting for one load, and the select shows it.
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend')).toHaveText('wasm');
  await expect(page.getByRole('combobox', { name: /where the model runs/i })).toHaveValue('wasm');
  await page.getByRole('combobox', { name: /where the model runs/i }).selectOption('auto');
  await expect(page).not.toHaveURL(/backend=/);
  await expect(page.getByTestId('backend')).not.toHaveText('cpu');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
});

test('on WebAssembly the fused SIMD kernels and the FMA product run in the page and give the numbers of the plain op chains (cpu backend)', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('token-chip').first()).toBeVisible({ timeout: 60_000 });
  // Over 32 tokens, and not a multiple of 8 or 6: the product kernel's last rows and columns
  // (past its 6 × 8 blocks) run too, in the attention scores.
  const result = await againstCpu(
    page,
    'the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat by the door and nobody minds at all today, really',
  );
  expect(result.tokens).toBeGreaterThanOrEqual(32);
  expect(result.tokens % 8 && result.tokens % 6).toBeTruthy();
  expect(result.loops).toBe('simd');
  // Chromium has relaxed SIMD: every product runs on gemm.wat, none on tfjs's matMul.
  expect(result.gemm).toBe(true);
  for (const k of ['BertPlaygroundEmbed', 'BertPlaygroundGelu', 'BertPlaygroundAddLayerNorm', 'BertPlaygroundSplitQkv', 'BertPlaygroundMatMul']) {
    expect(result.kernels).toContain(k);
  }
  expect(result.kernels.filter((k) => /MatMul/.test(k) && k !== 'BertPlaygroundMatMul')).toEqual([]);
  expect(result.kernels).not.toContain('Erf');
  expect(result.cpuKernels).toContain('Erf'); // the plain chain ran on the other side
  expect(result.diff).toBeLessThan(1e-4);
});
