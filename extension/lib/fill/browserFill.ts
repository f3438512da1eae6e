/** The fill dependencies on the real browser: the stored session, the remembered choices and approvals, and scripting. */
import { browser } from 'wxt/browser';
import { createKeyfobClient } from '../api';
import { fillApprovalsItem, fillChoicesItem, serverUrlItem, sessionTokenItem } from '../storage';
import { originOf, type FillDeps, type FillTarget } from './fill';
import type { FillOutcome, FillRequest } from './page';

/** The unlisted script (entrypoints/fill-page.ts) that defines `keyfobFillPage` in the isolated world. */
const FILL_SCRIPT = '/fill-page.js';

/** The address of the window that asks whether to allow an origin (entrypoints/approve/). */
export function approvalUrl(origin: string, tabId: number, target: FillTarget): string {
  const query = new URLSearchParams({ origin, tab: String(tabId), target: JSON.stringify(target) });
  return browser.runtime.getURL(`/approve.html?${query}`);
}

export const browserFillDeps: FillDeps = {
  async client() {
    const [serverUrl, token] = await Promise.all([serverUrlItem.getValue(), sessionTokenItem.getValue()]);
    return serverUrl && token ? createKeyfobClient(serverUrl, token) : null;
  },
  async serverOrigin() {
    return originOf((await serverUrlItem.getValue()) ?? undefined);
  },
  async choiceFor(origin) {
    return (await fillChoicesItem.getValue())[origin] ?? null;
  },
  async saveChoice(origin, choice) {
    await fillChoicesItem.setValue({ ...(await fillChoicesItem.getValue()), [origin]: choice });
  },
  async isApproved(origin) {
    return (await fillApprovalsItem.getValue())[origin] !== undefined;
  },
  async askApproval(origin, tabId, target) {
    // A window of the extension's own: a page can cover or imitate anything drawn inside it, not this.
    await browser.windows.create({ url: approvalUrl(origin, tabId, target), type: 'popup', width: 440, height: 300 });
  },
  async inject(tabId, frameId, request) {
    // One frame: the top one reaches same-origin frames itself, and cross-origin ones never.
    const target = { tabId, frameIds: [frameId ?? 0] };
    await browser.scripting.executeScript({ target, files: [FILL_SCRIPT] });
    const [result] = await browser.scripting.executeScript({
      target,
      func: (req: FillRequest) => {
        const fill = (globalThis as { keyfobFillPage?: unknown }).keyfobFillPage;
        return typeof fill === 'function' ? (fill as (r: FillRequest) => FillOutcome)(req) : null;
      },
      args: [request],
    });
    return result?.result as FillOutcome;
  },
};

/** Allows Fill to put secrets into this origin (the approval window's "Allow"). */
export async function approveOrigin(origin: string): Promise<void> {
  await fillApprovalsItem.setValue({ ...(await fillApprovalsItem.getValue()), [origin]: Date.now() });
}

/** Takes an approval back (the options page's "Revoke"). */
export async function revokeOrigin(origin: string): Promise<void> {
  const { [origin]: _gone, ...rest } = await fillApprovalsItem.getValue();
  await fillApprovalsItem.setValue(rest);
}
