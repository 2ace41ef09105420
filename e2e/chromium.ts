// Which Chrome, Chromium or Edge the browser tests and the benchmark launch, and the flags they launch
// it with. Shared by playwright.config.ts, the Chromium check (check-chromium.ts) and bench/run.ts.
//
// Lookup order, first hit wins:
//   1. CHROME_PATH, when set (used even if it does not exist, so that a typo is reported, not skipped);
//   2. Playwright's own lookup: the installed Chrome and Edge channels (`channel: 'chrome'`/'msedge',
//      at the paths Playwright knows per OS), then the Chromium `npx playwright install chromium` downloads;
//   3. the usual install paths of this OS (Debian/Ubuntu packages, macOS /Applications, Windows Program
//      Files) — these also find Chromium builds Playwright does not look for (Debian's `chromium`).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

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

/** The executables Playwright can locate, in the order we prefer them. */
export const PLAYWRIGHT_BROWSERS = ['chrome', 'msedge', 'chromium'] as const;
export type PlaywrightBrowser = (typeof PLAYWRIGHT_BROWSERS)[number];

/** Everything the lookup reads from the machine, so that a test can stand in for any OS. */
export interface ChromiumLookup {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  exists: (file: string) => boolean;
  /** Where Playwright would find this browser, if it knows a place (it need not exist). */
  playwrightPath: (name: PlaywrightBrowser) => string | undefined;
}

/** The usual install locations of Chrome, Chromium and Edge on `platform`, most likely first. */
export function installPaths(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): string[] {
  if (platform === 'darwin') {
    const apps = ['Google Chrome.app/Contents/MacOS/Google Chrome', 'Chromium.app/Contents/MacOS/Chromium', 'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'];
    const home = env.HOME;
    const folders = ['/Applications', ...(home ? [path.posix.join(home, 'Applications')] : [])];
    return folders.flatMap((folder) => apps.map((app) => path.posix.join(folder, app)));
  }
  if (platform === 'win32') {
    // Chrome installs per machine (Program Files) or per user (LOCALAPPDATA); Edge ships in Program Files (x86).
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((root): root is string => !!root);
    const apps = ['Google\\Chrome\\Application\\chrome.exe', 'Microsoft\\Edge\\Application\\msedge.exe', 'Chromium\\Application\\chrome.exe'];
    return apps.flatMap((app) => roots.map((root) => path.win32.join(root, app)));
  }
  // Linux and the other Unixes: Debian's and Ubuntu's packages, Google's .deb, then Ubuntu's snap.
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/usr/bin/microsoft-edge', '/snap/bin/chromium'];
}

/** The browser to launch, or undefined when none is installed (then `chromiumMissing` says what to do). */
export function findChromium(lookup: ChromiumLookup): string | undefined {
  const chosen = lookup.env.CHROME_PATH;
  if (chosen) return chosen;
  for (const name of PLAYWRIGHT_BROWSERS) {
    const found = lookup.playwrightPath(name);
    if (found !== undefined && lookup.exists(found)) return found;
  }
  return installPaths(lookup.platform, lookup.env).find((file) => lookup.exists(file));
}

/** One line: what is missing and what to install on this OS. */
export function chromiumMissing(lookup: Pick<ChromiumLookup, 'platform' | 'env'>): string {
  const chosen = lookup.env.CHROME_PATH;
  if (chosen) return `CHROME_PATH is set to ${chosen}, which does not exist: point it at a Chrome, Chromium or Edge 113+ binary.`;
  const install =
    lookup.platform === 'darwin'
      ? 'install Google Chrome (https://www.google.com/chrome/) or Microsoft Edge, or `brew install --cask chromium`'
      : lookup.platform === 'win32'
        ? 'install Google Chrome (https://www.google.com/chrome/); Microsoft Edge, which Windows ships, is found too'
        : 'install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`) or Google Chrome';
  return `No Chrome, Chromium or Edge found: ${install}, or run \`npx playwright install chromium\`, or set CHROME_PATH to a Chrome/Chromium 113+ binary.`;
}

/**
 * Playwright's own per-OS lookup (its browser registry: the channels' install paths, Windows' several
 * Program Files roots, and where `npx playwright install` puts its Chromium). The registry is not a
 * documented API, so if a Playwright upgrade moves it, this gives up and the install paths above remain.
 */
function playwrightRegistryPath(name: PlaywrightBrowser): string | undefined {
  try {
    const requireFromTest = createRequire(createRequire(import.meta.url).resolve('@playwright/test'));
    const core = requireFromTest('playwright-core/lib/coreBundle') as {
      registry?: { registry?: { findExecutable?: (name: string) => { executablePath?: () => string | undefined } | undefined } };
    };
    const found = core.registry?.registry?.findExecutable?.(name)?.executablePath?.();
    return typeof found === 'string' ? found : undefined;
  } catch {
    return undefined;
  }
}

const machine: ChromiumLookup = { platform: process.platform, env: process.env, exists: existsSync, playwrightPath: playwrightRegistryPath };

const found = findChromium(machine);

/** The browser's path; when none is installed, the path one would expect on this OS (so messages can name it). */
export const chromiumPath: string = found ?? installPaths(machine.platform, machine.env)[0] ?? '';

export function chromiumFound(): boolean {
  return found !== undefined && existsSync(found);
}

/** Why `chromiumFound()` is false, and what to install (one line). */
export function chromiumMissingMessage(): string {
  return chromiumMissing(machine);
}
