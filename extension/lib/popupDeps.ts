/** The popup's dependencies on the real browser. */
import { browser } from 'wxt/browser';
import { createKeyfobClient } from './api';
import { sendMessage } from './messaging';
import type { PopupDeps } from './popup';
import { lastActivityItem, readSettings, serverUrlItem, sessionTokenItem } from './storage';

export const browserPopupDeps: PopupDeps = {
  settings: readSettings,
  saveServerUrl: (url) => serverUrlItem.setValue(url),
  token: () => sessionTokenItem.getValue(),
  saveToken: (token) => sessionTokenItem.setValue(token),
  lastActivity: () => lastActivityItem.getValue(),
  async touch() {
    await lastActivityItem.setValue(Date.now());
    await sendMessage('activity:touch', {}).catch(() => undefined);
  },
  client: (serverUrl, token) => createKeyfobClient(serverUrl, token),
  async requestOrigin(origin) {
    const origins = [`${origin}/*`];
    // Asked for this one origin, on the user's click, never at install.
    if (await browser.permissions.contains({ origins })) return true;
    return browser.permissions.request({ origins }).catch(() => false);
  },
  now: () => Date.now(),
};
