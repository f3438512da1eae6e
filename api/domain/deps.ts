import type { KeyRing } from '../crypto/keyring';
import type { PasswordCache } from './cache';
import type { AuditEvent, AuditType, Clock, PasswordHasher, RandomBytes, Store, UserRecord } from './ports';

export interface DomainSettings {
  /** How long an unlock (or a sign-in) lets a session see secrets. */
  unlockWindowMs: number;
  /** A session not used for this long is over. */
  sessionIdleMs: number;
  /** The shortest password the server accepts. */
  passwordMinLength: number;
}

export const DEFAULT_DOMAIN_SETTINGS: DomainSettings = {
  unlockWindowMs: 5 * 60_000,
  sessionIdleMs: 12 * 60 * 60_000,
  passwordMinLength: 8,
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
