/**
 * OAuth sign-in from the background: start the flow, open the provider in a tab, then collect the
 * session with the claim (held here, in memory, only) once the user is back. The popup cannot do this:
 * it closes as soon as the tab opens.
 */
import { browser } from 'wxt/browser';
import { createKeyfobClient, type KeyfobClient } from './api';
import { lastActivityItem, sessionTokenItem } from './storage';

const POLL_MS = 1_000;
const GIVE_UP_MS = 10 * 60_000;

export async function signInWithOAuth(serverUrl: string, provider: string, client: KeyfobClient = createKeyfobClient(serverUrl, null)): Promise<boolean> {
  const { authorizationUrl, claim } = await client.oauthStartSignIn(provider);
  await browser.tabs.create({ url: authorizationUrl });
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    // An extension call each round keeps Chrome's service worker awake while the user is at the provider.
    await lastActivityItem.getValue();
    try {
      const session = await client.oauthClaim(claim);
      if (!session) continue;
      await sessionTokenItem.setValue(session.token);
      await lastActivityItem.setValue(Date.now());
      return true;
    } catch {
      return false; // expired or unknown: the user starts again from the popup
    }
  }
  return false;
}
