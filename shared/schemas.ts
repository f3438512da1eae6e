/**
 * The request and reply shapes of every Keyfob call, as zod schemas. The API validates with them and
 * builds its OpenAPI document from them; the extension types its client with them.
 * No framework imports: `.meta()` is plain zod 4, read by the OpenAPI generator.
 */
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

const userWritableFields = {
  email: Email,
  password: Password,
  admin: z.boolean(),
  profileUpdatable: z.boolean(),
  disableUIAccess: z.boolean(),
  internalPasswordDisabled: z.boolean(),
  keysWithoutUnlock: z.boolean(),
  realm: Realm,
  groups: Groups,
};

/** `PUT /security/users/{name}`: create or replace; missing fields take defaults. */
export const UserCreateRequest = z
  .object({ name: z.string().optional(), ...userWritableFields })
  .partial({
    password: true,
    admin: true,
    profileUpdatable: true,
    disableUIAccess: true,
    internalPasswordDisabled: true,
    keysWithoutUnlock: true,
    realm: true,
    groups: true,
  })
  .meta({ id: 'UserCreate' });
export type UserCreateRequest = z.infer<typeof UserCreateRequest>;

/** `POST /security/users/{name}`: partial update. */
export const UserUpdateRequest = z
  .object({ name: z.string().optional(), ...userWritableFields })
  .partial()
  .meta({ id: 'UserUpdate' });
export type UserUpdateRequest = z.infer<typeof UserUpdateRequest>;

export const UserListReply = z
  .array(z.object({ name: z.string(), uri: z.string(), realm: Realm }))
  .meta({ id: 'UserList' });

export const ApiKeyReply = z
  .object({ apiKey: z.string().meta({ example: 'AKCp8…' }) })
  .partial()
  .meta({ id: 'ApiKey', description: '`{}` when the user has no API key.' });

export const InfoReply = z.object({ info: z.string() }).meta({ id: 'Info' });

export const VersionReply = z
  .object({ version: z.string(), revision: z.string(), addons: z.array(z.string()) })
  .meta({ id: 'Version' });

export const ChangePasswordRequest = z
  .object({
    userName: z.string(),
    oldPassword: z.string().max(PASSWORD_MAX_LENGTH).optional(),
    newPassword1: Password,
    newPassword2: Password,
  })
  .meta({ id: 'ChangePassword' });

export const LockPolicy = z
  .object({ enabled: z.boolean(), loginAttempts: z.number().int().min(1).max(100) })
  .meta({ id: 'UserLockPolicy' });
export type LockPolicy = z.infer<typeof LockPolicy>;

export const UserNameList = z.array(z.string()).max(10_000).meta({ id: 'UserNames' });

export const ErrorReply = z
  .object({
    errors: z.array(z.object({ status: z.number().int(), message: z.string(), code: z.string().optional() })),
  })
  .meta({ id: 'Errors' });

// ---- Keyfob's own API for the extension (/api/v1) ----

export const SignInRequest = z
  .object({ username: z.string().max(1024), password: z.string().max(PASSWORD_MAX_LENGTH) })
  .meta({ id: 'SignIn' });

export const UnlockRequest = z.object({ password: z.string().max(PASSWORD_MAX_LENGTH) }).meta({ id: 'Unlock' });

export const ApiKeySummary = z
  .object({
    masked: z.string().meta({ example: 'AKCp••••••••abcd' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    needsRegeneration: z
      .boolean()
      .meta({ description: 'Made by an older format: works in the header but not as a Basic password until regenerated.' }),
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
    unlockedUntil: z.string().nullable(),
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

export const SessionReply = z
  .object({ token: z.string(), expiresAt: z.string(), profile: ProfileReply })
  .meta({ id: 'Session' });
export type SessionReply = z.infer<typeof SessionReply>;

export const UnlockReply = z.object({ unlockedUntil: z.string().nullable(), profile: ProfileReply }).meta({ id: 'UnlockState' });

export const RevealedApiKey = z.object({ apiKey: z.string(), summary: ApiKeySummary }).meta({ id: 'RevealedApiKey' });
export type RevealedApiKey = z.infer<typeof RevealedApiKey>;

export const RevealedEncryptedPassword = z
  .object({ encryptedPassword: z.string() })
  .meta({ id: 'RevealedEncryptedPassword' });

export const EmailUpdateRequest = z.object({ email: Email }).meta({ id: 'EmailUpdate' });

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

export const BintraySummary = z
  .object({ username: z.string(), apiKeyMasked: z.string(), updatedAt: z.string() })
  .meta({ id: 'BintraySummary' });
export type BintraySummary = z.infer<typeof BintraySummary>;

export const BintrayReply = z.object({ bintray: BintraySummary.nullable() }).meta({ id: 'Bintray' });
export const RevealedBintray = z.object({ username: z.string(), apiKey: z.string() }).meta({ id: 'RevealedBintray' });

export const BINTRAY_TEST_OUTCOMES = ['valid', 'invalid', 'unreachable', 'timeout'] as const;
export const BintrayTestReply = z
  .object({ outcome: z.enum(BINTRAY_TEST_OUTCOMES), message: z.string() })
  .meta({ id: 'BintrayTest' });
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

export const PasswordResetCompletion = z
  .object({ token: z.string().max(128), ...newPasswordFields })
  .meta({ id: 'PasswordResetCompletion' });

export const ActivityEvent = z
  .object({
    type: z.string().meta({ example: 'sign-in' }),
    at: z.string(),
    clientAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    detail: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'ActivityEvent' });
export type ActivityEvent = z.infer<typeof ActivityEvent>;

export const ActivityReply = z.object({ events: z.array(ActivityEvent) }).meta({ id: 'Activity' });
export type ActivityReply = z.infer<typeof ActivityReply>;

export const AuthMethodsReply = z
  .object({ password: z.boolean(), httpSso: z.boolean() })
  .meta({ id: 'AuthMethods' });
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
    claim: z.string().optional().meta({ description: 'Sign-in only: keep it, and collect the session with it at /oauth/claim.' }),
  })
  .meta({ id: 'OAuthStart' });
export type OAuthStartReply = z.infer<typeof OAuthStartReply>;

export const OAuthClaimRequest = z.object({ claim: z.string().max(64) }).meta({ id: 'OAuthClaim' });

export const OAuthIdentity = z
  .object({ provider: z.string(), providerName: z.string(), subject: z.string(), email: z.string().nullable(), boundAt: z.string() })
  .meta({ id: 'OAuthIdentity' });
export type OAuthIdentity = z.infer<typeof OAuthIdentity>;
export const OAuthIdentityList = z.object({ identities: z.array(OAuthIdentity) }).meta({ id: 'OAuthIdentities' });
