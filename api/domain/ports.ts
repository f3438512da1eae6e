/**
 * What the domain needs from the outside world, as small interfaces. Adapters (drizzle, argon2, the
 * system clock) implement them; tests pass real ones with a fixed clock.
 */
import type { LockPolicy } from '../../shared/schemas';
import type { UsageRollup } from './usage';
import type {
  AccessTokenRecord,
  ApiKeyRecord,
  AuditEvent,
  BintrayRecord,
  ExpiredCounts,
  LeakTarget,
  LoginFailureRecord,
  NewOutboxMessage,
  NewSshKey,
  NewUser,
  OAuthFlowOutcome,
  OAuthFlowRecord,
  OAuthIdentityRecord,
  OpaqueTokenKind,
  OutboxMessage,
  PasswordResetRecord,
  SessionRecord,
  SshKeyRecord,
  TokenSelection,
  UserChanges,
  UserRecord,
} from './records';

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

/** Mail out of the process (SMTP on Node); absent where there is none, and then mail waits in the outbox. */
export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
}

/**
 * Persistence. Every method that changes more than one row does so atomically (one batch). Writes take the
 * audit events that record them and write them in that same batch, only when the change happened: an event
 * is never lost, nor recorded for a change that failed or did not happen.
 */
export interface Store {
  findUserByNameKey(nameKey: string): Promise<UserRecord | null>;
  findUserById(id: number): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  countUsers(): Promise<number>;
  countAdmins(): Promise<number>;
  /** Inserts the user; null when the name is taken. */
  insertUser(user: NewUser, audit: AuditEvent[]): Promise<UserRecord | null>;
  /**
   * Changes the user's fields. With `endSessionsExcept`, ends the user's sessions but that one (all when
   * null); `mail` is queued in the same batch (a notice of the change).
   */
  updateUser(
    id: number,
    changes: UserChanges,
    audit: AuditEvent[],
    options?: { endSessionsExcept?: string | null; mail?: NewOutboxMessage[] },
  ): Promise<UserRecord | null>;
  deleteUser(id: number, audit: AuditEvent[]): Promise<boolean>;
  /** Records events that come with no change (an admin reading another user's secret). */
  recordAudit(audit: AuditEvent[]): Promise<void>;
  /**
   * Sets or clears the expired flag of the named users' passwords (by name key), or of every user with a
   * Keyfob password when null; clearing it starts the password's age again at `at`. Returns how many changed.
   */
  setPasswordsExpired(nameKeys: string[] | null, expired: boolean, at: number, audit: AuditEvent[]): Promise<number>;
  /**
   * Users with a Keyfob password and an e-mail who want informational mail, not flagged expired, whose
   * password was set after `changedAfter` and at or before `changedBefore`, and who have not had every
   * notice: the candidates for an expiry notice (at most 1000 a call, the soonest to expire first).
   */
  listPasswordNoticeCandidates(changedAfter: number, changedBefore: number): Promise<UserRecord[]>;
  /**
   * Claims the `days`-ahead notice for the user's current password (the stamp says which) and queues its
   * mail. False, and nothing queued, when that notice or a later one was claimed already, by this or
   * another process, or the password changed meanwhile.
   */
  claimPasswordNotice(userId: number, passwordStamp: string, days: number, mail: NewOutboxMessage, audit: AuditEvent[]): Promise<boolean>;
  /** Every group name some user carries, in order. */
  listGroupNames(): Promise<string[]>;
  /** The names of the users that carry the group. */
  listGroupMembers(group: string): Promise<string[]>;
  /** Users with a failure count under their own name, with that count: the ones the lock rule may hold. */
  listLockCandidates(): Promise<{ user: UserRecord; failures: number }[]>;

  findApiKeyByLookupHash(lookupHash: string): Promise<ApiKeyRecord | null>;
  findApiKeyByUserId(userId: number): Promise<ApiKeyRecord | null>;
  /** Whether any key of a format older than `format` is stored (an old key still overlapping its successor too). */
  anyApiKeyBelowFormat(format: number): Promise<boolean>;
  /** Inserts the key unless the user has one; false when one exists. */
  insertApiKeyIfAbsent(key: ApiKeyRecord, audit: AuditEvent[]): Promise<boolean>;
  /** Inserts or replaces the user's key in one batch: the old key is dead the moment this returns. */
  replaceApiKey(key: ApiKeyRecord, audit: AuditEvent[]): Promise<void>;
  /** Deletes the user's key; `mail` (a notice) is queued in the same batch, only when there was a key. */
  deleteApiKey(userId: number, audit: AuditEvent[], mail?: NewOutboxMessage[]): Promise<boolean>;
  /**
   * Deletes every key. `notice` (one sealed body for all) is queued, in the same batch, to every user with an
   * e-mail whose key this deletes (but `exceptUserId`, who did it).
   */
  deleteAllApiKeys(
    audit: AuditEvent[],
    notice?: Pick<NewOutboxMessage, 'subject' | 'sealedBody' | 'createdAt' | 'nextAttemptAt'> & { exceptUserId: number },
  ): Promise<number>;
  /** Records that the key was used; by its lookup hash, so a key replaced meanwhile is not the one marked. */
  touchApiKey(lookupHash: string, at: number): Promise<void>;
  /** Adds a flush of counted uses to the rollups (uses per day added, clients' last use moved on), in one batch. */
  recordUsage(rollups: UsageRollup[]): Promise<void>;
  /** The stored rollups of these credentials (days from `sinceDay`), those that have any. */
  listUsage(credentials: string[], sinceDay: number): Promise<UsageRollup[]>;
  /** Ends the overlap of the user's old key (it stops working now); false when there was none. */
  endApiKeyOverlap(userId: number, audit: AuditEvent[]): Promise<boolean>;

  insertAccessToken(token: AccessTokenRecord, audit: AuditEvent[], mail?: NewOutboxMessage[]): Promise<void>;
  findAccessToken(id: string): Promise<AccessTokenRecord | null>;
  findAccessTokenByReference(referenceHash: string): Promise<AccessTokenRecord | null>;
  findAccessTokenByRefresh(refreshHash: string): Promise<AccessTokenRecord | null>;
  /**
   * Live tokens with an expiry, whose owner has an e-mail and wants informational mail, that some reminder
   * is due for and not yet sent: for one of `reminderDays` (days before expiry), its moment has come, came
   * after the token was made, and no reminder that near was claimed (`noticeDays`). At most 1000 a call,
   * the soonest to expire first; each with its owner.
   */
  listTokenReminderCandidates(now: number, reminderDays: readonly number[]): Promise<{ token: AccessTokenRecord; user: UserRecord }[]>;
  /**
   * Claims the `days`-ahead reminder for the live token and queues its mail, in one batch. False, and
   * nothing queued, when that reminder or a later one was claimed already (by this or another process) or
   * the token was revoked meanwhile.
   */
  claimTokenReminder(tokenId: string, days: number, mail: NewOutboxMessage, audit: AuditEvent[]): Promise<boolean>;
  /** A user's tokens (everyone's when null), newest first; revoked ones only when asked. */
  listAccessTokens(userId: number | null, options?: { includeRevoked?: boolean }): Promise<AccessTokenRecord[]>;
  /**
   * Marks the selected live tokens revoked at `at`, each with its whole family and every token made by a
   * token of those families (and so on down); returns how many.
   */
  revokeAccessTokens(selection: TokenSelection, at: number, audit: AuditEvent[], mail?: NewOutboxMessage[]): Promise<number>;
  /**
   * Refresh: the new token is written and the old one marked refreshed in one batch, only if the old one
   * is still live with this refresh hash (two concurrent refreshes: one wins). False when it was not.
   */
  replaceRefreshedToken(oldId: string, refreshHash: string, token: AccessTokenRecord, audit: AuditEvent[], oldEndsAt?: number): Promise<boolean>;
  /** Records that the token was used; like touchApiKey, at most once a minute by the caller's choice. */
  touchAccessToken(id: string, at: number): Promise<void>;
  /**
   * Whether a secret of this kind made before `before` may still be presented to effect at `now`: a session
   * not expired; a reference token whose token is neither revoked nor expired; a refresh token not revoked
   * (it outlives its access token's expiry), or one spent by a refresh whose family still has a token not
   * revoked (presented again, it ends that family).
   */
  anyLiveTokenCreatedBefore(kind: OpaqueTokenKind, before: number, now: number): Promise<boolean>;
  /**
   * A credential reported found in public: revokes `target` (an API key by its lookup hash, so a key made
   * meanwhile is not the one revoked; a token with its families; a session), unless it is null (flagged only),
   * and in the same batch, only when something was revoked, queues `mail` and records `audit`. True when it acted.
   */
  recordLeak(target: LeakTarget | null, at: number, audit: AuditEvent[], mail: NewOutboxMessage[]): Promise<boolean>;

  /**
   * A sign-in: the new session and the user's last sign-in time, in one atomic write. The browser (as
   * describeUserAgent names it) is remembered for the user; when it is new to them and they had signed in
   * from another before, `newBrowserMail` is queued in the same batch. True when the browser was new.
   */
  recordSignIn(session: SessionRecord, audit: AuditEvent[], browser?: { name: string; newBrowserMail: NewOutboxMessage[] }): Promise<boolean>;
  findSession(tokenHash: string): Promise<SessionRecord | null>;
  /** The user's browser sessions that have not expired at `at`, newest first. */
  listSessions(userId: number, at: number): Promise<SessionRecord[]>;
  updateSession(
    tokenHash: string,
    changes: Partial<Pick<SessionRecord, 'lastSeenAt' | 'expiresAt' | 'unlockedUntil' | 'unlockIdleMs' | 'unlockEndsAt'>>,
    audit: AuditEvent[],
  ): Promise<void>;
  deleteSession(tokenHash: string, audit: AuditEvent[]): Promise<void>;

  /**
   * The failure count under `key` (a name key, or a name key and client address): for deciding whether
   * a name is locked, so the read cache may serve it.
   */
  findLoginFailure(key: string): Promise<LoginFailureRecord | null>;
  /** The same, always from the database: what a reservation compares against. */
  loadLoginFailure(key: string): Promise<LoginFailureRecord | null>;
  /**
   * Counts one more attempt under `key` at `at`, only if the row is still what `seen` says (compare and
   * swap): false when another attempt got there first. Attempts are counted before the password is
   * checked, so concurrent guesses are counted like sequential ones.
   */
  reserveLoginAttempt(key: string, seen: LoginFailureRecord | null, at: number): Promise<boolean>;
  /** Takes back an attempt reserved at `at` (it got no answer), unless another was counted since. */
  releaseLoginAttempt(key: string, seen: LoginFailureRecord | null, at: number): Promise<void>;
  /** A reserved attempt failed: its audit event and, when the count reached the lock, the user's lock time. */
  recordSignInFailure(lock: { userId: number; at: number } | null, audit: AuditEvent[]): Promise<void>;
  /** A password was right: forget these counts. */
  clearLoginFailures(keys: string[]): Promise<void>;
  /** Clears the failure counts (the name's own and per address) and the locks of these names (all when null). */
  unlockUsers(nameKeys: string[] | null, audit: AuditEvent[]): Promise<void>;

  listSshKeys(userId: number): Promise<SshKeyRecord[]>;
  findSshKeyByFingerprint(fingerprint: string): Promise<SshKeyRecord | null>;
  /** Inserts the key; null when its fingerprint is already registered (to anyone). */
  insertSshKey(key: NewSshKey, audit: AuditEvent[], mail?: NewOutboxMessage[]): Promise<SshKeyRecord | null>;
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
   * password fields, ends all their sessions and clears their delays per client address (the name's own
   * count stays, so a lock outlives a reset), in one batch.
   * False when the reset was already used.
   */
  completePasswordReset(
    reset: PasswordResetRecord,
    user: UserRecord,
    changes: UserChanges,
    at: number,
    audit: AuditEvent[],
    mail?: NewOutboxMessage[],
  ): Promise<boolean>;

  listDueMail(at: number, limit: number): Promise<OutboxMessage[]>;
  listUndeliveredMail(): Promise<OutboxMessage[]>;
  markMailDelivered(id: number, at: number): Promise<void>;
  markMailFailed(id: number, attempts: number, nextAttemptAt: number, error: string): Promise<void>;

  /** Counts one hit in the bucket's fixed window (started now if none is running) and returns the count. */
  hitThrottle(bucket: string, windowMs: number, at: number): Promise<number>;
  /** The bucket's count in its running window (0 when none runs). */
  peekThrottle(bucket: string, at: number): Promise<{ count: number; windowEndsAt: number }>;
  /**
   * A place in the bucket's queue, one every `spacingMs`: the time this caller's turn comes, or null when
   * that is more than `maxWaitMs` away. The bucket's window end is the next free turn.
   */
  reserveTurn(bucket: string, spacingMs: number, maxWaitMs: number, at: number): Promise<number | null>;

  listOAuthIdentities(userId: number): Promise<OAuthIdentityRecord[]>;
  findOAuthIdentity(provider: string, subject: string): Promise<OAuthIdentityRecord | null>;
  /** Binds the identity; false when it is bound already (to anyone). */
  insertOAuthIdentity(identity: OAuthIdentityRecord, audit: AuditEvent[], mail?: NewOutboxMessage[]): Promise<boolean>;
  deleteOAuthIdentity(userId: number, provider: string, audit: AuditEvent[]): Promise<boolean>;
  insertOAuthFlow(flow: OAuthFlowRecord): Promise<void>;
  findOAuthFlow(stateHash: string): Promise<OAuthFlowRecord | null>;
  /** Marks the flow completed; false when it already was (a replayed callback). */
  completeOAuthFlow(stateHash: string, at: number): Promise<boolean>;
  setOAuthFlowOutcome(stateHash: string, outcome: OAuthFlowOutcome): Promise<void>;
  findOAuthFlowByClaim(claimHash: string): Promise<OAuthFlowRecord | null>;
  findOAuthFlowByCompletion(completionHash: string): Promise<OAuthFlowRecord | null>;
  /** Uses the flow's claim: true for the one caller that cleared it, false once it is gone. */
  takeOAuthFlowClaim(stateHash: string): Promise<boolean>;
  /**
   * Records one of a bind's two approvals (`page`: the user confirmed on the page; `starter`: the session
   * that started it approved) and returns the flow as it is now; null when that approval was given already.
   */
  approveOAuthFlow(stateHash: string, by: 'page' | 'starter', at: number): Promise<OAuthFlowRecord | null>;

  /** A SAML request ID awaiting its response, with what node-saml keeps for it (its IssueInstant). */
  insertSamlRequest(id: string, issuedAt: string, expiresAt: number): Promise<void>;
  /** The request's IssueInstant while it has not expired by `at`; null otherwise. */
  findSamlRequest(id: string, at: number): Promise<string | null>;
  /** Removes the request (it has been answered); returns what was kept, null when it was gone. */
  deleteSamlRequest(id: string): Promise<string | null>;

  getSetting<T>(key: string): Promise<T | null>;
  putSetting<T>(key: string, value: T): Promise<void>;
  deleteSetting(key: string): Promise<void>;

  listAuditEvents(userId: number, limit: number): Promise<AuditEvent[]>;

  /**
   * Deletes, in one batch, rows that can no longer be used: sessions (and Git LFS tokens), reset links and
   * OAuth/SAML flows and SAML request IDs expired by `at`, throttle windows ended by `at`, mail delivered
   * before `deliveredMailBefore`, and failure counts per name and address quiet for an hour.
   */
  deleteExpired(at: number, deliveredMailBefore: number): Promise<ExpiredCounts>;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = { enabled: false, loginAttempts: 5 };
