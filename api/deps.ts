import type { Context } from 'hono';
import type { Config } from './config';
import { createKeyRing, type Sha256 } from './crypto/keyring';
import { resolveClientAddress } from './http/clientAddress';
import { createDrizzleStore, type KeyfobDatabase } from './db/store';
import { createPasswordCache, withReadCache } from './domain/cache';
import { createUsageLog } from './domain/usage';
import type { OAuthDeps } from './domain/oauth';
import type { SamlDeps, SamlServiceProvider } from './domain/saml';
import { createOAuthClient } from './oauth/oidc';
import type { Directory } from './domain/directory';
import { systemClock, webRandomBytes, type Clock, type PasswordHasher, type Store } from './domain/ports';
import { createAdjustableClock, testClockEnabled, type AdjustableClock } from './testing/testClock';
import { escapingLog } from './http/logLine';
import { createHostPolicy, type HostPolicy } from './http/hosts';
import { normalisingHasher } from './domain/passwords';

/** What `createApp` is built from: the domain's deps plus what only HTTP needs. */
export interface AppDeps extends OAuthDeps, SamlDeps {
  version: string;
  revision: string;
  /** One line per event, control characters escaped; never handed a secret. */
  log: (line: string) => void;
  /** Whether to log a line per request. */
  logRequests: boolean;
  /** The caller's address: the connection's, or the one trusted proxies name (http/clientAddress.ts). */
  clientAddress: (c: Context) => string | null;
  /** The connection's own address, from the runtime's connection info. */
  peerAddress: (c: Context) => string | null;
  /**
   * Where the server takes headers at the socket (Node's): it adds SECURITY_HEADERS to every response itself,
   * and this sets a header of one request's answer, so the Response the app builds stays header-free (one with
   * headers of its own costs Node's adapter a Headers object per request). Null: the app sets them all.
   */
  setHeaderAtServer: ((c: Context, name: string, value: string) => void) | null;
  /** Request bodies above this many bytes are refused with 413. */
  bodyLimitBytes: number;
  /** The Host names answered (421 for others); null: every one (a Worker without KEYFOB_PUBLIC_URL). */
  hosts: HostPolicy | null;
  /** The Bintray-compatible API that Test asks, and how long it waits. */
  bintray: { apiUrl: string; timeoutMs: number };
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
  /** The address the server listens on (HOST), where the runtime has one; Workers do not. */
  listenHost?: string;
  /** Where the server was found to listen, once it does (Node): mailed links use it when KEYFOB_PUBLIC_URL is unset. */
  listenUrl?: () => string | null;
  /** The SAML service provider, on runtimes that have one, made over the cached store. */
  saml?: (store: Store, publicUrl: () => string | null) => SamlServiceProvider;
  /** Called once mail is queued (Node's outbox delivers it at once); elsewhere mail waits for its next pass. */
  afterMailQueued?: () => void;
  /** See AppDeps.setHeaderAtServer. */
  setHeaderAtServer?: AppDeps['setHeaderAtServer'];
}

/**
 * The one place AppDeps are put together: the cached store (its bound is the cross-process one), the
 * password cache, the key ring and the optional test clock. Each runtime's entry supplies only its parts.
 */
export async function assembleDeps(config: Config, parts: RuntimeParts): Promise<AppDeps> {
  const testClock = testClockEnabled(parts.env) ? createAdjustableClock() : undefined;
  if (testClock) parts.log('WARNING: KEYFOB_TEST_CLOCK=1: the clock is frozen and anyone may move it. Tests only.');
  const keys = await createKeyRing(parts.masterKey, parts.sha256);
  const store = withReadCache(createDrizzleStore(parts.db), { ttlMs: config.authCacheMs });
  const { listenUrl } = parts;
  // The configured public URL, or else (read when needed, since a server knows its port only once it
  // listens) the address it listens on.
  const settings =
    listenUrl && config.settings.publicUrl === null
      ? Object.defineProperty({ ...config.settings }, 'publicUrl', { get: listenUrl, enumerable: true })
      : config.settings;
  return {
    store,
    usage: config.usageTracking ? createUsageLog() : undefined,
    passwordCache: config.authCacheMs > 0 ? createPasswordCache(webRandomBytes, keys.sha256) : undefined,
    clock: parts.clock ?? testClock ?? systemClock,
    testClock,
    randomBytes: webRandomBytes,
    // Every runtime's hasher sees passwords in NFC, whichever form the client typed them in.
    hasher: normalisingHasher(parts.hasher),
    directory: parts.directory,
    keys,
    settings,
    saml: parts.saml?.(store, () => settings.publicUrl),
    afterMailQueued: parts.afterMailQueued,
    version: KEYFOB_VERSION,
    revision: parts.revision,
    // Escaped at the sink: no caller can forget it for text that came with a request.
    log: escapingLog(parts.log),
    logRequests: config.logRequests,
    // The forwarding header is read only from a trusted proxy: reading headers costs Node's adapter a Headers object.
    clientAddress: (c) => resolveClientAddress(parts.clientAddress(c), { get: (name) => c.req.header(name) ?? null }, config.trustedProxies),
    peerAddress: parts.clientAddress,
    setHeaderAtServer: parts.setHeaderAtServer ?? null,
    bodyLimitBytes: config.bodyLimitBytes,
    hosts: createHostPolicy({ publicUrl: config.publicUrl, listenHost: parts.listenHost ?? null, allowedHosts: config.allowedHosts }),
    bintray: { apiUrl: config.bintrayApiUrl, timeoutMs: config.bintrayTimeoutMs },
    oauthProviders: new Map(config.oauthProviders.map((provider) => [provider.id, { config: provider, client: createOAuthClient(provider) }])),
  };
}
