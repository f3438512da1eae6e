/**
 * What the domain needs from the outside world, as small interfaces. Adapters (drizzle, argon2, the
 * system clock) implement them; tests pass real ones with a fixed clock.
 */
import type { LockPolicy, Realm } from '../../shared/schemas';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Fills a buffer with cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

export const webRandomBytes: RandomBytes = (length) => crypto.getRandomValues(new Uint8Array(length));

/** Password hashing; Node uses native argon2id, edge runtimes their own. Hashes are PHC strings. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other parameters (or another algorithm) than this hasher's. */
  needsRehash(hash: string): boolean;
}

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
  groups: string[];
  lastLoggedIn: number | null;
  lockedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export type NewUser = Omit<UserRecord, 'id'>;
export type UserChanges = Partial<Omit<UserRecord, 'id' | 'nameKey' | 'createdAt'>>;

export interface ApiKeyRecord {
  userId: number;
  lookupHash: string;
  sealed: string;
  formatVersion: number;
  createdAt: number;
  lastUsedAt: number | null;
}

/** `browser`: the extension's session. `lfs`: a short-lived token SSH gave Git LFS (no secrets, no renewal). */
export type SessionKind = 'browser' | 'lfs';

export interface SessionRecord {
  tokenHash: string;
  userId: number;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  unlockedUntil: number | null;
  kind: SessionKind;
  /** For `lfs` tokens: the SSH key that got it; removing the key ends the token. */
  sshKeyId: number | null;
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

/** Mail out of the process (SMTP on Node); absent where there is none, and then mail waits in the outbox. */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

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
  /** For a sign-in: the SHA-256 of the claim secret the extension holds. */
  claimHash: string | null;
  /** For a sign-in, once done: the new session's token, sealed, until claimed. */
  sealedSession: string | null;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

/** What a housekeeping pass deleted, by kind of row. */
export interface ExpiredCounts {
  sessions: number;
  passwordResets: number;
  oauthFlows: number;
  throttles: number;
  deliveredMail: number;
}

export type AuditType =
  | 'sign-in'
  | 'sign-in-failed'
  | 'sign-out'
  | 'unlock'
  | 'api-key-created'
  | 'api-key-regenerated'
  | 'api-key-revoked'
  | 'api-keys-revoked-all'
  | 'password-changed'
  | 'password-expired'
  | 'email-changed'
  | 'user-created'
  | 'user-updated'
  | 'user-deleted'
  | 'user-unlocked'
  | 'ssh-key-added'
  | 'ssh-key-removed'
  | 'lfs-token-issued'
  | 'bintray-changed'
  | 'bintray-removed'
  | 'password-reset-requested'
  | 'password-reset-used'
  | 'oauth-bound'
  | 'oauth-unbound'
  | 'oauth-sign-in';

/** A security event. Never a secret in it. */
export interface AuditEvent {
  userId: number | null;
  type: AuditType;
  at: number;
  clientAddress: string | null;
  userAgent: string | null;
  detail?: Record<string, string>;
}

/**
 * Persistence. Every method that changes more than one row does so atomically (one batch), and takes the
 * audit events to record in that same batch, so an event is never lost nor recorded for a change that failed.
 */
export interface Store {
  findUserByNameKey(nameKey: string): Promise<UserRecord | null>;
  findUserById(id: number): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  countAdmins(): Promise<number>;
  /** Inserts the user; null when the name is taken. */
  insertUser(user: NewUser, audit: AuditEvent[]): Promise<UserRecord | null>;
  /** Changes the user's fields; when the stamp changes, ends the user's sessions but `keepSession`. */
  updateUser(id: number, changes: UserChanges, audit: AuditEvent[], options?: { endSessionsExcept?: string | null }): Promise<UserRecord | null>;
  deleteUser(id: number, audit: AuditEvent[]): Promise<boolean>;

  findApiKeyByLookupHash(lookupHash: string): Promise<ApiKeyRecord | null>;
  findApiKeyByUserId(userId: number): Promise<ApiKeyRecord | null>;
  /** Inserts the key unless the user has one; false when one exists. */
  insertApiKeyIfAbsent(key: ApiKeyRecord, audit: AuditEvent[]): Promise<boolean>;
  /** Inserts or replaces the user's key in one statement: the old key is dead the moment this returns. */
  replaceApiKey(key: ApiKeyRecord, audit: AuditEvent[]): Promise<void>;
  deleteApiKey(userId: number, audit: AuditEvent[]): Promise<boolean>;
  deleteAllApiKeys(audit: AuditEvent[]): Promise<number>;
  /** Records that the key was used; by its lookup hash, so a key replaced meanwhile is not the one marked. */
  touchApiKey(lookupHash: string, at: number): Promise<void>;

  /** A sign-in: the new session and the user's last sign-in time, in one atomic write. */
  recordSignIn(session: SessionRecord, audit: AuditEvent[]): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRecord | null>;
  updateSession(tokenHash: string, changes: Partial<Pick<SessionRecord, 'lastSeenAt' | 'expiresAt' | 'unlockedUntil'>>, audit: AuditEvent[]): Promise<void>;
  deleteSession(tokenHash: string, audit: AuditEvent[]): Promise<void>;

  findLoginFailure(nameKey: string): Promise<LoginFailureRecord | null>;
  /** Counts one more failure and returns the new count; locks `lockUserId` when given. */
  recordLoginFailure(nameKey: string, at: number, audit: AuditEvent[]): Promise<number>;
  lockUser(userId: number, at: number): Promise<void>;
  clearLoginFailures(nameKey: string): Promise<void>;
  /** Clears failures and admin locks for these names (all names when null). */
  unlockUsers(nameKeys: string[] | null, audit: AuditEvent[]): Promise<void>;

  listSshKeys(userId: number): Promise<SshKeyRecord[]>;
  findSshKeyByFingerprint(fingerprint: string): Promise<SshKeyRecord | null>;
  /** Inserts the key; null when its fingerprint is already registered (to anyone). */
  insertSshKey(key: NewSshKey, audit: AuditEvent[]): Promise<SshKeyRecord | null>;
  /** Removes the user's key and every token it got, at once; false when the user has no such key. */
  deleteSshKey(userId: number, id: number, audit: AuditEvent[]): Promise<boolean>;
  touchSshKey(id: number, at: number): Promise<void>;
  /** A token that is not a sign-in (Git LFS over SSH): the session row and its audit event. */
  insertSession(session: SessionRecord, audit: AuditEvent[]): Promise<void>;

  findBintray(userId: number): Promise<BintrayRecord | null>;
  putBintray(record: BintrayRecord, audit: AuditEvent[]): Promise<void>;
  deleteBintray(userId: number, audit: AuditEvent[]): Promise<boolean>;

  /** The reset and the mail that carries its link, in one batch: neither exists without the other. */
  insertPasswordReset(reset: PasswordResetRecord, mail: NewOutboxMessage, audit: AuditEvent[]): Promise<void>;
  findPasswordReset(tokenHash: string): Promise<PasswordResetRecord | null>;
  /**
   * Uses the reset: marks it used and, only if this call was the one to do so, sets the user's new
   * password fields, ends all their sessions and clears their failed sign-ins, in one batch.
   * False when the reset was already used.
   */
  completePasswordReset(reset: PasswordResetRecord, user: UserRecord, changes: UserChanges, at: number, audit: AuditEvent[]): Promise<boolean>;

  listDueMail(at: number, limit: number): Promise<OutboxMessage[]>;
  listUndeliveredMail(): Promise<OutboxMessage[]>;
  markMailDelivered(id: number, at: number): Promise<void>;
  markMailFailed(id: number, attempts: number, nextAttemptAt: number, error: string): Promise<void>;

  /** Counts one hit in the bucket's fixed window (started now if none is running) and returns the count. */
  hitThrottle(bucket: string, windowMs: number, at: number): Promise<number>;
  /** The bucket's count in its running window (0 when none runs). */
  peekThrottle(bucket: string, at: number): Promise<{ count: number; windowEndsAt: number }>;

  listOAuthIdentities(userId: number): Promise<OAuthIdentityRecord[]>;
  findOAuthIdentity(provider: string, subject: string): Promise<OAuthIdentityRecord | null>;
  /** Binds the identity; false when it is bound already (to anyone). */
  insertOAuthIdentity(identity: OAuthIdentityRecord, audit: AuditEvent[]): Promise<boolean>;
  deleteOAuthIdentity(userId: number, provider: string, audit: AuditEvent[]): Promise<boolean>;
  insertOAuthFlow(flow: OAuthFlowRecord): Promise<void>;
  findOAuthFlow(stateHash: string): Promise<OAuthFlowRecord | null>;
  /** Marks the flow completed; false when it already was (a replayed callback). */
  completeOAuthFlow(stateHash: string, at: number): Promise<boolean>;
  setOAuthFlowSession(stateHash: string, sealedSession: string): Promise<void>;
  findOAuthFlowByClaim(claimHash: string): Promise<OAuthFlowRecord | null>;
  /** Hands the sealed session out once: returns it and forgets it. */
  takeOAuthFlowSession(stateHash: string): Promise<string | null>;

  getSetting<T>(key: string): Promise<T | null>;
  putSetting<T>(key: string, value: T): Promise<void>;
  deleteSetting(key: string): Promise<void>;

  listAuditEvents(userId: number, limit: number): Promise<AuditEvent[]>;

  /**
   * Deletes, in one batch, rows that can no longer be used: sessions (and Git LFS tokens), reset links and
   * OAuth/SAML flows expired by `at`, throttle windows ended by `at`, and mail delivered before `deliveredMailBefore`.
   */
  deleteExpired(at: number, deliveredMailBefore: number): Promise<ExpiredCounts>;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = { enabled: false, loginAttempts: 5 };
