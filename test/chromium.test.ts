import { describe, expect, it } from 'vitest';
import { chromiumMissing, findChromium, installPaths, type ChromiumLookup, type PlaywrightBrowser } from '../e2e/chromium';

/** A machine where exactly `installed` exist, and Playwright knows `known` (installed or not). */
function machine(
  platform: NodeJS.Platform,
  installed: string[],
  options: { env?: Record<string, string>; known?: Partial<Record<PlaywrightBrowser, string>> } = {},
): ChromiumLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    platform,
    env: options.env ?? {},
    exists: (file) => {
      asked.push(file);
      return installed.includes(file);
    },
    playwrightPath: (name) => options.known?.[name],
    asked,
  };
}

const WINDOWS_ENV = {
  PROGRAMFILES: 'C:\\Program Files',
  'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
  LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local',
};

describe('findChromium', () => {
  it('takes CHROME_PATH first, even over an installed browser, and even when it does not exist', () => {
    const m = machine('linux', ['/usr/bin/chromium', '/opt/google/chrome/chrome'], {
      env: { CHROME_PATH: '/home/ada/chrome/chrome' },
      known: { chrome: '/opt/google/chrome/chrome' },
    });
    expect(findChromium(m)).toBe('/home/ada/chrome/chrome');
    expect(m.asked).toEqual([]);
  });

  it("prefers Playwright's channels in the order chrome, msedge, then its own Chromium", () => {
    const known = { chrome: '/opt/google/chrome/chrome', msedge: '/opt/microsoft/msedge/msedge', chromium: '/root/.cache/ms-playwright/chromium-1/chrome' };
    expect(findChromium(machine('linux', Object.values(known).concat('/usr/bin/chromium'), { known }))).toBe(known.chrome);
    expect(findChromium(machine('linux', [known.msedge, known.chromium, '/usr/bin/chromium'], { known }))).toBe(known.msedge);
    expect(findChromium(machine('linux', [known.chromium, '/usr/bin/chromium'], { known }))).toBe(known.chromium);
  });

  it("skips a path Playwright knows but that is not installed (its own Chromium before `playwright install`)", () => {
    const m = machine('linux', ['/usr/bin/chromium'], { known: { chromium: '/root/.cache/ms-playwright/chromium-1/chrome' } });
    expect(findChromium(m)).toBe('/usr/bin/chromium');
    expect(m.asked).toEqual(['/root/.cache/ms-playwright/chromium-1/chrome', '/usr/bin/chromium']);
  });

  it("on Linux tries Debian's chromium, Ubuntu's chromium-browser, then Google Chrome", () => {
    expect(findChromium(machine('linux', ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']))).toBe('/usr/bin/chromium');
    expect(findChromium(machine('linux', ['/usr/bin/chromium-browser', '/usr/bin/google-chrome']))).toBe('/usr/bin/chromium-browser');
    expect(findChromium(machine('linux', ['/usr/bin/google-chrome']))).toBe('/usr/bin/google-chrome');
    const m = machine('linux', []);
    expect(findChromium(m)).toBeUndefined();
    expect(m.asked.slice(0, 3)).toEqual(['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']);
    expect(m.asked.some((file) => file.startsWith('/Applications') || file.includes('\\'))).toBe(false);
  });

  it('on macOS tries Chrome, Chromium, then Edge in /Applications, then in ~/Applications', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    const chromium = '/Applications/Chromium.app/Contents/MacOS/Chromium';
    const edge = '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge';
    const userChrome = '/Users/ada/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    const env = { HOME: '/Users/ada' };
    expect(findChromium(machine('darwin', [edge, chromium, chrome], { env }))).toBe(chrome);
    expect(findChromium(machine('darwin', [edge, chromium], { env }))).toBe(chromium);
    expect(findChromium(machine('darwin', [userChrome, edge], { env }))).toBe(edge);
    expect(findChromium(machine('darwin', [userChrome], { env }))).toBe(userChrome);
    expect(findChromium(machine('darwin', ['/usr/bin/chromium'], { env }))).toBeUndefined();
  });

  it('on Windows tries Chrome in each Program Files root and LOCALAPPDATA, then Edge, then Chromium', () => {
    const chrome86 = 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe';
    const userChrome = 'C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe';
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe';
    const chromium = 'C:\\Users\\ada\\AppData\\Local\\Chromium\\Application\\chrome.exe';
    expect(installPaths('win32', WINDOWS_ENV)[0]).toBe('C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe');
    expect(findChromium(machine('win32', [chromium, edge, userChrome, chrome86], { env: WINDOWS_ENV }))).toBe(chrome86);
    expect(findChromium(machine('win32', [chromium, edge, userChrome], { env: WINDOWS_ENV }))).toBe(userChrome);
    expect(findChromium(machine('win32', [chromium, edge], { env: WINDOWS_ENV }))).toBe(edge);
    expect(findChromium(machine('win32', [chromium], { env: WINDOWS_ENV }))).toBe(chromium);
    // Without the environment variables there is no root to look in.
    expect(installPaths('win32', {})).toEqual([]);
  });
});

describe('chromiumMissing', () => {
  it('says in one line what to install on each OS', () => {
    const linux = chromiumMissing({ platform: 'linux', env: {} });
    const mac = chromiumMissing({ platform: 'darwin', env: {} });
    const windows = chromiumMissing({ platform: 'win32', env: {} });
    expect(linux).toContain('sudo apt-get install -y chromium');
    expect(mac).toContain('brew install --cask chromium');
    expect(windows).toContain('Google Chrome');
    for (const message of [linux, mac, windows]) {
      expect(message).not.toContain('\n');
      expect(message).toContain('npx playwright install chromium');
      expect(message).toContain('CHROME_PATH');
    }
    expect(mac).not.toContain('apt-get');
    expect(windows).not.toContain('apt-get');
  });

  it('names a CHROME_PATH that does not exist', () => {
    expect(chromiumMissing({ platform: 'linux', env: { CHROME_PATH: '/opt/nope/chrome' } })).toContain('CHROME_PATH is set to /opt/nope/chrome');
  });
});
