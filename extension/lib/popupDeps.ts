/** The popup's dependencies on the real browser. */
import { browser } from 'wxt/browser';
import { createKeyfobClient } from './api';
import { sendMessage } from './messaging';
import type { PopupDeps } from './popup';
import { draftServerUrlItem, lastActivityItem, readSettings, readStartup, serverUrlItem, sessionTokenItem } from './storage';

/**
 * The host permission for one server. Chrome's match patterns take a port, so it is exactly that origin;
 * Firefox's take none (a port makes the pattern invalid), so there it is that scheme and host, any port.
 */
export function hostPermissionPattern(origin: string, browserName: string): string {
  const url = new URL(origin);
  return browserName === 'firefox' ? `${url.protocol}//${url.hostname}/*` : `${url.origin}/*`;
}

export const browserPopupDeps: PopupDeps = {
  startup: readStartup,
  settings: readSettings,
  saveServerUrl: (url) => serverUrlItem.setValue(url),
  draftServerUrl: () => draftServerUrlItem.getValue(),
  saveDraftServerUrl: (url) => draftServerUrlItem.setValue(url),
  hasOrigin: (origin) => browser.permissions.contains({ origins: [hostPermissionPattern(origin, import.meta.env.BROWSER)] }),
  token: () => sessionTokenItem.getValue(),
  saveToken: (token) => sessionTokenItem.setValue(token),
  lastActivity: () => lastActivityItem.getValue(),
  async touch() {
    await lastActivityItem.setValue(Date.now());
    await sendMessage('activity:touch', {}).catch(() => undefined);
  },
  client: (serverUrl, token) => createKeyfobClient(serverUrl, token),
  async requestOrigin(origin) {
    const origins = [hostPermissionPattern(origin, import.meta.env.BROWSER)];
    // Asked for this one origin, on the user's click, never at install.
    if (await browser.permissions.contains({ origins })) return true;
    return browser.permissions.request({ origins }).catch(() => false);
  },
  startOAuthSignIn: (serverUrl, provider) => sendMessage('oauth:sign-in', { serverUrl, provider }),
  now: () => Date.now(),
};
