/**
 * What the fill tests share: a page server on 127.0.0.1, a real Keyfob with a signed-in user who has an
 * API key, and Chromium with the extension, plus the three ways to fill (the real toolbar popup, and the
 * shortcut's and context menu's listeners called with the tab the browser would pass them).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'puppeteer-core';
import { launchWithExtension, waitForView, type ExtensionBrowser } from '../helpers/browser';
import { startKeyfob, type RunningKeyfob } from '../helpers/keyfob';

declare const chrome: {
  tabs: { query(q: object): Promise<{ id: number; url: string }[]> };
  storage: { local: { set(o: object): Promise<void>; get(k: string): Promise<Record<string, any>> } };
};
declare const keyfobE2E: { fillCommand(tab: object): Promise<any>; fillMenu(click: object, tab: object): Promise<any> };

export const PASSWORD = 'nora-Password-1';

export interface FillHarness {
  k: RunningKeyfob;
  ext: ExtensionBrowser;
  port: number;
  apiKey: string;
  encryptedPassword: string;
  openSite(path: string, host?: string): Promise<Page>;
  received(frame: Page | Frame): Promise<any>;
  submit(frame: Page | Frame): Promise<any>;
  shortcut(tab: Page): Promise<any>;
  /** The context menu's listener, as Chrome calls it after a right-click in this frame. */
  menu(tab: Page, item: string, frameId?: number): Promise<any>;
  toolbarPopup(tab: Page): Promise<Page>;
  popupStatus(popup: Page, pattern: RegExp): Promise<string>;
  /** The notice Keyfob showed in the page, or '' when none. */
  notice(tab: Page): Promise<string>;
  /** Whether the secret appears anywhere in the page: values of fields in every frame and open shadow root, and the markup. */
  secretInPage(tab: Page, secret: string): Promise<boolean>;
  approve(...origins: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startFillHarness(pages: (crossOrigin: string) => Record<string, string>, extraArgs: string[] = []): Promise<FillHarness> {
  let port = 0;
  const site: Server = createServer((req, res) => {
    const body = pages(`http://localhost:${port}`)[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? 'not found');
  }).listen(0, '127.0.0.1');
  await once(site, 'listening');
  port = (site.address() as AddressInfo).port;

  const k = await startKeyfob();
  await k.createUser('nora', PASSWORD);
  const nora = { basic: ['nora', PASSWORD] as [string, string] };
  const apiKey = (await k.call('/artifactory/api/security/apiKey', { method: 'POST', auth: nora })).json.apiKey;
  const encryptedPassword = (await k.call('/artifactory/api/security/encryptedPassword', { auth: nora })).text;

  const ext = await launchWithExtension(extraArgs);
  const popup = await ext.openPopup();
  await popup.locator('input[name=serverUrl]').fill(k.url);
  await popup.locator('::-p-aria([name="Connect"][role="button"])').click();
  await waitForView(popup, 'sign-in');
  await popup.locator('input[name=username]').fill('nora');
  await popup.locator('input[name=password]').fill(PASSWORD);
  await popup.locator('::-p-aria([name="Sign in"][role="button"])').click();
  await waitForView(popup, 'unlocked');
  await popup.close();

  const received = (frame: Page | Frame) => frame.evaluate(() => (window as unknown as { received: unknown }).received);
  const harness: FillHarness = {
    k,
    ext,
    port,
    apiKey,
    encryptedPassword,
    async openSite(path, host = '127.0.0.1') {
      const tab = await ext.browser.newPage();
      tab.setDefaultTimeout(8_000);
      await tab.goto(`http://${host}:${port}${path}`);
      await tab.bringToFront();
      return tab;
    },
    received,
    async submit(frame) {
      await frame.evaluate(() => (document.querySelector('form') as HTMLFormElement).requestSubmit());
      return received(frame);
    },
    shortcut: (tab) => ext.worker.evaluate(async (url) => keyfobE2E.fillCommand((await chrome.tabs.query({ url }))[0]!), tab.url()),
    menu: (tab, item, frameId = 0) =>
      ext.worker.evaluate(
        async (url, menuItemId, frame) => keyfobE2E.fillMenu({ menuItemId, frameId: frame }, (await chrome.tabs.query({ url }))[0]!),
        tab.url(),
        item,
        frameId,
      ),
    async toolbarPopup(tab) {
      await tab.bringToFront();
      const [extension] = [...(await ext.browser.extensions()).values()];
      const before = new Set(ext.browser.targets());
      await tab.triggerExtensionAction(extension!);
      const target = await ext.browser.waitForTarget((t) => !before.has(t) && t.url().endsWith('/popup.html'), { timeout: 10_000 });
      const popup = (await target.asPage())!;
      popup.setDefaultTimeout(8_000);
      await waitForView(popup, 'unlocked');
      return popup;
    },
    async popupStatus(popup, pattern) {
      await popup.waitForFunction((source) => new RegExp(source).test(document.querySelector('.status')?.textContent ?? ''), { polling: 100 }, pattern.source);
      return popup.$eval('.status', (el) => el.textContent ?? '');
    },
    notice: (tab) => tab.evaluate(() => document.querySelector('keyfob-notice')?.shadowRoot?.textContent ?? ''),
    secretInPage: (tab, secret) =>
      tab.evaluate((s) => {
        const values: string[] = [];
        const walk = (root: Document | ShadowRoot) => {
          for (const el of Array.from(root.querySelectorAll('*'))) {
            if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) values.push(el.value);
            if (el.shadowRoot) walk(el.shadowRoot);
            if (el instanceof HTMLIFrameElement) {
              try {
                if (el.contentDocument) walk(el.contentDocument);
              } catch {
                // another origin: Keyfob cannot reach it either
              }
            }
          }
          values.push(root instanceof Document ? root.documentElement.outerHTML : root.innerHTML);
        };
        walk(document);
        return values.some((v) => v.includes(s));
      }, secret),
    async approve(...origins) {
      await ext.worker.evaluate(async (list) => {
        const { fillApprovals = {} } = await chrome.storage.local.get('fillApprovals');
        await chrome.storage.local.set({ fillApprovals: { ...fillApprovals, ...Object.fromEntries(list.map((o) => [o, 1])) } });
      }, origins);
    },
    async close() {
      await ext?.close();
      await k?.close();
      site.close();
    },
  };
  return harness;
}
