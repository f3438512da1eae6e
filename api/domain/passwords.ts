/** Password changes and expiry, under the server's policy whatever a client sends. */
import { commonPasswordProblem } from '../../shared/commonPasswords';
import { passwordPolicyProblem } from '../../shared/passwordPolicy';
import { isExternalRealm, userNameKey } from '../../shared/schemas';
import { generatePasswordStamp } from '../crypto/secrets';
import { mayPerform } from './access';
import { verifyUserPassword, type Principal } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { PasswordHasher } from './ports';
import type { NewOutboxMessage, UserRecord } from './records';
import { byAdmin, securityNotice } from './notices';
import { fail, ok, type Result } from './result';

/**
 * The server's password policy, and never one of the most common passwords; the reason is shown to the
 * user as it is. Every path that sets a password (admin create and replace, change, reset, an expired
 * password's renewal) comes through here.
 */
export function checkPasswordPolicy(deps: DomainDeps, user: Pick<UserRecord, 'nameKey'>, password: string): Result<void> {
  const problem = passwordPolicyProblem(deps.settings.passwordPolicy, password, user.nameKey) ?? commonPasswordProblem(password);
  return problem ? fail('BAD_REQUEST', problem) : ok(undefined);
}

/**
 * Passwords hashed and verified in Unicode NFC, so one typed as NFD on one machine (`e` + combining accent)
 * and as NFC on another (`é`) is the same password. A hash made before Keyfob normalised is of the bytes as
 * sent: when the normal form differs and fails, those bytes are tried too.
 */
export function normalisingHasher(hasher: PasswordHasher): PasswordHasher {
  return {
    hash: (password) => hasher.hash(password.normalize('NFC')),
    async verify(hash, password) {
      const normal = password.normalize('NFC');
      return (await hasher.verify(hash, normal)) || (normal !== password && hasher.verify(hash, password));
    },
    needsRehash: (hash) => hasher.needsRehash(hash),
  };
}

/**
 * A fresh hash and stamp for a new password: the stamp change kills the old encrypted password. The
 * expiration policy's age starts now, and the new password has had no expiry notice.
 */
export async function passwordFields(deps: DomainDeps, password: string) {
  return {
    passwordHash: await deps.hasher.hash(password),
    passwordStamp: generatePasswordStamp(deps.randomBytes),
    passwordExpired: false,
    passwordChangedAt: deps.clock.now(),
    passwordNoticeDays: null,
  };
}

export interface PasswordChange {
  userName: string;
  oldPassword?: string;
  newPassword1: string;
  newPassword2: string;
}

/**
 * Artifactory's Change Password: a user changes their own (proving the old one), an admin anyone's.
 * Keeps the API key, ends the user's other sessions, and kills the old encrypted password.
 */
export async function changePassword(deps: DomainDeps, ctx: RequestContext, principal: Principal, change: PasswordChange): Promise<Result<UserRecord>> {
  const actor = principal.user;
  const target = await deps.store.findUserByNameKey(userNameKey(change.userName));
  const self = target?.id === actor.id;
  if (!actor.admin && !self) return fail('FORBIDDEN', 'You may change only your own password');
  if (!self) {
    // Setting someone else's password is an admin change: a locked session may not, and an admin's only
    // with the password or an unlock.
    const permitted = mayPerform(principal, target?.admin ? 'adminPowers' : 'adminChange', deps.clock.now());
    if (!permitted.ok) return permitted;
  }
  if (!target) return fail('NOT_FOUND', `User '${change.userName.slice(0, 64)}' does not exist`);
  if (!actor.admin && isExternalRealm(target.realm)) {
    return fail('EXTERNAL_REALM', `Users of the ${target.realm} realm sign in through their directory and cannot change their password in Keyfob`);
  }
  if (change.newPassword1 !== change.newPassword2) return fail('BAD_REQUEST', 'The new passwords do not match');
  const policy = checkPasswordPolicy(deps, target, change.newPassword1);
  if (!policy.ok) return policy;
  if (self) {
    if (!change.oldPassword) return fail('BAD_REQUEST', 'The old password is required');
    const checked = await verifyUserPassword(deps, ctx, target.name, change.oldPassword);
    if (!checked.ok) return checked.code === 'BAD_CREDENTIALS' ? fail('FORBIDDEN', 'The old password is incorrect') : checked;
    if (await deps.hasher.verify(checked.value.passwordHash as string, change.newPassword1)) {
      return fail('BAD_REQUEST', 'The new password must differ from the old one');
    }
  }
  const fields = await passwordFields(deps, change.newPassword1);
  const detail = self ? undefined : { by: actor.name };
  const mail = await passwordChangedNotice(deps, ctx, target, self ? null : actor);
  const updated = await deps.store.updateUser(
    target.id,
    { ...fields, updatedAt: deps.clock.now() },
    [auditEvent(deps, ctx, 'password-changed', target, detail)],
    { endSessionsExcept: self ? (principal.session?.tokenHash ?? null) : null, mail },
  );
  if (updated && mail.length > 0) deps.afterMailQueued?.();
  return updated ? ok(updated) : fail('NOT_FOUND', `User '${target.name}' does not exist`);
}

/** The password changed: the owner always hears of it (a thief's first move is to change it); `actor` null when they did it. */
export async function passwordChangedNotice(
  deps: DomainDeps,
  ctx: RequestContext,
  user: Pick<UserRecord, 'name' | 'email'>,
  actor: Pick<UserRecord, 'name'> | null,
  how = '',
): Promise<NewOutboxMessage[]> {
  return securityNotice(deps, ctx, user, {
    subject: 'Your Keyfob password was changed',
    happened: `${actor ? `${byAdmin(actor)} changed the password of your Keyfob account ${user.name}` : `The password of your Keyfob account ${user.name} was changed${how}`}. Your other sessions were ended, and the old encrypted password no longer works.`,
    ifNotYou: 'reset your password now with "Forgot password", and tell your administrator',
  });
}
