/**
 * The rows Keyfob keeps, as the domain sees them: what the Store reads and writes. Plain data, no behaviour.
 */
import type { AuditEventType } from '../../shared/auditEvents';
import type { Realm } from '../../shared/schemas';

export interface UserRecord {
  id: number;
  name: string;
  nameKey: string;
  email: string | null;
  realm: Realm;
  admin: boolean;
  profileUpdatable: boolean;
  disableUIAccess: boolean;
  internalPasswordDisabled: boolean;
  keysWithoutUnlock: boolean;
  passwordHash: string | null;
  passwordStamp: string;
  passwordExpired: boolean;
  /** When the password was last set (null: never, as for users of external realms); the expiry policy counts from here. */
  passwordChangedAt: number | null;
  /** The expiry notice last mailed for the current password, in days ahead; null: none yet. */
  passwordNoticeDays: number | null;
  /** Whether informational mail (expiry reminders) is wanted; security mail always goes. */
  notifyInformational: boolean;
  groups: string[];
  lastLoggedIn: number | null;
  lockedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Users made without a password (external realms) have no change time nor notice yet. */
export type NewUser = Omit<UserRecord, 'id' | 'passwordChangedAt' | 'passwordNoticeDays' | 'notifyInformational'> &
  Partial<Pick<UserRecord, 'passwordChangedAt' | 'passwordNoticeDays' | 'notifyInformational'>>;
export type UserChanges = Partial<Omit<UserRecord, 'id' | 'nameKey' | 'createdAt'>>;

export interface ApiKeyRecord {
  userId: number;
  lookupHash: string;
  sealed: string;
  formatVersion: number;
  createdAt: number;
  lastUsedAt: number | null;
  /** The key this one replaced, while an overlap lets it work until `previousEndsAt`; all null otherwise. */
  previousLookupHash: string | null;
  previousMasked: string | null;
  previousEndsAt: number | null;
  previousLastUsedAt: number | null;
  previousFormatVersion: number | null;
}

/** An access token's row: the JWT itself is not kept, only its id (and hashes of its companions). */
export interface AccessTokenRecord {
  id: string;
  userId: number;
  /** Space-separated, as issued (`applied-permissions/user`, `applied-permissions/admin`, …). */
  scope: string;
  description: string | null;
  audience: string | null;
  refreshable: boolean;
  refreshHash: string | null;
  referenceHash: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedReason: 'revoked' | 'refreshed' | null;
  /** The token and its refreshes: one family, ended together when a spent refresh token comes back. */
  familyId: string | null;
  /** The family of the token that made this one; revoking that family revokes this one too. */
  parentFamilyId: string | null;
  /** The expiry reminder last mailed, in days ahead; null: none yet. */
  noticeDays?: number | null;
}

/**
 * Whether the token has stopped working by `now`. A token refreshed with an overlap is marked refreshed at
 * once (its refresh token is spent) but works until its `revokedAt`, which then lies ahead.
 */
export function tokenEnded(token: Pick<AccessTokenRecord, 'revokedAt'>, now: number): boolean {
  return token.revokedAt !== null && token.revokedAt <= now;
}

/** A credential reported found in public, by what finds its row: an API key (current, or the old one still overlapping), a token (and its families), a session. */
export type LeakTarget = { apiKeyLookupHash: string } | { previousApiKeyLookupHash: string } | { tokenId: string } | { sessionHash: string };

/** Which tokens a revocation ends. */
export type TokenSelection = { id: string } | { userId: number } | 'all';

/** Keyfob's opaque bearer secrets that carry a checksum since `tokenChecksumsSince`. */
export type OpaqueTokenKind = 'session' | 'reference' | 'refresh';

/** `browser`: the extension's session. `lfs`: a short-lived token SSH gave Git LFS (no secrets, no renewal). */
export type SessionKind = 'browser' | 'lfs';

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** Secrets are shown until then; use moves it on by unlockIdleMs, never past unlockEndsAt. Null: locked by hand, or never unlocked. */
  unlockedUntil: number | null;
  unlockIdleMs: number | null;
  unlockEndsAt: number | null;
  kind: SessionKind;
  /** For `lfs` tokens: the SSH key that got it; removing the key ends the token. */
  sshKeyId: number | null;
  /** Where (and with what) the session began. */
  clientAddress?: string | null;
  userAgent?: string | null;
}

export interface SshKeyRecord {
  id: number;
  userId: number;
  name: string;
  type: string;
  /** The public key blob in base64: public, so kept as it is. */
  blob: string;
  bits: number;
  fingerprint: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export type NewSshKey = Omit<SshKeyRecord, 'id' | 'lastUsedAt'>;

export interface BintrayRecord {
  userId: number;
  username: string;
  /** The Bintray API key, sealed with the master key. */
  sealed: string;
  updatedAt: number;
}

export interface LoginFailureRecord {
  nameKey: string;
  failures: number;
  lastFailureAt: number;
}

export interface PasswordResetRecord {
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** A message in the outbox; its body sealed, since it may carry a reset link. */
export interface OutboxMessage {
  id: number;
  recipient: string;
  subject: string;
  sealedBody: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export type NewOutboxMessage = Pick<OutboxMessage, 'recipient' | 'subject' | 'sealedBody' | 'createdAt' | 'nextAttemptAt'>;

export interface OAuthIdentityRecord {
  provider: string;
  subject: string;
  userId: number;
  email: string | null;
  createdAt: number;
}

export type OAuthPurpose = 'bind' | 'sign-in';

export interface OAuthFlowRecord {
  stateHash: string;
  provider: string;
  purpose: OAuthPurpose;
  /** For a bind: the SHA-256 of the session that started it. */
  sessionHash: string | null;
  /** PKCE verifier and nonce, sealed. */
  sealedSecrets: string;
  /** For a sign-in: the SHA-256 of the claim secret the extension holds (cleared once claimed). */
  claimHash: string | null;
  /** Once the provider vouched: the user signing in, or the user a bind would add the identity to. */
  userId: number | null;
  /** For a bind, once the provider vouched: the identity to bind. */
  subject: string | null;
  email: string | null;
  /** The SHA-256 of the completion code, which only the browser tab back from the provider gets. */
  completionHash: string | null;
  /** For a bind: when the user confirmed on that tab's page, and when the starting session approved. */
  pageConfirmedAt: number | null;
  starterApprovedAt: number | null;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

/** What the provider's answer settled for a flow, recorded with the hash of its completion code. */
export type OAuthFlowOutcome = Pick<OAuthFlowRecord, 'userId' | 'subject' | 'email' | 'completionHash'>;

/** What a housekeeping pass deleted, by kind of row. */
export interface ExpiredCounts {
  sessions: number;
  passwordResets: number;
  oauthFlows: number;
  samlRequests: number;
  throttles: number;
  deliveredMail: number;
  /** Failed sign-in counts per name and address, an hour after their last failure. */
  addressFailures: number;
  /** Daily use counts and clients of credentials, past what is kept (domain/usage.ts). */
  usageDays: number;
  usageClients: number;
}

export type AuditType = AuditEventType;

/** A security event. Never a secret in it. */
export interface AuditEvent {
  userId: number | null;
  type: AuditType;
  at: number;
  clientAddress: string | null;
  userAgent: string | null;
  detail?: Record<string, string>;
}
