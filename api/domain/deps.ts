import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../../shared/passwordPolicy';
import type { KeyRing } from '../crypto/keyring';
import type { Directory } from './directory';
import type { HttpSsoSettings } from './httpSso';
import type { LeakReportSettings } from './leaks';
import { DEFAULT_OVERLAP_MAX_MS } from './apiKeyOverlap';
import type { PasswordCache } from './cache';
import type { UsageLog } from './usage';
import type { Clock, PasswordHasher, RandomBytes, Store } from './ports';
import type { AuditEvent, AuditType, UserRecord } from './records';

export interface DomainSettings {
  /** How long an unlock (or a sign-in) lets a session see secrets without use, when the client asks for no other time. */
  unlockWindowMs: number;
  /** The longest an unlock lasts however much it is used, and the longest idle time a client may ask for. */
  unlockMaxMs: number;
  /** A session not used for this long is over. */
  sessionIdleMs: number;
  /** A session is over this long after its sign-in, however much it is used. */
  sessionMaxMs: number;
  /** What a new password must be. */
  passwordPolicy: PasswordPolicy;
  /** How long a password-reset link works. */
  resetLinkMs: number;
  /** Where users reach the API (for links in mail); null: the address the request came to. */
  publicUrl: string | null;
  /** HTTP SSO by a trusted proxy's header; null when off. */
  httpSso: HttpSsoSettings | null;
  /** The longest an old API key may keep working after a regenerate (0: never). */
  apiKeyOverlapMaxMs: number;
  /** Who may report found credentials, and what is done with them; null when leak reports are off. */
  leakReports: LeakReportSettings | null;
}

export const DEFAULT_DOMAIN_SETTINGS: DomainSettings = {
  unlockWindowMs: 5 * 60_000,
  unlockMaxMs: 12 * 60 * 60_000,
  sessionIdleMs: 12 * 60 * 60_000,
  sessionMaxMs: 30 * 24 * 60 * 60_000,
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  resetLinkMs: 30 * 60_000,
  publicUrl: null,
  httpSso: null,
  apiKeyOverlapMaxMs: DEFAULT_OVERLAP_MAX_MS,
  leakReports: null,
};

/** Everything the domain works with, passed in so each runtime and each test chooses its own. */
export interface DomainDeps {
  store: Store;
  clock: Clock;
  randomBytes: RandomBytes;
  hasher: PasswordHasher;
  keys: KeyRing;
  settings: DomainSettings;
  /** Verified passwords, so a script sending its clear password with every request skips argon2. */
  passwordCache?: PasswordCache;
  /** LDAP, where configured (Node): checks the passwords of users of realm `ldap`. */
  directory?: Directory;
  /** Counts each credential's uses in memory and writes them as rollups (domain/usage.ts); none: not counted. */
  usage?: UsageLog;
  /** Called when mail was queued, so a runtime with a mailer can send it now rather than at its next poll. */
  afterMailQueued?: () => void;
}

/** Who asked, for the audit trail. */
export interface RequestContext {
  /** The client's address: behind trusted proxies, the one their forwarding header names. */
  clientAddress: string | null;
  /** The connection's own address (a proxy's, behind one): what HTTP SSO's proxy list is checked against. */
  peerAddress?: string | null;
  userAgent: string | null;
}

export function auditEvent(
  deps: Pick<DomainDeps, 'clock'>,
  ctx: RequestContext,
  type: AuditType,
  user: Pick<UserRecord, 'id'> | null,
  detail?: Record<string, string>,
): AuditEvent {
  return {
    userId: user?.id ?? null,
    type,
    at: deps.clock.now(),
    clientAddress: ctx.clientAddress,
    userAgent: ctx.userAgent?.slice(0, 256) ?? null,
    detail,
  };
}
