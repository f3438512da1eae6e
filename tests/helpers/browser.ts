/** Debian's Chromium driven by puppeteer-core, with the end-to-end build of the extension loaded. */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page, type WebWorker } from 'puppeteer-core';
import { REPO_ROOT } from './process';

export const E2E_EXTENSION_DIR = join(REPO_ROOT, '.output', 'e2e', 'chrome-mv3');

export interface ExtensionBrowser {
  browser: Browser;
  extensionId: string;
  worker: WebWorker;
  /** Opens the popup as a page of its own (the toolbar popup renders the same document). */
  openPopup(): Promise<Page>;
  close(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

/** Debian's Chromium without the extension, for pages Keyfob serves itself. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, pipe: true, args: CHROMIUM_ARGS });
}

export async function launchWithExtension(extraArgs: string[] = []): Promise<ExtensionBrowser> {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    pipe: true,
    enableExtensions: [E2E_EXTENSION_DIR],
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'), { timeout: 20_000 });
  const extensionId = new URL(target.url()).host;
  const worker = (await target.worker())!;
  await browser
    .defaultBrowserContext()
    .overridePermissions(`chrome-extension://${extensionId}`, ['clipboard-read', 'clipboard-write', 'clipboard-sanitized-write']);
  return {
    browser,
    extensionId,
    worker,
    async openPopup() {
      const page = await browser.newPage();
      // Fail a step in seconds, with its selector, rather than time out the whole test.
      page.setDefaultTimeout(8_000);
      await page.setViewport({ width: 392, height: 560 });
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      await page.bringToFront();
      return page;
    },
    close: () => browser.close(),
  };
}

/** Waits until the popup shows this view (its `data-view`). */
export async function waitForView(page: Page, name: string) {
  await page.waitForSelector(`.popup[data-view="${name}"]`, { timeout: 10_000 });
}

export async function readClipboard(page: Page): Promise<string> {
  await page.bringToFront();
  return page.evaluate(() => navigator.clipboard.readText());
}

/**
 * Takes a picture of the popup: into docs/screenshots with KEYFOB_SCREENSHOTS=1, otherwise into a
 * temporary folder, so a test run leaves the working tree as it found it.
 */
export async function screenshot(page: Page, name: string) {
  const popup = await page.$('.popup');
  const dir = process.env.KEYFOB_SCREENSHOTS === '1' ? join(REPO_ROOT, 'docs', 'screenshots') : join(tmpdir(), 'keyfob-screenshots');
  mkdirSync(dir, { recursive: true });
  await popup!.screenshot({ path: join(dir, `${name}.png`) });
}
