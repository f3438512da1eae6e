/**
 * The request and reply shapes of every Keyfob call, as zod schemas. The API validates with them and
 * builds its OpenAPI document from them; the extension types its client with them.
 * No framework imports: `.meta()` is plain zod 4, read by the OpenAPI generator.
 */
import { AUDIT_EVENT_TYPES } from './auditEvents';
import { z } from 'zod';

export const REALMS = ['internal', 'ldap', 'saml', 'oauth', 'http-sso', 'crowd', 'radius'] as const;
export const Realm = z.enum(REALMS).meta({ id: 'Realm', description: 'Where the user authenticates.' });
export type Realm = z.infer<typeof Realm>;

/** Realms whose users authenticate elsewhere and so cannot change a Keyfob password. */
export function isExternalRealm(realm: Realm): boolean {
  return realm !== 'internal';
}

export const USER_NAME_MAX_LENGTH = 64;
// Letters, marks and digits of any script, plus the punctuation directory and e-mail style names use.
const USER_NAME_PATTERN = /^[\p{L}\p{M}\p{N}][\p{L}\p{M}\p{N}._@+-]*$/u;

export const UserName = z
  .string()
  .transform((name) => name.normalize('NFC'))
  .pipe(
    z
      .string()
      .min(1, 'A user name is required')
      .max(USER_NAME_MAX_LENGTH, `A user name has at most ${USER_NAME_MAX_LENGTH} characters`)
      .regex(USER_NAME_PATTERN, 'A user name starts with a letter or digit and holds only letters, digits and . _ @ + -'),
  )
  .meta({ description: 'Compared case-insensitively.', example: 'alice' });

/** The key users are compared by: NFC, lower case. */
export function userNameKey(name: string): string {
  // ASCII is its own NFC form: skip the normalisation on the hot path of every Basic request.
  return (ASCII_NAME.test(name) ? name : name.normalize('NFC')).toLowerCase();
}
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is what is meant.
const ASCII_NAME = /^[\x00-\x7f]*$/;

export const Email = z.email('A valid email address is required').max(254).meta({ example: 'alice@example.com' });

// Passwords are bounded so that hashing one cannot be used to burn CPU; 256 covers any passphrase.
export const PASSWORD_MAX_LENGTH = 256;
export const Password = z.string().min(1, 'A password is required').max(PASSWORD_MAX_LENGTH);

export const Groups = z.array(z.string().min(1).max(128)).max(256);

/** A user as Artifactory's `GET /security/users/{name}` shows it. Never the password. */
export const UserReply = z
  .object({
    name: z.string(),
    email: z.string().nullable(),
    admin: z.boolean(),
    profileUpdatable: z.boolean(),
    disableUIAccess: z.boolean(),
    internalPasswordDisabled: z.boolean(),
    keysWithoutUnlock: z.boolean().meta({
      description: 'Keyfob: an admin lets this user reach their keys without unlocking (for external realms).',
    }),
    lastLoggedIn: z.string().nullable(),
    realm: Realm,
    groups: z.array(z.string()),
    passwordExpired: z.boolean(),
    locked: z.boolean(),
  })
  .meta({ id: 'User' });
export type UserReply = z.infer<typeof UserReply>;

/**
 * An optional field where JSON `null` means "not given", as Artifactory reads user bodies: Terraform's
 * update sends `"internalPasswordDisabled": null`, dohq `"password": null`, pyartifactory null e-mails and groups.
 */
const notGivenWhenNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

const userOptionalFields = {
  name: notGivenWhenNull(z.string()),
  password: notGivenWhenNull(Password),
  admin: notGivenWhenNull(z.boolean()),
  profileUpdatable: notGivenWhenNull(z.boolean()),
  disableUIAccess: notGivenWhenNull(z.boolean()),
  internalPasswordDisabled: notGivenWhenNull(z.boolean()),
  keysWithoutUnlock: notGivenWhenNull(z.boolean()),
  realm: notGivenWhenNull(Realm),
  groups: notGivenWhenNull(Groups),
};

/** `PUT /security/users/{name}`: create or replace; missing (or null) fields take defaults. */
export const UserCreateRequest = z.object({ email: Email, ...userOptionalFields }).meta({ id: 'UserCreate' });
export type UserCreateRequest = z.infer<typeof UserCreateRequest>;

/** `POST /security/users/{name}`: partial update; a field missing or null is left as it is. */
export const UserUpdateRequest = z.object({ email: notGivenWhenNull(Email), ...userOptionalFields }).meta({ id: 'UserUpdate' });
export type UserUpdateRequest = z.infer<typeof UserUpdateRequest>;

export const UserListReply = z.array(z.object({ name: z.string(), uri: z.string(), realm: Realm })).meta({ id: 'UserList' });

export const ApiKeyReply = z
  .object({ apiKey: z.string().meta({ example: 'AKCp8…' }) })
  .partial()
  .meta({ id: 'ApiKey', description: '`{}` when the user has no API key.' });

export const InfoReply = z.object({ info: z.string() }).meta({ id: 'Info' });

export const VersionReply = z.object({ version: z.string(), revision: z.string(), addons: z.array(z.string()) }).meta({ id: 'Version' });

export const ChangePasswordRequest = z
  .object({
    userName: z.string(),
    oldPassword: z.string().max(PASSWORD_MAX_LENGTH).optional(),
    newPassword1: Password,
    newPassword2: Password,
  })
  .meta({ id: 'ChangePassword' });

export const LockPolicy = z
  .object({ enabled: z.boolean(), loginAttempts: z.number().int().min(0).max(100) })
  // Terraform's artifactory_user_lock_policy is destroyed with `{"enabled":false,"loginAttempts":0}`.
  .refine((policy) => !policy.enabled || policy.loginAttempts >= 1, {
    path: ['loginAttempts'],
    message: 'An enabled lock policy needs loginAttempts between 1 and 100',
  })
  .meta({ id: 'UserLockPolicy' });
export type LockPolicy = z.infer<typeof LockPolicy>;

export const PASSWORD_MAX_AGE_DAYS = 999;

export const PasswordExpirationPolicy = z
  .object({
    enabled: z.boolean(),
    passwordMaxAge: z.number().int().min(1).max(PASSWORD_MAX_AGE_DAYS).meta({ description: 'Days a password lasts.' }),
    notifyByEmail: z.boolean().meta({ description: 'Mail the owner 30, 7 and 1 days before the password expires.' }),
  })
  .meta({ id: 'PasswordExpirationPolicy' });
export type PasswordExpirationPolicy = z.infer<typeof PasswordExpirationPolicy>;

/** A PUT: fields left out keep their value; a disabled policy may carry any age up to 999 (Terraform's destroy sends its state's). */
export const PasswordExpirationPolicyChange = z
  .object({
    enabled: z.boolean().optional(),
    passwordMaxAge: z.number().int().min(0).max(PASSWORD_MAX_AGE_DAYS).optional(),
    notifyByEmail: z.boolean().optional(),
  })
  .meta({ id: 'PasswordExpirationPolicyChange' });
export type PasswordExpirationPolicyChange = z.infer<typeof PasswordExpirationPolicyChange>;

export const LockedUsersReply = z.array(z.string()).meta({ id: 'LockedUsers', example: ['alice', 'bob'] });

export const GroupListReply = z.array(z.object({ name: z.string(), uri: z.string() })).meta({ id: 'GroupList' });

/** A group as Artifactory's `GET /security/groups/{name}` shows it; Keyfob's groups are the names users carry. */
export const GroupReply = z
  .object({
    name: z.string(),
    description: z.string(),
    autoJoin: z.boolean(),
    adminPrivileges: z.boolean(),
    realm: z.string(),
    userNames: z.array(z.string()).optional().meta({ description: 'With `includeUsers=true`.' }),
  })
  .meta({ id: 'Group' });

/**
 * The usage report JFrog's clients send (`POST /system/usage`). Read loosely, and nothing of it kept:
 * only its shape is checked, so a client's odd report gets a 400, never a 500.
 */
export const UsageReport = z
  .looseObject({
    productId: z.string().max(1024).optional(),
    uniqueClientId: z.string().max(1024).optional(),
    features: z
      .array(
        z.looseObject({
          featureId: z.string().max(1024).optional(),
          attributes: z.record(z.string(), z.unknown()).optional(),
          uniqueClientId: z.string().max(1024).optional(),
        }),
      )
      .max(1000)
      .optional(),
  })
  .meta({ id: 'UsageReport' });

/** JFrog Access's version, as terraform-provider-shared reads it (the version is in `name`). */
export const AccessVersionReply = z
  .object({ name: z.string(), version: z.string(), revision: z.string(), timestamp: z.string() })
  .meta({ id: 'AccessVersion' });

export const UserNameList = z.array(z.string()).max(10_000).meta({ id: 'UserNames' });

export const ErrorReply = z
  .object({
    errors: z.array(z.object({ status: z.number().int(), message: z.string(), code: z.string().optional() })),
  })
  .meta({ id: 'Errors' });

// ---- Keyfob's own API for the extension (/api/v1) ----

/**
 * How long the unlock should last without use: the client's auto-lock choice in minutes, or null for as
 * long as the server allows (unlockMaxMinutes). Omitted: the server's default (KEYFOB_UNLOCK_MINUTES).
 */
export const IdleMinutes = z
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60)
  .nullable()
  .optional();
export const SignInRequest = z
  .object({ username: z.string().max(1024), password: z.string().max(PASSWORD_MAX_LENGTH), idleMinutes: IdleMinutes })
  .meta({ id: 'SignIn' });

export const UnlockRequest = z.object({ password: z.string().max(PASSWORD_MAX_LENGTH), idleMinutes: IdleMinutes }).meta({ id: 'Unlock' });

/** Where and how often a credential was used: the newest clients first, and uses per UTC day (the last 30 days that had any). */
export const CredentialUsage = z
  .object({
    clients: z.array(
      z.object({
        address: z.string().nullable().meta({ example: '10.1.2.3' }),
        userAgent: z.string().nullable().meta({ example: 'curl/8.5.0' }),
        client: z.string().meta({ description: 'The user agent as a person reads it.', example: 'curl/8.5.0' }),
        lastUsedAt: z.string(),
      }),
    ),
    daily: z.array(z.object({ day: z.string().meta({ example: '2026-12-03' }), uses: z.number().int() })),
  })
  .meta({ id: 'CredentialUsage' });
export type CredentialUsage = z.infer<typeof CredentialUsage>;

export const ApiKeySummary = z
  .object({
    masked: z.string().meta({ example: 'AKCp••••••••abcd' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    needsRegeneration: z.boolean().meta({ description: 'Made by an older format: works in the header but not as a Basic password until regenerated.' }),
    usage: CredentialUsage,
    /** The key this one replaced, while it still works (a regenerate with an overlap); null otherwise. */
    previous: z
      .object({
        masked: z.string().meta({ example: 'AKCp••••••••wxyz' }),
        endsAt: z.string(),
        lastUsedAt: z.string().nullable(),
        usage: CredentialUsage,
      })
      .nullable(),
  })
  .meta({ id: 'ApiKeySummary' });
export type ApiKeySummary = z.infer<typeof ApiKeySummary>;

export const ProfileReply = z
  .object({
    name: z.string(),
    email: z.string().nullable(),
    realm: Realm,
    admin: z.boolean(),
    profileUpdatable: z.boolean(),
    keysWithoutUnlock: z.boolean(),
    canChangePassword: z.boolean(),
    unlocked: z.boolean(),
    /** When secrets stop showing unless the session is used again (use moves it on, up to unlockEndsAt). */
    unlockedUntil: z.string().nullable(),
    /** The latest an unlock can last however much it is used: the server's maximum from the unlock. */
    unlockEndsAt: z.string().nullable(),
    /** When and why the last unlock ran out on the server's clock (not by Lock), so a client can say why it is locked. */
    unlockEnded: z.object({ at: z.string(), by: z.enum(['idle', 'limit']) }).nullable(),
    /** The server's maximum for an unlock, in minutes: the longest auto-lock a client can ask for. */
    unlockMaxMinutes: z.number().int(),
    /** The longest the old API key may keep working after a regenerate, in seconds (0: no overlap on this server). */
    apiKeyOverlapMaxSeconds: z.number().int(),
    /** Whether informational mail (expiry reminders for the password and tokens) is sent; security mail always is. */
    notifyInformational: z.boolean(),
    apiKey: ApiKeySummary.nullable(),
    get sshKeys() {
      return z.array(SshKeyReply);
    },
    get bintray() {
      return BintraySummary.nullable();
    },
  })
  .meta({ id: 'Profile' });
export type ProfileReply = z.infer<typeof ProfileReply>;

export const SessionReply = z.object({ token: z.string(), expiresAt: z.string(), profile: ProfileReply }).meta({ id: 'Session' });
export type SessionReply = z.infer<typeof SessionReply>;

export const UnlockReply = z.object({ unlockedUntil: z.string().nullable(), profile: ProfileReply }).meta({ id: 'UnlockState' });

export const RevealedApiKey = z.object({ apiKey: z.string(), summary: ApiKeySummary }).meta({ id: 'RevealedApiKey' });
export type RevealedApiKey = z.infer<typeof RevealedApiKey>;

export const RevealedEncryptedPassword = z.object({ encryptedPassword: z.string() }).meta({ id: 'RevealedEncryptedPassword' });

export const EmailUpdateRequest = z.object({ email: Email }).meta({ id: 'EmailUpdate' });

export const NotificationsUpdateRequest = z
  .object({
    informational: z.boolean().meta({ description: 'Expiry reminders for the password and access tokens. Security mail cannot be turned off.' }),
  })
  .meta({ id: 'NotificationsUpdate' });
export type NotificationsUpdateRequest = z.infer<typeof NotificationsUpdateRequest>;

export const SSH_KEY_NAME_MAX_LENGTH = 100;
// The longest one-line public key is RSA 16384 (about 2.8 KB); the bound leaves room for options and comment.
export const SSH_PUBLIC_KEY_MAX_LENGTH = 16 * 1024;

export const SshKeyAddRequest = z
  .object({
    name: z.string().trim().max(SSH_KEY_NAME_MAX_LENGTH).optional().meta({ description: 'Defaults to the key comment.' }),
    publicKey: z
      .string()
      .max(SSH_PUBLIC_KEY_MAX_LENGTH, 'That is too long for an SSH public key')
      .meta({ description: "One line of OpenSSH's .pub format; options and comment allowed.", example: 'ssh-ed25519 AAAAC3Nza… dev@laptop' }),
  })
  .meta({ id: 'SshKeyAdd' });

export const SshKeyReply = z
  .object({
    id: z.number().int(),
    name: z.string(),
    type: z.string().meta({ example: 'ssh-ed25519' }),
    bits: z.number().int(),
    fingerprint: z.string().meta({ example: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    usage: CredentialUsage,
  })
  .meta({ id: 'SshKey' });
export type SshKeyReply = z.infer<typeof SshKeyReply>;

export const SshKeyList = z.object({ keys: z.array(SshKeyReply) }).meta({ id: 'SshKeys' });

export const SshKeyPolicy = z
  .object({
    allowDsaKeys: z.boolean().meta({ description: 'DSA is broken; off by default, kept for Artifactory-style lists.' }),
  })
  .meta({ id: 'SshKeyPolicy' });
export type SshKeyPolicy = z.infer<typeof SshKeyPolicy>;

export const BintrayUpdateRequest = z
  .object({
    username: z.string().trim().min(1, 'The Bintray user name is required').max(128),
    apiKey: z.string().trim().min(1, 'The Bintray API key is required').max(256),
  })
  .meta({ id: 'BintrayUpdate' });

export const BintraySummary = z.object({ username: z.string(), apiKeyMasked: z.string(), updatedAt: z.string() }).meta({ id: 'BintraySummary' });
export type BintraySummary = z.infer<typeof BintraySummary>;

export const BintrayReply = z.object({ bintray: BintraySummary.nullable() }).meta({ id: 'Bintray' });
export const RevealedBintray = z.object({ username: z.string(), apiKey: z.string() }).meta({ id: 'RevealedBintray' });

export const BINTRAY_TEST_OUTCOMES = ['valid', 'invalid', 'unreachable', 'timeout'] as const;
export const BintrayTestReply = z.object({ outcome: z.enum(BINTRAY_TEST_OUTCOMES), message: z.string() }).meta({ id: 'BintrayTest' });
export type BintrayTestReply = z.infer<typeof BintrayTestReply>;

/** What `git-lfs-authenticate` prints over SSH: Git LFS's own format. */
export const LfsAuthenticateReply = z
  .object({
    href: z.string(),
    header: z.object({ Authorization: z.string() }),
    expires_in: z.number().int(),
  })
  .meta({ id: 'LfsAuthenticate' });
export type LfsAuthenticateReply = z.infer<typeof LfsAuthenticateReply>;

export const BintrayTestRequest = z
  .object({
    username: z.string().trim().min(1).max(128).optional(),
    apiKey: z.string().trim().min(1).max(256).optional(),
  })
  .meta({ id: 'BintrayTestRequest', description: 'What the user typed; a field left out is taken from the saved credentials.' });

export const PasswordPolicyReply = z
  .object({ minLength: z.number().int(), minClasses: z.number().int() })
  .meta({ id: 'PasswordPolicy', description: 'What a new password must be; the server enforces it.' });

const newPasswordFields = {
  newPassword1: z.string().max(PASSWORD_MAX_LENGTH),
  newPassword2: z.string().max(PASSWORD_MAX_LENGTH).meta({ description: 'The new password again.' }),
};

export const ProfilePasswordRequest = z
  .object({ oldPassword: z.string().max(PASSWORD_MAX_LENGTH), ...newPasswordFields })
  .meta({ id: 'ProfilePasswordChange' });

export const ExpiredPasswordSignInRequest = z
  .object({ username: z.string().max(1024), oldPassword: z.string().max(PASSWORD_MAX_LENGTH), ...newPasswordFields })
  .meta({ id: 'ChangePasswordAndSignIn' });

export const PasswordResetRequest = z.object({ username: z.string().max(1024) }).meta({ id: 'PasswordResetRequest' });

export const PasswordResetCompletion = z.object({ token: z.string().max(128), ...newPasswordFields }).meta({ id: 'PasswordResetCompletion' });

export const ActivityEvent = z
  .object({
    type: z.enum(AUDIT_EVENT_TYPES).meta({ example: 'sign-in' }),
    at: z.string(),
    clientAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'ActivityEvent' });
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const ActivityReply = z.object({ events: z.array(ActivityEvent) }).meta({ id: 'Activity' });
export type ActivityReply = z.infer<typeof ActivityReply>;

export const AuthMethodsReply = z.object({ password: z.boolean(), httpSso: z.boolean() }).meta({ id: 'AuthMethods' });
export type AuthMethodsReply = z.infer<typeof AuthMethodsReply>;

export const OAuthProviderList = z
  .object({
    providers: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.enum(['oidc', 'saml']).meta({ description: 'SAML identities sign in only; OpenID Connect ones can be bound too.' }),
      }),
    ),
  })
  .meta({ id: 'OAuthProviders' });
export type OAuthProviderList = z.infer<typeof OAuthProviderList>;

export const OAuthStartReply = z
  .object({
    authorizationUrl: z.string().meta({ description: "Open this in a browser tab: the provider's sign-in." }),
    claim: z.string().optional().meta({
      description: 'Sign-in only: keep it, and collect the session with it and the completion code of the tab you opened at /oauth/claim.',
    }),
  })
  .meta({ id: 'OAuthStart' });
export type OAuthStartReply = z.infer<typeof OAuthStartReply>;

/** The completion code Keyfob puts in the URL of the page the provider's tab lands on (`/oauth/finished?code=`). */
export const OAuthCompletionCode = z.string().max(64).meta({ description: 'The `code` in the URL of the finished page, read from the tab you opened.' });

export const OAuthClaimRequest = z
  .object({ claim: z.string().max(64), code: OAuthCompletionCode.optional() })
  .meta({ id: 'OAuthClaim', description: 'Without the code only the pending state is told (202); a finished sign-in needs it.' });
export type OAuthClaimRequest = z.infer<typeof OAuthClaimRequest>;

export const OAuthBindApproval = z.object({ code: OAuthCompletionCode }).meta({ id: 'OAuthBindApproval' });
export type OAuthBindApproval = z.infer<typeof OAuthBindApproval>;
export const OAuthBindApprovalReply = z
  .object({
    status: z.enum(['bound', 'waiting']).meta({ description: '`waiting`: the user has not yet confirmed on the page in that tab.' }),
  })
  .meta({ id: 'OAuthBindApprovalReply' });
export type OAuthBindApprovalReply = z.infer<typeof OAuthBindApprovalReply>;

export const OAuthIdentity = z
  .object({ provider: z.string(), providerName: z.string(), subject: z.string(), email: z.string().nullable(), boundAt: z.string() })
  .meta({ id: 'OAuthIdentity' });
export type OAuthIdentity = z.infer<typeof OAuthIdentity>;
export const OAuthIdentityList = z.object({ identities: z.array(OAuthIdentity) }).meta({ id: 'OAuthIdentities' });

// ---- Access tokens (JFrog's Access API and Artifactory's older token calls) ----

/** Form bodies carry every value as text (`true`, `True`, `3600`): read them as JSON bodies would be. */
const formBoolean = z.preprocess((v) => (typeof v === 'string' ? (/^(true|1)$/i.test(v) ? true : /^(false|0)$/i.test(v) ? false : v) : v), z.boolean());
const formSeconds = z.preprocess((v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v), z.number().int());
const formText = (max: number) => z.string().max(max);

/** POST /access/api/v1/tokens and POST /artifactory/api/security/token, as JSON or as a form. */
export const TokenRequestBody = z
  .object({
    grant_type: z.enum(['client_credentials', 'refresh_token']).optional(),
    overlap_seconds: formSeconds
      .optional()
      .meta({ description: 'Keyfob, with grant_type=refresh_token: the old access token keeps working this many seconds (up to the server’s maximum).' }),
    username: formText(256).optional(),
    scope: formText(2048).optional(),
    // -1 is what the CLI means by "not given"; 0 asks for a token that never expires.
    expires_in: formSeconds.optional(),
    refreshable: formBoolean.optional(),
    description: formText(1024).optional(),
    audience: formText(1024).optional(),
    include_reference_token: formBoolean.optional(),
    project_key: formText(64).optional(),
    refresh_token: formText(512).optional(),
    access_token: formText(8192).optional(),
    token_type: formText(64).optional(),
  })
  .meta({ id: 'TokenRequest' });
export type TokenRequestBody = z.infer<typeof TokenRequestBody>;

export const IssuedTokenReply = z
  .object({
    token_id: z.string(),
    access_token: z.string(),
    expires_in: z.number().int().optional(),
    scope: z.string(),
    token_type: z.literal('Bearer'),
    refresh_token: z.string().optional(),
    reference_token: z.string().optional(),
  })
  .meta({ id: 'IssuedToken' });
export type IssuedTokenReply = z.infer<typeof IssuedTokenReply>;

export const AccessTokenInfo = z
  .object({
    token_id: z.string(),
    subject: z.string(),
    expiry: z.number().int().optional(),
    issued_at: z.number().int(),
    issuer: z.string(),
    description: z.string().optional(),
    refreshable: z.boolean(),
    scope: z.string(),
    last_used: z.number().int().optional(),
    usage: CredentialUsage.optional().meta({ description: 'Keyfob: where and how often the token was used (in lists of one’s own tokens).' }),
  })
  .meta({ id: 'AccessTokenInfo' });
export type AccessTokenInfo = z.infer<typeof AccessTokenInfo>;

export const AccessTokenList = z.object({ tokens: z.array(AccessTokenInfo) }).meta({ id: 'AccessTokenList' });

/** The admin's limits on tokens: the default and longest lifetime (for non-admins), and never-expiring ones. */
export const TokenPolicy = z
  .object({
    defaultExpiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 24 * 3600),
    maxExpiresInSeconds: z
      .number()
      .int()
      .min(60)
      .max(10 * 365 * 24 * 3600),
    allowNonExpiring: z.boolean(),
  })
  .meta({ id: 'TokenPolicy' });
export type TokenPolicy = z.infer<typeof TokenPolicy>;

/** GitHub's secret-scanning partner payload: what was found, and where. */
export const LeakReport = z
  .array(
    z.object({
      token: z.string().min(1).max(4096),
      type: z.string().max(100).optional(),
      url: z.string().max(2048).optional(),
      source: z.string().max(100).optional(),
    }),
  )
  .min(1)
  .max(1000)
  .meta({ id: 'LeakReport' });
export type LeakReport = z.infer<typeof LeakReport>;

/** Per reported token, whether it was a working credential here; identified by its SHA-256, never repeated. */
export const LeakVerdict = z
  .object({
    token_hash: z.string().meta({ description: 'SHA-256 of the token, in hex' }),
    token_type: z.string(),
    label: z.enum(['true_positive', 'false_positive']),
  })
  .meta({ id: 'LeakVerdict' });
export type LeakVerdict = z.infer<typeof LeakVerdict>;

/** Keyfob's regenerate: how long the old key keeps working beside the new one (0, the default: not at all). */
export const RegenerateApiKeyRequest = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400)
      .optional(),
  })
  .meta({ id: 'RegenerateApiKeyRequest' });
export type RegenerateApiKeyRequest = z.infer<typeof RegenerateApiKeyRequest>;

/** One of the user's browser sessions (the popup's), as their list of sessions shows it. */
export const SessionSummary = z
  .object({
    id: z.string().meta({ description: 'Names the session for ending it; not a credential.' }),
    current: z.boolean().meta({ description: 'The session this request came with.' }),
    client: z.string().meta({ example: 'Chrome on Linux' }),
    signedInFrom: z.string().nullable(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    usage: CredentialUsage,
  })
  .meta({ id: 'SessionSummary' });
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SessionList = z.object({ sessions: z.array(SessionSummary) }).meta({ id: 'SessionList' });
export type SessionList = z.infer<typeof SessionList>;
