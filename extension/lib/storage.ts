/**
 * Everything the extension keeps, in one place. Settings live in `local`; the session token only in
 * `session` (memory, cleared when the browser closes, and reachable only from the extension's trusted
 * contexts). Nothing secret is ever written to `local`.
 */
import { storage } from 'wxt/utils/storage';

/** The address setup and the options page offer before one is chosen: Keyfob's own default listen address. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30;
export const AUTO_LOCK_CHOICES = ['1', '5', '15', '60', 'restart'] as const;
export type AutoLock = (typeof AUTO_LOCK_CHOICES)[number];
export const DEFAULT_AUTO_LOCK: AutoLock = '5';

export const serverUrlItem = storage.defineItem<string | null>('local:serverUrl', { fallback: null });
export const clipboardClearSecondsItem = storage.defineItem<number>('local:clipboardClearSeconds', {
  fallback: DEFAULT_CLIPBOARD_CLEAR_SECONDS,
});
export const autoLockItem = storage.defineItem<AutoLock>('local:autoLock', { fallback: DEFAULT_AUTO_LOCK });

/** Which secret Fill puts into each site (by origin): the user's choice, nothing secret. */
export const fillChoicesItem = storage.defineItem<Record<string, 'apiKey' | 'encryptedPassword'>>('local:fillChoices', { fallback: {} });
/** The sites (origins) the user allowed Fill to put a secret into, with when they allowed it: nothing secret. */
export const fillApprovalsItem = storage.defineItem<Record<string, number>>('local:fillApprovals', { fallback: {} });

/** The bearer token of the signed-in session: session storage only. */
export const sessionTokenItem = storage.defineItem<string | null>('session:token', { fallback: null });
/** The address typed on setup, kept while Chrome's permission prompt closes the popup (an address, not a secret). */
export const draftServerUrlItem = storage.defineItem<string | null>('session:draftServerUrl', { fallback: null });
/** When the user last did something in Keyfob, for auto-lock. */
export const lastActivityItem = storage.defineItem<number | null>('session:lastActivity', { fallback: null });

export interface Settings {
  serverUrl: string | null;
  clipboardClearSeconds: number;
  autoLock: AutoLock;
}

export async function readSettings(): Promise<Settings> {
  return (await readStartup()).settings;
}

export interface Startup {
  settings: Settings;
  token: string | null;
  lastActivity: number | null;
}

/** Everything the popup needs to open, in one read per storage area (each read is a trip to the browser). */
export async function readStartup(): Promise<Startup> {
  const [serverUrl, clipboardClearSeconds, autoLock, token, lastActivity] = (
    await storage.getItems([serverUrlItem, clipboardClearSecondsItem, autoLockItem, sessionTokenItem, lastActivityItem])
  ).map((item) => item.value);
  return { settings: { serverUrl, clipboardClearSeconds, autoLock }, token, lastActivity };
}

/** Keeps session storage away from content scripts (Chrome's default, said explicitly; Firefox has no such call). */
export async function restrictSessionStorage(browserApi: { storage: { session?: { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> } } }) {
  await browserApi.storage.session?.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
}
