/** The extension's sessions: sign-in (which counts as an unlock), unlock, lock and sign-out. */
import { generateSessionToken, storedTokenHash } from '../crypto/secrets';
import type { Principal } from './credentials';
import { verifyUserPassword } from './credentials';
import { ssoUser } from './httpSso';
import { changePassword } from './passwords';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { SessionRecord, UserRecord } from './ports';
import { fail, ok, type Result } from './result';

export interface NewSession {
  token: string;
  session: SessionRecord;
  user: UserRecord;
}

function refusePasswordExpired(user: UserRecord): Result<never> | null {
  return user.passwordExpired
    ? fail('PASSWORD_EXPIRED', 'Your password has expired: change it before you sign in')
    : null;
}

export async function signIn(deps: DomainDeps, ctx: RequestContext, username: string, password: string): Promise<Result<NewSession>> {
  const checked = await verifyUserPassword(deps, ctx, username, password);
  if (!checked.ok) return checked;
  const user = checked.value;
  const expired = refusePasswordExpired(user);
  if (expired) return expired;
  return ok(await startSession(deps, ctx, user, true));
}

/**
 * Sign-in through a trusted HTTP SSO proxy. It does not count as an unlock: an SSO user has no Keyfob
 * password, so only the admin's keys-without-unlock flag shows them their secrets.
 */
export async function signInWithSso(deps: DomainDeps, ctx: RequestContext, name: string | null): Promise<Result<NewSession>> {
  if (!deps.settings.httpSso || !name) return fail('UNAUTHENTICATED', 'Single sign-on is not available here: sign in with your user name and password');
  const user = await ssoUser(deps, ctx, deps.settings.httpSso, name);
  if (!user.ok) return user;
  if (user.value.lockedAt !== null) return fail('USER_LOCKED', 'This account is locked: ask an administrator to unlock it');
  return ok(await startSession(deps, ctx, user.value, false));
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
  const changed = await changePassword(deps, ctx, { user: checked.value, via: 'password' }, { ...input, userName: checked.value.name });
  if (!changed.ok) return changed;
  return ok(await startSession(deps, ctx, changed.value, true));
}

/** A new extension session; a sign-in with the password counts as an unlock. */
export async function startSession(deps: DomainDeps, ctx: RequestContext, user: UserRecord, unlocked: boolean): Promise<NewSession> {
  const now = deps.clock.now();
  const token = generateSessionToken(deps.randomBytes);
  const session: SessionRecord = {
    tokenHash: storedTokenHash(deps.keys, token),
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.settings.sessionIdleMs,
    unlockedUntil: unlocked ? now + deps.settings.unlockWindowMs : null,
    kind: 'browser',
    sshKeyId: null,
  };
  await deps.store.recordSignIn(session, [auditEvent(deps, ctx, 'sign-in', user)]);
  return { token, session, user: { ...user, lastLoggedIn: now } };
}

function requireSession(principal: Principal): Result<SessionRecord> {
  return principal.session?.kind === 'browser' ? ok(principal.session) : fail('BAD_REQUEST', 'This call needs a session: sign in first');
}

/** Re-entering the password opens the session's secrets for the unlock window. */
export async function unlockSession(deps: DomainDeps, ctx: RequestContext, principal: Principal, password: string): Promise<Result<SessionRecord>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  const checked = await verifyUserPassword(deps, ctx, principal.user.name, password);
  if (!checked.ok) return checked;
  const unlockedUntil = deps.clock.now() + deps.settings.unlockWindowMs;
  await deps.store.updateSession(session.value.tokenHash, { unlockedUntil }, [auditEvent(deps, ctx, 'unlock', principal.user)]);
  return ok({ ...session.value, unlockedUntil });
}

export async function lockSession(deps: DomainDeps, principal: Principal): Promise<Result<SessionRecord>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  await deps.store.updateSession(session.value.tokenHash, { unlockedUntil: null }, []);
  return ok({ ...session.value, unlockedUntil: null });
}

export async function signOut(deps: DomainDeps, ctx: RequestContext, principal: Principal): Promise<Result<void>> {
  const session = requireSession(principal);
  if (!session.ok) return session;
  await deps.store.deleteSession(session.value.tokenHash, [auditEvent(deps, ctx, 'sign-out', principal.user)]);
  return ok(undefined);
}
