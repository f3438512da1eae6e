/**
 * The one place that decides which credential may do what. Every route names the operation it performs;
 * `mayPerform` answers from the table below, which docs/security.md prints (a test keeps the two equal).
 *
 * The rule of thumb: what a script holds (an API key, an encrypted password) may use the account, not
 * take it over. Changing how one signs in (password, e-mail, SSH keys, bindings) needs the password
 * itself or a fresh unlock; an API key cannot replace or revoke itself; admin changes need what
 * revealing a secret needs, and an admin's flag to skip unlocking does not stretch to admin powers.
 */
import type { Principal } from './credentials';
import { tokenIsAdmin } from './tokenScopes';
import { fail, ok, type Result } from './result';

/** What a request was authenticated by, as the table distinguishes it. */
export const CREDENTIAL_KINDS = [
  'password',
  'encryptedPassword',
  'apiKey',
  'encryptedApiKey',
  'unlockedSession',
  'lockedSession',
  'sso',
  'lfsToken',
  'userToken',
  'adminToken',
] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const OPERATIONS = [
  'identify',
  'readProfile',
  'chooseMail',
  'revealSecrets',
  'revealEncryptedPassword',
  'changeOwnPassword',
  'changeOwnDetails',
  'manageSignInMethods',
  'manageApiKey',
  'manageTokens',
  'manageSessions',
  'adminRead',
  'adminChange',
  'adminPowers',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/**
 * `yes`: allowed. `flag`: allowed only for a user whose admin set keys-without-unlock (SSO users have no
 * password to unlock with). `no`: refused with 403.
 */
export type Permission = 'yes' | 'flag' | 'no';

type Row = Record<CredentialKind, Permission>;
const row = (p: Permission[]): Row => Object.fromEntries(CREDENTIAL_KINDS.map((kind, i) => [kind, p[i]])) as Row;

// A user-scoped token acts as the user; an admin-scoped one adds admin powers (while its user is an
// admin). Neither reveals the API key (which never expires: a token's expiry would then be worth
// nothing). Tokens make tokens (`jf atc` needs that), never stronger or longer-lived ones, and revoked
// with their maker; an API key makes none (it would outlive revoking the key).
//                                    password AP1   API key AP2   unlocked locked SSO   LFS   token  admin token
export const PERMISSIONS: Record<Operation, Row> = {
  identify: /*                */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes']),
  readProfile: /*             */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'yes', 'yes']),
  // Informational mail only (reminders): security mail cannot be turned off, so a script may choose too.
  chooseMail: /*              */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'yes', 'yes']),
  revealSecrets: /*           */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'flag', 'flag', 'no', 'no', 'no']),
  revealEncryptedPassword: /* */ row(['yes', 'yes', 'no', 'no', 'yes', 'no', 'no', 'no', 'no', 'no']),
  // The old password goes in the body as well, and is checked there.
  changeOwnPassword: /*       */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'yes', 'yes']),
  changeOwnDetails: /*        */ row(['yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no', 'no']),
  manageSignInMethods: /*     */ row(['yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no', 'no']),
  manageApiKey: /*            */ row(['yes', 'yes', 'no', 'no', 'yes', 'flag', 'flag', 'no', 'no', 'no']),
  manageTokens: /*            */ row(['yes', 'yes', 'no', 'no', 'yes', 'flag', 'flag', 'no', 'yes', 'yes']),
  // Sessions show where one is signed in, and ending them is what a user does who fears one was taken:
  // only the password or a fresh unlock (ASVS 7.5.2), never a credential a script holds.
  manageSessions: /*          */ row(['yes', 'no', 'no', 'no', 'yes', 'flag', 'flag', 'no', 'no', 'no']),
  adminRead: /*               */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'yes']),
  adminChange: /*             */ row(['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'no', 'yes']),
  // Making an admin, or taking over one's sign-in: only the password or a fresh unlock, never a script's
  // credential (else an admin's leaked key makes a second admin, who then changes the first one's password).
  adminPowers: /*             */ row(['yes', 'no', 'no', 'no', 'yes', 'no', 'no', 'no', 'no', 'no']),
};

/** How docs/security.md names each operation and kind (its table is checked against PERMISSIONS). */
export const OPERATION_LABELS: Record<Operation, string> = {
  identify: 'identify (system version, Git LFS, sign out)',
  readProfile: 'read own profile, record and activity',
  chooseMail: 'turn own informational mail (expiry reminders) on or off',
  revealSecrets: 'reveal own secrets (API key, Bintray key)',
  revealEncryptedPassword: 'reveal the encrypted password (AP1)',
  changeOwnPassword: 'change own password (old password in the body)',
  changeOwnDetails: 'change own e-mail and Bintray credentials',
  manageSignInMethods: 'manage SSH keys and OAuth bindings',
  manageApiKey: 'create, regenerate or revoke the API key',
  manageTokens: 'create, list and revoke own access tokens',
  manageSessions: 'list and end own browser sessions',
  adminRead: 'admin reads (users, activity, policies)',
  adminChange: 'admin changes (users, passwords, keys, locks, policies)',
  adminPowers: "grant admin; change an admin's password or e-mail; tokens for an admin; read another admin's API key",
};

export const CREDENTIAL_LABELS: Record<CredentialKind, string> = {
  password: 'password',
  encryptedPassword: 'AP1',
  apiKey: 'API key',
  encryptedApiKey: 'AP2',
  unlockedSession: 'unlocked session',
  lockedSession: 'locked session',
  sso: 'SSO',
  lfsToken: 'LFS token',
  userToken: 'access token',
  adminToken: 'admin token',
};

/** The kind of credential behind a principal, at this moment (an unlock runs out). */
export function credentialKind(principal: Principal, now: number): CredentialKind {
  switch (principal.via) {
    case 'password':
      return 'password';
    case 'encryptedPassword':
      return 'encryptedPassword';
    case 'encryptedApiKey':
      return 'encryptedApiKey';
    case 'apiKey':
      return 'apiKey';
    case 'lfsToken':
      return 'lfsToken';
    case 'accessToken':
      return principal.accessToken && tokenIsAdmin(principal.accessToken) ? 'adminToken' : 'userToken';
    case 'sso':
      return 'sso';
    case 'session':
      return (principal.session?.unlockedUntil ?? 0) > now ? 'unlockedSession' : 'lockedSession';
  }
}

function allowed(permission: Permission, principal: Principal): boolean {
  return permission === 'yes' || (permission === 'flag' && principal.user.keysWithoutUnlock);
}

const REFUSALS: Record<Operation, string> = {
  identify: 'This credential cannot be used here',
  readProfile: 'A Git LFS token only identifies you to Git LFS: use your API key or password for this',
  chooseMail: 'A Git LFS token only identifies you to Git LFS: use your API key or password for this',
  revealSecrets: 'Unlock your profile with your password to see its secrets',
  revealEncryptedPassword: 'Ask for the encrypted password with your password or an unlocked session, not an API key',
  changeOwnPassword: 'A Git LFS token only identifies you to Git LFS: use your password for this',
  changeOwnDetails: 'Changing your e-mail or Bintray credentials needs your password or a fresh unlock',
  manageSignInMethods: 'Managing SSH keys and bound accounts needs your password or a fresh unlock',
  manageApiKey: 'An API key or token cannot create, regenerate or revoke an API key: use your password or an unlocked session',
  manageTokens: 'Unlock your profile with your password to manage tokens',
  manageSessions: 'Unlock your profile with your password to see and end your sessions',
  adminRead: 'Only an administrator may do this',
  adminChange: 'Administrator changes need your password, an API key, an admin-scoped token or a fresh unlock',
  adminPowers: "Granting admin, changing an admin's password or e-mail, or reading an admin's key needs your password or a fresh unlock",
};

/** Whether the principal may perform the operation now; admin operations need an admin as well. */
export function mayPerform(principal: Principal, operation: Operation, now: number): Result<void> {
  const kind = credentialKind(principal, now);
  const admin = operation === 'adminRead' || operation === 'adminChange' || operation === 'adminPowers';
  if (admin && !principal.user.admin && kind !== 'lfsToken') return fail('FORBIDDEN', 'Only an administrator may do this');
  if (allowed(PERMISSIONS[operation][kind], principal)) return ok(undefined);
  if (kind === 'lfsToken') return fail('FORBIDDEN', REFUSALS.readProfile);
  if (kind === 'userToken' && admin)
    return fail('FORBIDDEN', 'This token is scoped to applied-permissions/user: admin calls need a token with applied-permissions/admin');
  // A session that only needs unlocking is told so, in the code the extension acts on.
  const unlockWould = kind === 'lockedSession' && PERMISSIONS[operation].unlockedSession === 'yes';
  if (unlockWould)
    return fail('UNLOCK_REQUIRED', operation === 'adminChange' ? 'Unlock with your password to make administrator changes' : REFUSALS[operation]);
  return fail('FORBIDDEN', REFUSALS[operation]);
}

/**
 * The admin's profileUpdatable flag: off, the user keeps what they have but changes nothing about how
 * they are reached or signed in (e-mail, SSH keys, bound accounts). The password has its own rules.
 */
export function mayUpdateProfile(user: { profileUpdatable: boolean }): Result<void> {
  return user.profileUpdatable ? ok(undefined) : fail('FORBIDDEN', 'Your administrator does not let you change your profile');
}

/** What the profile reports as "unlocked": whether secrets can be shown to this principal now. */
export function canSeeSecrets(principal: Principal, now: number): boolean {
  return mayPerform(principal, 'revealSecrets', now).ok;
}
