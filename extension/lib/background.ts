/**
 * The background's work: clearing the clipboard after a copy (also after the popup has closed) and
 * auto-locking after idle time. It never holds a secret: only the SHA-256 of what was copied.
 */
import { browser } from 'wxt/browser';
import { createKeyfobClient } from './api';
import { AUTO_LOCK_ALARM, autoLockMs } from './autolock';
import { createClearScheduler, navigatorClipboard } from './clipboard';
import { browserFillDeps } from './fill/browserFill';
import { onFillCommand, onFillMenu, startFillTriggers, type MenuClick } from './fillTriggers';
import { onMessages, sendMessage } from './messaging';
import { bindWithOAuth, signInWithOAuth } from './oauthSignIn';
import { autoLockItem, lastActivityItem, restrictSessionStorage, serverUrlItem, sessionTokenItem } from './storage';

const OFFSCREEN_URL = '/offscreen.html';

/** Chrome: a service worker has no clipboard, so an offscreen document does the clearing. */
async function ensureOffscreenDocument() {
  const url = browser.runtime.getURL(OFFSCREEN_URL);
  const existing = await browser.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (existing.length > 0) return;
  await browser.offscreen
    .createDocument({ url, reasons: ['CLIPBOARD'], justification: 'Clear a copied secret from the clipboard after a delay' })
    .catch((error: Error) => {
      // Two copies in quick succession race to create it; one document is all we need.
      if (!/single offscreen/i.test(error.message)) throw error;
    });
}

/** Where the clipboard can be cleared from: an offscreen document (Chrome) or this background page (Firefox). */
function clipboardClearer(): (sha256: string, delayMs: number) => Promise<void> {
  if ('offscreen' in browser && browser.offscreen) {
    return async (sha256, delayMs) => {
      await ensureOffscreenDocument();
      await sendMessage('offscreen:schedule-clear', { sha256, delayMs });
    };
  }
  const schedule = createClearScheduler(navigatorClipboard(navigator.clipboard));
  return async (sha256, delayMs) => schedule(sha256, delayMs);
}

/** Locks the session on the server; the popup then asks for the password. */
export async function autoLock() {
  const [serverUrl, token] = await Promise.all([serverUrlItem.getValue(), sessionTokenItem.getValue()]);
  if (!serverUrl || !token) return;
  await createKeyfobClient(serverUrl, token)
    .lock()
    .catch(() => undefined);
}

async function restartAutoLockTimer() {
  await lastActivityItem.setValue(Date.now());
  const limit = autoLockMs(await autoLockItem.getValue());
  await browser.alarms.clear(AUTO_LOCK_ALARM);
  if (limit !== null) await browser.alarms.create(AUTO_LOCK_ALARM, { when: Date.now() + limit });
}

export function startBackground() {
  void restrictSessionStorage(browser as never);
  const clearLater = clipboardClearer();
  onMessages({
    'clipboard:schedule-clear': ({ sha256, delayMs }) => clearLater(sha256, delayMs),
    'activity:touch': () => restartAutoLockTimer(),
    // Not awaited: the sign-in takes as long as the user spends at the provider.
    'oauth:sign-in': ({ serverUrl, provider }) => void signInWithOAuth(serverUrl, provider).catch(() => false),
    'oauth:bind': ({ authorizationUrl }) => void bindWithOAuth(authorizationUrl).catch(() => false),
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === AUTO_LOCK_ALARM) void autoLock();
  });
  startFillTriggers(browserFillDeps);
  // End-to-end builds only: a test cannot press a browser shortcut or click a native context menu, so it
  // calls what those listeners call, with the same tab the browser would pass.
  if (import.meta.env.KEYFOB_E2E) {
    (globalThis as Record<string, unknown>).keyfobE2E = {
      fillCommand: (tab: never) => onFillCommand(browserFillDeps, tab),
      fillMenu: (click: MenuClick, tab: never) => onFillMenu(browserFillDeps, click, tab),
    };
  }
}
