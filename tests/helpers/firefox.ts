/**
 * Firefox ESR driven by puppeteer-core (WebDriver BiDi), with the end-to-end build of the extension
 * installed. Firefox refuses a test's navigation to moz-extension://, so a page this helper serves on
 * 127.0.0.1 navigates there itself (the e2e build makes the popup web-accessible to 127.0.0.1 only), and
 * the extension's internal UUID is pinned by preference so the popup's address is known.
 */
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { REPO_ROOT } from './process';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = join(REPO_ROOT, '.output', 'e2e', 'firefox-mv3');
const EXTENSION_ID = 'keyfob@keyfob.dev';
const EXTENSION_UUID = '5b6f2c1e-8a3d-4c7e-9f10-2b3c4d5e6f70';

export const hasFirefox = existsSync(FIREFOX_PATH);

export interface FirefoxWithExtension {
  browser: Browser;
  /** Opens (or reopens) an extension page, `popup.html` by default, in this page. */
  open(page: Page, file?: string): Promise<void>;
  close(): Promise<void>;
}

/** `prefs`: extra Firefox preferences for this launch. */
export async function launchFirefoxWithExtension(prefs: Record<string, unknown> = {}): Promise<FirefoxWithExtension> {
  const opener: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>opener</title>'));
  opener.listen(0, '127.0.0.1');
  await once(opener, 'listening');
  const openerUrl = `http://127.0.0.1:${(opener.address() as AddressInfo).port}/`;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [EXTENSION_ID]: EXTENSION_UUID }), ...prefs },
  });
  await browser.installExtension(FIREFOX_EXTENSION_DIR);
  return {
    browser,
    async open(page, file = 'popup.html') {
      page.setDefaultTimeout(8_000);
      await page.goto(openerUrl);
      await page.evaluate((url) => {
        location.href = url;
      }, `moz-extension://${EXTENSION_UUID}/${file}`);
      await page.waitForFunction((f) => location.href.endsWith(f), { polling: 100 }, file);
    },
    async close() {
      await browser.close();
      opener.close();
    },
  };
}
