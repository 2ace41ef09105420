import { expect, test } from '@playwright/test';

test('the page runs tfjs on WebGPU and gets the right numbers', async ({ page }) => {
  await page.goto('/');
  const hasGpu = await page.evaluate(() => 'gpu' in navigator);
  expect(
    hasGpu,
    'navigator.gpu is missing: launch Chromium 113+ with --enable-unsafe-webgpu and load the page from localhost',
  ).toBe(true);
  await expect(page.getByTestId('backend')).toHaveText('webgpu');
  // [[1,2],[3,4]]·[[5,6],[7,8]] computed on the GPU backend and read back.
  await expect(page.getByTestId('self-test')).toHaveText('ok 19,22,43,50');
});
