/**
 * OAuth and SAML from the background: open the provider in a tab of our own, and wait for that tab to
 * land on Keyfob's finished page, whose URL carries the flow's completion code. Only the tab opened here
 * counts, and that is what makes the code ours: a link someone else sent and the user opened gives its
 * code to that tab, not to whoever started the flow.
 * - sign-in: close the tab, then collect the session with the claim (held here, in memory only) and the code;
 * - bind: approve it as this session with the code, and leave the tab open for the user to confirm there.
 * The popup cannot do this: it closes as soon as the tab opens.
 */
import { browser } from 'wxt/browser';
import { createKeyfobClient, type KeyfobClient } from './api';
import { lastActivityItem, serverUrlItem, sessionTokenItem } from './storage';

const POLL_MS = 250;
const GIVE_UP_MS = 10 * 60_000;
export const FINISHED_PATH = '/api/v1/oauth/finished';
const CODE = /^[a-z2-7]{32}$/;

/** The completion code in `url`, when it is the finished page of the Keyfob at `serverUrl`; null otherwise. */
export function completionCodeIn(serverUrl: string, url: string | undefined): string | null {
  if (!url) return null;
  try {
    const page = new URL(url);
    if (page.origin !== new URL(serverUrl).origin || page.pathname !== FINISHED_PATH) return null;
    const code = page.searchParams.get('code');
    return code && CODE.test(code) ? code : null;
  } catch {
    return null;
  }
}

/** The tabs API as far as this module uses it, so a test can stand in for the browser. */
export type Tabs = Pick<typeof browser.tabs, 'create' | 'get' | 'remove'>;

/**
 * Waits until the tab shows Keyfob's finished page and returns its code; null when the tab was closed, or
 * after ten minutes. The tab's URL is readable because the extension has host permission for Keyfob.
 */
export async function waitForCompletion(serverUrl: string, tabId: number, tabs: Tabs = browser.tabs): Promise<string | null> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    // An extension call each round also keeps Chrome's service worker awake while the user is at the provider.
    const tab = await tabs.get(tabId).catch(() => null);
    if (!tab) return null;
    const code = completionCodeIn(serverUrl, tab.url);
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

/** Signs in with `provider`; true once the session is stored. */
export async function signInWithOAuth(
  serverUrl: string,
  provider: string,
  client: KeyfobClient = createKeyfobClient(serverUrl, null),
  tabs: Tabs = browser.tabs,
): Promise<boolean> {
  const { authorizationUrl, claim } = await client.oauthStartSignIn(provider);
  const tab = await tabs.create({ url: authorizationUrl });
  const code = tab.id === undefined ? null : await waitForCompletion(serverUrl, tab.id, tabs);
  if (!code || tab.id === undefined) return false;
  await tabs.remove(tab.id).catch(() => undefined);
  try {
    const session = await client.oauthClaim(claim, code);
    if (!session) return false;
    await sessionTokenItem.setValue(session.token);
    await lastActivityItem.setValue(Date.now());
    return true;
  } catch {
    return false; // expired, unknown, or finished elsewhere: the user starts again from the popup
  }
}

/**
 * Finishes a bind the popup started (it got `authorizationUrl` with this session): opens the provider and,
 * once the tab is back, approves with this session. The identity is bound when the user also confirms on
 * the page in that tab, which names the Keyfob account. True when approved.
 */
export async function bindWithOAuth(authorizationUrl: string, tabs: Tabs = browser.tabs): Promise<boolean> {
  const [serverUrl, token] = await Promise.all([serverUrlItem.getValue(), sessionTokenItem.getValue()]);
  if (!serverUrl || !token) return false;
  const tab = await tabs.create({ url: authorizationUrl });
  const code = tab.id === undefined ? null : await waitForCompletion(serverUrl, tab.id, tabs);
  if (!code) return false;
  try {
    await createKeyfobClient(serverUrl, token).oauthApproveBind(code);
    return true;
  } catch {
    return false; // the page in the tab says what went wrong
  }
}
