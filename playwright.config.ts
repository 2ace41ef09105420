import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './e2e/chromium';

const port = Number(process.env.E2E_PORT ?? 4173);
// Another build folder (`vite build --outDir …`), so that two checkouts' runs do not share dist/.
const dist = process.env.E2E_DIST ?? 'dist';

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader WebGPU is a software rasteriser: generous timeouts, one worker.
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: process.env.E2E_RESULTS ?? 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    viewport: { width: 1280, height: 720 },
    // The app's service worker (offline support) would hide requests from page.route; the
    // offline test turns it back on for itself.
    serviceWorkers: 'block',
  },
  webServer: {
    // The built app, as a visitor gets it. WebGPU needs a secure context: localhost counts.
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort --outDir ${dist}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
