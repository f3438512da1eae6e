import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../../shared/passwordPolicy';
import type { KeyRing } from '../crypto/keyring';
import type { Directory } from './directory';
import type { HttpSsoSettings } from './httpSso';
import type { PasswordCache } from './cache';
import type { AuditEvent, AuditType, Clock, PasswordHasher, RandomBytes, Store, UserRecord } from './ports';

export interface DomainSettings {
  /** How long an unlock (or a sign-in) lets a session see secrets. */
  unlockWindowMs: number;
  /** A session not used for this long is over. */
  sessionIdleMs: number;
  /** What a new password must be. */
  passwordPolicy: PasswordPolicy;
  /** How long a password-reset link works. */
  resetLinkMs: number;
  /** Where users reach the API (for links in mail); null: the address the request came to. */
  publicUrl: string | null;
  /** HTTP SSO by a trusted proxy's header; null when off. */
  httpSso: HttpSsoSettings | null;
}

export const DEFAULT_DOMAIN_SETTINGS: DomainSettings = {
  unlockWindowMs: 5 * 60_000,
  sessionIdleMs: 12 * 60 * 60_000,
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  resetLinkMs: 30 * 60_000,
  publicUrl: null,
  httpSso: null,
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
}

/** Who asked, for the audit trail. */
export interface RequestContext {
  clientAddress: string | null;
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
