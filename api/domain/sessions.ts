/** The extension's sessions: sign-in (which counts as an unlock), unlock, lock and sign-out. */
import { generateSessionToken, storedTokenHash } from '../crypto/secrets';
import type { Principal } from './credentials';
import { UI_ACCESS_DISABLED_MESSAGE, verifyUserPassword } from './credentials';
import { ssoUser } from './httpSso';
import { changePassword } from './passwords';
import { passwordExpiredNow } from './passwordExpiry';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { SessionRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';
import { LOCKED, openUnlock, type IdleMinutes } from './unlockWindow';

export interface NewSession {
  token: string;
  session: SessionRecord;
  user: UserRecord;
}

async function refusePasswordExpired(deps: DomainDeps, user: UserRecord): Promise<Result<never> | null> {
  return (await passwordExpiredNow(deps, user)) ? fail('PASSWORD_EXPIRED', 'Your password has expired: change it before you sign in') : null;
}

export async function signIn(
  deps: DomainDeps,
  ctx: RequestContext,
  username: string,
  password: string,
  idleMinutes?: IdleMinutes,
): Promise<Result<NewSession>> {
  const checked = await verifyUserPassword(deps, ctx, username, password);
  if (!checked.ok) return checked;
  const user = checked.value;
  if (user.disableUIAccess) return fail('FORBIDDEN', UI_ACCESS_DISABLED_MESSAGE);
  const expired = await refusePasswordExpired(deps, user);
  if (expired) return expired;
  return ok(await startSession(deps, ctx, user, { unlocked: true, idleMinutes }));
}

/**
 * Sign-in through a trusted HTTP SSO proxy. It does not count as an unlock: an SSO user has no Keyfob
 * password, so only the admin's keys-without-unlock flag shows them their secrets.
 */
export async function signInWithSso(deps: DomainDeps, ctx: RequestContext, name: string | null): Promise<Result<NewSession>> {
  if (!deps.settings.httpSso || !name) return fail('UNAUTHENTICATED', 'Single sign-on is not available here: sign in with your user name and password');
  const user = await ssoUser(deps, ctx, deps.settings.httpSso, name);
  if (!user.ok) return user;
  // No lock check: the sign-in lock stops password guesses, and this is no password (domain/lockout.ts).
  if (user.value.disableUIAccess) return fail('FORBIDDEN', UI_ACCESS_DISABLED_MESSAGE);
  return ok(await startSession(deps, ctx, user.value, { unlocked: false }));
}

/**
 * Sign-in for a user whose password expired (or anyone who wants to change it on the way in): the old
 * password proves who they are, the new one must pass the policy, and the session starts on the new one.
 */
export async function changePasswordAndSignIn(
  deps: DomainDeps,
  ctx: RequestContext,
  input: { username: string; oldPassword: string; newPassword1: string; newPassword2: string },
): Promise<Result<NewSession>> {
  const checked = await verifyUserPassword(deps, ctx, input.username, input.oldPassword);
  if (!checked.ok) return checked;
  if (checked.value.disableUIAccess) return fail('FORBIDDEN', UI_ACCESS_DISABLED_MESSAGE);
  const changed = await changePassword(deps, ctx, { user: checked.value, via: 'password' }, { ...input, userName: checked.value.name });
  if (!changed.ok) return changed;
  return ok(await startSession(deps, ctx, changed.value, { unlocked: true }));
}

/** A new extension session; a sign-in with the password counts as an unlock (for `idleMinutes`, or the default window). */
export async function startSession(
  deps: DomainDeps,
  ctx: RequestContext,
  user: UserRecord,
  options: { unlocked: boolean; idleMinutes?: IdleMinutes },
): Promise<NewSession> {
  const now = deps.clock.now();
  const token = generateSessionToken(deps.randomBytes);
  const session: SessionRecord = {
    tokenHash: storedTokenHash(deps.keys, token),
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.settings.sessionIdleMs,
    ...(options.unlocked ? openUnlock(deps.settings, now, options.idleMinutes) : LOCKED),
    kind: 'browser',
    sshKeyId: null,
  };
  await deps.store.recordSignIn(session, [auditEvent(deps, ctx, 'sign-in', user)]);
  return { token, session, user: { ...user, lastLoggedIn: now } };
}

function requireSession(principal: Principal): Result<SessionRecord> {
  return principal.session?.kind === 'browser' ? ok(principal.session) : fail('BAD_REQUEST', 'This call needs a session: sign in first');
}

/** Re-entering the password opens the session's secrets for the unlock window (`idleMinutes` of no use, or the default). */
export async function unlockSession(
  deps: DomainDeps,
  ctx: RequestContext,
  principal: Principal,
  password: string,
  idleMinutes?: IdleMinutes,
): Promise<Result<SessionRecord>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  const checked = await verifyUserPassword(deps, ctx, principal.user.name, password, { sessionHeld: true });
  if (!checked.ok) return checked;
  const unlock = openUnlock(deps.settings, deps.clock.now(), idleMinutes);
  await deps.store.updateSession(session.value.tokenHash, unlock, [auditEvent(deps, ctx, 'unlock', principal.user)]);
  return ok({ ...session.value, ...unlock });
}

export async function lockSession(deps: DomainDeps, principal: Principal): Promise<Result<SessionRecord>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  await deps.store.updateSession(session.value.tokenHash, LOCKED, []);
  return ok({ ...session.value, ...LOCKED });
}

export async function signOut(deps: DomainDeps, ctx: RequestContext, principal: Principal): Promise<Result<void>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  await deps.store.deleteSession(session.value.tokenHash, [auditEvent(deps, ctx, 'sign-out', principal.user)]);
  return ok(undefined);
}
