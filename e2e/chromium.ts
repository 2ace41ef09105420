// Where Debian's Chromium lives, and the flags every browser test launches it with.
// Shared by playwright.config.ts, the Chromium check and the benchmark.
import { existsSync } from 'node:fs';

export const chromiumPath = process.env.CHROME_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  // WebGPU is behind this flag in headless/Linux Chromium.
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  // Our network is closed: without these Chromium keeps trying to phone home.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumFound(): boolean {
  return existsSync(chromiumPath);
}
