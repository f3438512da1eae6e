/**
 * When a Keyfob password has expired: an admin expired it (Artifactory's expirePassword), or the
 * expiration policy is on and the password is older than its maximum age. One rule, `isPasswordExpired`,
 * for every path that lets a password (or what stands for it: AP1, a session) in. An expired password
 * is refused at its next use until it is changed; API keys go on working.
 *
 * With `notifyByEmail`, housekeeping mails the owner 30, 7 and 1 day before the password expires (each
 * notice once per password, whichever process sends it; none to a user who turned informational mail off).
 * The rule for which reminder is due is expiryReminders.ts's, shared with access tokens.
 */
import { isExternalRealm, userNameKey, type PasswordExpirationPolicy, type PasswordExpirationPolicyChange } from '../../shared/schemas';
import { internalPasswordUsable } from './credentials';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { DAY_MS, dueReminder, REMINDER_DAYS, timeLeftInWords, whenInWords } from './expiryReminders';
import { composeMail } from './mail';
import type { Store } from './ports';
import type { UserRecord } from './records';
import { fail, ok, type Result } from './result';

const POLICY_SETTING = 'passwordExpirationPolicy';
/** Artifactory's defaults. */
export const DEFAULT_PASSWORD_EXPIRATION_POLICY: PasswordExpirationPolicy = { enabled: false, passwordMaxAge: 60, notifyByEmail: true };

export async function getPasswordExpirationPolicy(store: Store): Promise<PasswordExpirationPolicy> {
  return { ...DEFAULT_PASSWORD_EXPIRATION_POLICY, ...(await store.getSetting<PasswordExpirationPolicy>(POLICY_SETTING)) };
}

/** A PUT of the policy: what it leaves out keeps its value; an enabled policy needs an age of 1 to 999 days. */
export async function setPasswordExpirationPolicy(store: Store, change: PasswordExpirationPolicyChange): Promise<Result<PasswordExpirationPolicy>> {
  const current = await getPasswordExpirationPolicy(store);
  const next: PasswordExpirationPolicy = {
    enabled: change.enabled ?? current.enabled,
    // A disabled policy may carry 0 (Terraform's destroy sends its state's value): it is kept as given.
    passwordMaxAge: change.passwordMaxAge ?? current.passwordMaxAge,
    notifyByEmail: change.notifyByEmail ?? current.notifyByEmail,
  };
  if (next.enabled && next.passwordMaxAge < 1) return fail('BAD_REQUEST', 'An enabled password expiration policy needs passwordMaxAge between 1 and 999 days');
  await store.putSetting(POLICY_SETTING, next);
  return ok(next);
}

/** When the policy ends the user's password; null when it never does (policy off, or no Keyfob password). */
export function passwordExpiresAt(policy: PasswordExpirationPolicy, user: UserRecord): number | null {
  if (!policy.enabled || policy.passwordMaxAge < 1 || user.passwordChangedAt === null || !internalPasswordUsable(user)) return null;
  return user.passwordChangedAt + policy.passwordMaxAge * DAY_MS;
}

/** The one expiry rule: flagged by an admin, or past the policy's maximum age. */
export function isPasswordExpired(policy: PasswordExpirationPolicy, user: UserRecord, now: number): boolean {
  if (user.passwordExpired) return true;
  const expiresAt = passwordExpiresAt(policy, user);
  return expiresAt !== null && now >= expiresAt;
}

/** Whether the user's password is expired now, as every credential check and the user record see it. */
export async function passwordExpiredNow(deps: DomainDeps, user: UserRecord): Promise<boolean> {
  if (user.passwordExpired) return true;
  return isPasswordExpired(await getPasswordExpirationPolicy(deps.store), user, deps.clock.now());
}

/** Expires (or, with `expired` false, renews) one user's Keyfob password; 404 for a name nobody has. */
export async function setPasswordExpired(
  deps: DomainDeps,
  ctx: RequestContext,
  actor: UserRecord,
  userName: string,
  expired: boolean,
): Promise<Result<UserRecord>> {
  const target = await deps.store.findUserByNameKey(userNameKey(userName));
  if (!target) return fail('NOT_FOUND', `User '${userName.slice(0, 64)}' does not exist`);
  // A directory's users could never renew a password expired here: it would shut them out for good.
  if (isExternalRealm(target.realm) || target.passwordHash === null) {
    return fail('BAD_REQUEST', `User '${target.name}' has no Keyfob password to ${expired ? 'expire' : 'unexpire'}`);
  }
  await deps.store.setPasswordsExpired([target.nameKey], expired, deps.clock.now(), [
    auditEvent(deps, ctx, expired ? 'password-expired' : 'password-unexpired', target, { by: actor.name }),
  ]);
  return ok(target);
}

/**
 * Sets (or clears) the expired flag of the named users, or of every user with a Keyfob password when
 * `names` is null. Names nobody has, and users of external realms, are passed over. Returns how many changed.
 */
export async function setPasswordsExpired(deps: DomainDeps, ctx: RequestContext, actor: UserRecord, names: string[] | null, expired: boolean): Promise<number> {
  const keys = names === null ? null : [...new Set(names.map(userNameKey))];
  const type = expired ? 'password-expired' : 'password-unexpired';
  return deps.store.setPasswordsExpired(keys, expired, deps.clock.now(), [
    auditEvent(deps, ctx, type, actor, { by: actor.name, scope: keys === null ? 'all' : String(keys.length) }),
  ]);
}

function noticeText(user: UserRecord, expiresAt: number, now: number, publicUrl: string | null): string {
  const where = publicUrl ? ` at ${publicUrl}` : '';
  return [
    `Hello ${user.name},`,
    '',
    `Your Keyfob password expires ${timeLeftInWords(expiresAt, now)}, on ${whenInWords(expiresAt)}.`,
    `Change it before then${where} (the extension's profile, or Artifactory's Change Password call).`,
    'Once it has expired you can still sign in to change it; your API key keeps working either way.',
  ].join('\n');
}

/**
 * Housekeeping's part: mails each owner whose password expires within a notice's reach, once per notice
 * and password. A password already past a later notice gets that one only (the 1-day notice, not all
 * three). Returns how many notices were queued.
 */
export async function sendPasswordExpiryNotices(deps: DomainDeps): Promise<number> {
  const policy = await getPasswordExpirationPolicy(deps.store);
  if (!policy.enabled || !policy.notifyByEmail || policy.passwordMaxAge < 1) return 0;
  const now = deps.clock.now();
  const earliest = Math.max(...REMINDER_DAYS);
  // Passwords set late enough to be unexpired, and early enough for the first notice to be due.
  const candidates = await deps.store.listPasswordNoticeCandidates(now - policy.passwordMaxAge * DAY_MS, now - (policy.passwordMaxAge - earliest) * DAY_MS);
  const ctx = { clientAddress: null, userAgent: 'keyfob housekeeping' };
  let sent = 0;
  for (const user of candidates) {
    const expiresAt = passwordExpiresAt(policy, user);
    if (expiresAt === null || user.passwordChangedAt === null || !user.email || !user.notifyInformational) continue;
    const due = dueReminder({ startedAt: user.passwordChangedAt, expiresAt, lastSent: user.passwordNoticeDays }, now);
    if (due === null) continue;
    const mail = await composeMail(deps, user.email, 'Your Keyfob password expires soon', noticeText(user, expiresAt, now, deps.settings.publicUrl));
    const claimed = await deps.store.claimPasswordNotice(user.id, user.passwordStamp, due, mail, [
      auditEvent(deps, ctx, 'password-expiry-notice', user, { days: String(due) }),
    ]);
    if (claimed) sent++;
  }
  if (sent > 0) deps.afterMailQueued?.();
  return sent;
}
