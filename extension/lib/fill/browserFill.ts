/** The fill dependencies on the real browser: the stored session, the remembered choices, and scripting. */
import { browser } from 'wxt/browser';
import { createKeyfobClient } from '../api';
import { fillChoicesItem, serverUrlItem, sessionTokenItem } from '../storage';
import type { FillDeps } from './fill';
import { fillInPage, type FillOutcome } from './page';

export const browserFillDeps: FillDeps = {
  async client() {
    const [serverUrl, token] = await Promise.all([serverUrlItem.getValue(), sessionTokenItem.getValue()]);
    return serverUrl && token ? createKeyfobClient(serverUrl, token) : null;
  },
  async choiceFor(origin) {
    return (await fillChoicesItem.getValue())[origin] ?? null;
  },
  async saveChoice(origin, choice) {
    await fillChoicesItem.setValue({ ...(await fillChoicesItem.getValue()), [origin]: choice });
  },
  async inject(tabId, request) {
    // The top frame only: the function reaches same-origin frames itself, and cross-origin ones never.
    const [result] = await browser.scripting.executeScript({ target: { tabId, frameIds: [0] }, func: fillInPage, args: [request] });
    return result?.result as FillOutcome;
  },
};
