/**
 * Everything the extension keeps, in one place. Settings live in `local`; the session token only in
 * `session` (memory, cleared when the browser closes, and reachable only from the extension's trusted
 * contexts). Nothing secret is ever written to `local`.
 */
import { browser } from 'wxt/browser';

type Area = 'local' | 'session';

/** One stored value: read with its fallback, written (null removes it), and watched for changes. */
export interface StoredItem<T> {
  readonly area: Area;
  readonly key: string;
  readonly fallback: T;
  getValue(): Promise<T>;
  setValue(value: T): Promise<void>;
  /** Calls `onChange` whenever the value changes, from any of the extension's pages; returns the unwatch. */
  watch(onChange: (value: T) => void): () => void;
}

/**
 * A value in `browser.storage`, under its own key. Written here rather than taken from WXT's storage
 * module: that module is about 3 KB gzip of versioning and metadata the extension does not use, loaded by
 * every open of the popup.
 */
function defineItem<T>(name: `${Area}:${string}`, fallback: T): StoredItem<T> {
  const [area, key] = name.split(':') as [Area, string];
  const store = () => browser.storage[area];
  const read = (stored: unknown) => (stored === undefined || stored === null ? fallback : (stored as T));
  return {
    area,
    key,
    fallback,
    getValue: async () => read((await store().get(key))[key]),
    setValue: (value) => (value === null || value === undefined ? store().remove(key) : store().set({ [key]: value })),
    watch(onChange) {
      const listener = (changes: Record<string, { newValue?: unknown }>, changedArea: string) => {
        if (changedArea === area && key in changes) onChange(read(changes[key]!.newValue));
      };
      browser.storage.onChanged.addListener(listener);
      return () => browser.storage.onChanged.removeListener(listener);
    },
  };
}

/** Several items in one read per storage area (each read is a trip to the browser). */
async function readItems<T extends StoredItem<unknown>[]>(...items: T): Promise<{ [I in keyof T]: T[I] extends StoredItem<infer V> ? V : never }> {
  const keysOf = (area: Area) => items.filter((item) => item.area === area).map((item) => item.key);
  const [local, session] = await Promise.all([browser.storage.local.get(keysOf('local')), browser.storage.session.get(keysOf('session'))]);
  return items.map((item) => {
    const stored = (item.area === 'local' ? local : session)[item.key];
    return stored === undefined || stored === null ? item.fallback : stored;
  }) as { [I in keyof T]: T[I] extends StoredItem<infer V> ? V : never };
}

/** The address setup and the options page offer before one is chosen: Keyfob's own default listen address. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8787';
export const DEFAULT_CLIPBOARD_CLEAR_SECONDS = 30;
export const AUTO_LOCK_CHOICES = ['1', '5', '15', '60', 'restart'] as const;
export type AutoLock = (typeof AUTO_LOCK_CHOICES)[number];
export const DEFAULT_AUTO_LOCK: AutoLock = '5';

export const serverUrlItem = defineItem<string | null>('local:serverUrl', null);
export const clipboardClearSecondsItem = defineItem<number>('local:clipboardClearSeconds', DEFAULT_CLIPBOARD_CLEAR_SECONDS);
export const autoLockItem = defineItem<AutoLock>('local:autoLock', DEFAULT_AUTO_LOCK);

/** Which secret Fill puts into each site (by origin): the user's choice, nothing secret. */
export const fillChoicesItem = defineItem<Record<string, 'apiKey' | 'encryptedPassword'>>('local:fillChoices', {});
/** The sites (origins) the user allowed Fill to put a secret into, with when they allowed it: nothing secret. */
export const fillApprovalsItem = defineItem<Record<string, number>>('local:fillApprovals', {});

/** The bearer token of the signed-in session: session storage only. */
export const sessionTokenItem = defineItem<string | null>('session:token', null);
/** The address typed on setup, kept while Chrome's permission prompt closes the popup (an address, not a secret). */
export const draftServerUrlItem = defineItem<string | null>('session:draftServerUrl', null);
/** When the user last did something in Keyfob, for auto-lock. */
export const lastActivityItem = defineItem<number | null>('session:lastActivity', null);

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

/** Everything the popup needs to open, in one read per storage area. */
export async function readStartup(): Promise<Startup> {
  const [serverUrl, clipboardClearSeconds, autoLock, token, lastActivity] = await readItems(
    serverUrlItem,
    clipboardClearSecondsItem,
    autoLockItem,
    sessionTokenItem,
    lastActivityItem,
  );
  return { settings: { serverUrl, clipboardClearSeconds, autoLock }, token, lastActivity };
}

/** Keeps session storage away from content scripts (Chrome's default, said explicitly; Firefox has no such call). */
export async function restrictSessionStorage(browserApi: { storage: { session?: { setAccessLevel?: (o: { accessLevel: string }) => Promise<void> } } }) {
  await browserApi.storage.session?.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' });
}
