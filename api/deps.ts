import type { Context } from 'hono';
import type { Config } from './config';
import { createKeyRing, type Sha256 } from './crypto/keyring';
import { createDrizzleStore, type KeyfobDatabase } from './db/store';
import { createPasswordCache, withReadCache } from './domain/cache';
import type { OAuthDeps } from './domain/oauth';
import type { SamlDeps } from './domain/saml';
import { createOAuthClient } from './oauth/oidc';
import type { Directory } from './domain/directory';
import { systemClock, webRandomBytes, type Clock, type PasswordHasher } from './domain/ports';
import { createAdjustableClock, testClockEnabled, type AdjustableClock } from './testing/testClock';

/** What `createApp` is built from: the domain's deps plus what only HTTP needs. */
export interface AppDeps extends OAuthDeps, SamlDeps {
  version: string;
  revision: string;
  /** One line per event; never handed a secret. */
  log: (line: string) => void;
  /** Whether to log a line per request. */
  logRequests: boolean;
  /** The caller's address, from the runtime's connection info (or a trusted proxy header). */
  clientAddress: (c: Context) => string | null;
  /** Request bodies above this many bytes are refused with 413. */
  bodyLimitBytes: number;
  /** The Bintray-compatible API that Test asks, and how long it waits. */
  bintray: { apiUrl: string; timeoutMs: number };
  /** Called when mail was queued, so a runtime with a mailer can send it now rather than at its next poll. */
  afterMailQueued?: () => void;
  /** Only in test runs (KEYFOB_TEST_CLOCK=1): the clock, which a test route may move. */
  testClock?: AdjustableClock;
}

export const KEYFOB_VERSION = '0.1.0';

/** What differs between runtimes; everything else in AppDeps is assembled the same way everywhere. */
export interface RuntimeParts {
  db: KeyfobDatabase;
  masterKey: Uint8Array;
  hasher: PasswordHasher;
  /** The runtime's fastest SHA-256 and HMAC (Node's native ones); portable pure JS by default. */
  sha256?: Sha256;
  /** The runtime's environment, read for KEYFOB_TEST_CLOCK. */
  env: Record<string, unknown>;
  /** LDAP, on runtimes that have an adapter for it. */
  directory?: Directory;
  /** A fixed clock from a test in the same process; otherwise the system's (or the opt-in test clock). */
  clock?: Clock;
  revision: string;
  log: (line: string) => void;
  clientAddress: AppDeps['clientAddress'];
}

/**
 * The one place AppDeps are put together: the cached store (its bound is the cross-process one), the
 * password cache, the key ring and the optional test clock. Each runtime's entry supplies only its parts.
 */
export async function assembleDeps(config: Config, parts: RuntimeParts): Promise<AppDeps> {
  const testClock = testClockEnabled(parts.env) ? createAdjustableClock() : undefined;
  if (testClock) parts.log('WARNING: KEYFOB_TEST_CLOCK=1: the clock is frozen and anyone may move it. Tests only.');
  const keys = await createKeyRing(parts.masterKey, parts.sha256);
  return {
    store: withReadCache(createDrizzleStore(parts.db), { ttlMs: config.authCacheMs }),
    passwordCache: config.authCacheMs > 0 ? createPasswordCache(webRandomBytes, keys.sha256) : undefined,
    clock: parts.clock ?? testClock ?? systemClock,
    testClock,
    randomBytes: webRandomBytes,
    hasher: parts.hasher,
    directory: parts.directory,
    keys,
    settings: config.settings,
    version: KEYFOB_VERSION,
    revision: parts.revision,
    log: parts.log,
    logRequests: config.logRequests,
    clientAddress: parts.clientAddress,
    bodyLimitBytes: config.bodyLimitBytes,
    bintray: { apiUrl: config.bintrayApiUrl, timeoutMs: config.bintrayTimeoutMs },
    oauthProviders: new Map(config.oauthProviders.map((provider) => [provider.id, { config: provider, client: createOAuthClient(provider) }])),
  };
}
