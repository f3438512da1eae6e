import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Times are milliseconds since the epoch, as integers: the same on every SQLite Keyfob runs on. */
export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    nameKey: text('name_key').notNull(),
    email: text('email'),
    realm: text('realm').notNull().default('internal'),
    admin: integer('admin', { mode: 'boolean' }).notNull().default(false),
    profileUpdatable: integer('profile_updatable', { mode: 'boolean' }).notNull().default(true),
    disableUIAccess: integer('disable_ui_access', { mode: 'boolean' }).notNull().default(false),
    internalPasswordDisabled: integer('internal_password_disabled', { mode: 'boolean' }).notNull().default(false),
    keysWithoutUnlock: integer('keys_without_unlock', { mode: 'boolean' }).notNull().default(false),
    passwordHash: text('password_hash'),
    // Random per password: the encrypted password is derived from it, so a new stamp kills the old one.
    passwordStamp: text('password_stamp').notNull(),
    passwordExpired: integer('password_expired', { mode: 'boolean' }).notNull().default(false),
    // When the password was last set: the expiration policy's age counts from here (null: no password set).
    passwordChangedAt: integer('password_changed_at'),
    // The expiry notice last mailed for the current password, in days ahead (30, 7, then 1); null: none yet.
    passwordNoticeDays: integer('password_notice_days'),
    // Informational mail (expiry reminders); security mail (changes by someone else, new browsers) always goes.
    notifyInformational: integer('notify_informational', { mode: 'boolean' }).notNull().default(true),
    groups: text('groups', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    lastLoggedIn: integer('last_logged_in'),
    lockedAt: integer('locked_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_name_key_unique').on(t.nameKey)],
);

/**
 * One key per user. Only a keyed hash (for lookup) and an AES-GCM sealed copy are kept.
 * No foreign key on purpose: SQLite only empties a table in one step (what Revoke All needs at a million
 * keys) when no foreign key involves it; the store deletes a user's key itself.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    userId: integer('user_id').primaryKey(),
    lookupHash: text('lookup_hash').notNull(),
    sealed: text('sealed').notNull(),
    formatVersion: integer('format_version').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    // The key this one replaced, while it keeps working (a regenerate with an overlap): its lookup hash, its
    // mask (to show it as "old key, ends in …"), when it stops, and when it was last used.
    previousLookupHash: text('previous_lookup_hash'),
    previousMasked: text('previous_masked'),
    previousEndsAt: integer('previous_ends_at'),
    previousLastUsedAt: integer('previous_last_used_at'),
    // Its format: an old key from before the checksum must still be looked up when its checksum fails.
    previousFormatVersion: integer('previous_format_version'),
  },
  (t) => [uniqueIndex('api_keys_lookup_hash_unique').on(t.lookupHash), uniqueIndex('api_keys_previous_lookup_hash_unique').on(t.previousLookupHash)],
);

/** Bearer sessions of the extension: only the SHA-256 of the token is kept. */
export const sessions = sqliteTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    unlockedUntil: integer('unlocked_until'),
    // An unlock lasts unlockIdleMs past the last use, never past unlockEndsAt (the server's maximum from the unlock).
    unlockIdleMs: integer('unlock_idle_ms'),
    unlockEndsAt: integer('unlock_ends_at'),
    // 'browser' for the extension's sessions; 'lfs' for the short-lived tokens SSH hands to Git LFS,
    // which never see secrets, never extend themselves, and die with the SSH key that got them.
    kind: text('kind').notNull().default('browser'),
    sshKeyId: integer('ssh_key_id').references(() => sshKeys.id, { onDelete: 'cascade' }),
    // Where the session began, for the user's list of their sessions.
    clientAddress: text('client_address'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_id').on(t.userId), index('sessions_ssh_key_id').on(t.sshKeyId)],
);

/** Users' SSH public keys (not secret); a key belongs to one user only, by its fingerprint. */
export const sshKeys = sqliteTable(
  'ssh_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type').notNull(),
    blob: text('blob').notNull(),
    bits: integer('bits').notNull(),
    fingerprint: text('fingerprint').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [uniqueIndex('ssh_keys_fingerprint_unique').on(t.fingerprint), index('ssh_keys_user_id').on(t.userId)],
);

/** Bintray credentials: the user name in clear, the API key sealed with the master key (it is shown again). */
export const bintrayCredentials = sqliteTable('bintray_credentials', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  username: text('username').notNull(),
  sealed: text('sealed').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Failed sign-ins by user name, whether or not the user exists, so the answers never tell which. */
export const loginFailures = sqliteTable('login_failures', {
  nameKey: text('name_key').primaryKey(),
  failures: integer('failures').notNull(),
  lastFailureAt: integer('last_failure_at').notNull(),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
});

/** Security events. Never a secret: only the kind of event, who, when, from where, and small details. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    at: integer('at').notNull(),
    clientAddress: text('client_address'),
    userAgent: text('user_agent'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, string>>(),
  },
  (t) => [index('audit_events_user_at').on(t.userId, t.at)],
);

/** Single-use password-reset links: only the SHA-256 of the token is kept. */
export const passwordResets = sqliteTable(
  'password_resets',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('password_resets_user_id').on(t.userId)],
);

/**
 * Mail waiting to go out, kept until delivered so a failed delivery loses nothing. The body carries a
 * reset link, so it is sealed with the master key; the recipient and subject are not secret.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    sealedBody: text('sealed_body').notNull(),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    deliveredAt: integer('delivered_at'),
    lastError: text('last_error'),
  },
  (t) => [index('outbox_pending').on(t.deliveredAt, t.nextAttemptAt)],
);

/** Fixed-window counters for rate limits (reset requests, failed sign-ins per client address). */
export const throttles = sqliteTable('throttles', {
  bucket: text('bucket').primaryKey(),
  count: integer('count').notNull(),
  windowEndsAt: integer('window_ends_at').notNull(),
});

/** Identities at OAuth / OpenID Connect providers bound to Keyfob users; an identity is bound to one user only. */
export const oauthIdentities = sqliteTable(
  'oauth_identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] }), index('oauth_identities_user_id').on(t.userId)],
);

/**
 * Authorization-code flows in progress: by the SHA-256 of their state, with the PKCE verifier and nonce
 * sealed. A bind is tied to the session that started it; a sign-in to the claim the extension holds (kept
 * as a hash). Once the provider vouched, the flow records the outcome and the hash of a completion code
 * that only the browser tab coming back from the provider gets: a session is handed out, or an identity
 * bound, only to whoever holds both halves.
 */
export const oauthFlows = sqliteTable(
  'oauth_flows',
  {
    stateHash: text('state_hash').primaryKey(),
    provider: text('provider').notNull(),
    purpose: text('purpose').notNull(),
    sessionHash: text('session_hash'),
    sealedSecrets: text('sealed_secrets').notNull(),
    claimHash: text('claim_hash'),
    // The outcome: who signs in (sign-in), or which identity would be bound to whom (bind).
    userId: integer('user_id'),
    subject: text('subject'),
    email: text('email'),
    completionHash: text('completion_hash'),
    // A bind needs both: the confirmation posted from the provider's tab, and the starting session's approval.
    pageConfirmedAt: integer('page_confirmed_at'),
    starterApprovedAt: integer('starter_approved_at'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    completedAt: integer('completed_at'),
  },
  (t) => [uniqueIndex('oauth_flows_completion_hash_unique').on(t.completionHash), index('oauth_flows_claim_hash').on(t.claimHash)],
);

/**
 * SAML AuthnRequest IDs awaiting their response, so a response is accepted once, in whichever process gets
 * it. Their own rows (not settings): they expire, housekeeping deletes them, and writing one flushes no cache.
 */
export const samlRequests = sqliteTable(
  'saml_requests',
  {
    id: text('id').primaryKey(),
    // What node-saml keeps for a request: its IssueInstant.
    issuedAt: text('issued_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('saml_requests_expires_at').on(t.expiresAt)],
);

/**
 * Access tokens (JWTs and their reference tokens). A JWT is checked by its signature and then found
 * here by its id, so revoking one is deleting nothing: the row says it was revoked (or refreshed), and
 * the answer can say which. Only hashes of the reference and refresh tokens are kept; of the JWT itself,
 * nothing but its id (its signature is the proof). No foreign key, as for API keys: revoking every token
 * is one statement however many there are.
 */
export const accessTokens = sqliteTable(
  'access_tokens',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id').notNull(),
    scope: text('scope').notNull(),
    description: text('description'),
    audience: text('audience'),
    refreshable: integer('refreshable', { mode: 'boolean' }).notNull(),
    refreshHash: text('refresh_hash'),
    referenceHash: text('reference_hash'),
    createdAt: integer('created_at').notNull(),
    // Null: does not expire (only where an admin allows it).
    expiresAt: integer('expires_at'),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
    // 'revoked' or 'refreshed': what a request with this token is told.
    revokedReason: text('revoked_reason'),
    // A token and its refreshes share a family: a spent refresh token used again ends the whole family.
    familyId: text('family_id'),
    // The family of the token that made this one (`jf atc` with a token): revoked with it.
    parentFamilyId: text('parent_family_id'),
    // The expiry reminder last mailed, in days ahead (30, 7, then 1); null: none yet.
    noticeDays: integer('notice_days'),
  },
  (t) => [
    index('access_tokens_user_id').on(t.userId),
    index('access_tokens_family_id').on(t.familyId),
    index('access_tokens_parent_family_id').on(t.parentFamilyId),
    uniqueIndex('access_tokens_refresh_hash_unique').on(t.refreshHash),
    uniqueIndex('access_tokens_reference_hash_unique').on(t.referenceHash),
  ],
);

/**
 * Uses of each credential per day: rollups written in batches by the usage log (domain/usage.ts), never a
 * write per request. `credential` is the kind and id (`api-key:<lookup hash>`, `token:<id>`, `ssh-key:<id>`,
 * `session:<token hash>`); `day` counts days since the epoch, in UTC.
 */
export const credentialUsage = sqliteTable(
  'credential_usage',
  {
    credential: text('credential').notNull(),
    day: integer('day').notNull(),
    uses: integer('uses').notNull(),
  },
  (t) => [primaryKey({ columns: [t.credential, t.day] }), index('credential_usage_day').on(t.day)],
);

/** The clients (address and agent) each credential was last used from: the newest five are kept. */
export const credentialClients = sqliteTable(
  'credential_clients',
  {
    credential: text('credential').notNull(),
    clientAddress: text('client_address').notNull(),
    userAgent: text('user_agent').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.credential, t.clientAddress, t.userAgent] }), index('credential_clients_last_used_at').on(t.lastUsedAt)],
);

/** The browsers (family and system, "Chrome on Linux") each user has signed in from: a new one is mailed about. */
export const knownBrowsers = sqliteTable(
  'known_browsers',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    browser: text('browser').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.browser] })],
);
