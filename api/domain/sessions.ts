/** The extension's sessions: sign-in (which counts as an unlock), unlock, lock and sign-out. */
import { generateSessionToken, storedTokenHash } from '../crypto/secrets';
import type { Principal } from './credentials';
import { UI_ACCESS_DISABLED_MESSAGE, verifyUserPassword } from './credentials';
import { ssoUser } from './httpSso';
import { changePassword } from './passwords';
import { passwordExpiredNow } from './passwordExpiry';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import type { SessionRecord, UserRecord } from './records';
import type { SessionSummary } from '../../shared/schemas';
import { browserFamily, describeUserAgent } from '../../shared/userAgents';
import { readUsage, usageKey } from './usage';
import { securityNotice } from './notices';
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
    clientAddress: ctx.clientAddress,
    userAgent: ctx.userAgent?.slice(0, 256) ?? null,
  };
  const browser = browserFamily(ctx.userAgent);
  const newBrowserMail = await securityNotice(deps, ctx, user, {
    subject: `New sign-in to Keyfob from ${browser}`,
    happened: `Your Keyfob account ${user.name} was signed in to from a browser it had not been used from before: ${browser}.`,
  });
  const isNew = await deps.store.recordSignIn(session, [auditEvent(deps, ctx, 'sign-in', user, { client: browser })], { name: browser, newBrowserMail });
  if (isNew && newBrowserMail.length > 0) deps.afterMailQueued?.();
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

/** The first characters of a session's stored hash name it in the list: enough to tell sessions apart, no use to sign in with. */
const SESSION_ID_LENGTH = 16;

/** The user's browser sessions (ASVS 7.5.2; the route lets only the password or a fresh unlock ask): where each began, when it was last used and from where. */
export async function listOwnSessions(deps: DomainDeps, principal: Principal): Promise<SessionSummary[]> {
  const sessions = await deps.store.listSessions(principal.user.id, deps.clock.now());
  const usageOf = await readUsage(
    deps,
    sessions.map((session) => usageKey.session(session.tokenHash)),
  );
  const iso = (at: number) => new Date(at).toISOString();
  return sessions.map((session) => ({
    id: session.tokenHash.slice(0, SESSION_ID_LENGTH),
    current: session.tokenHash === principal.session?.tokenHash,
    client: describeUserAgent(session.userAgent),
    signedInFrom: session.clientAddress ?? null,
    createdAt: iso(session.createdAt),
    lastSeenAt: iso(session.lastSeenAt),
    expiresAt: iso(Math.min(session.expiresAt, session.createdAt + deps.settings.sessionMaxMs)),
    usage: usageOf(usageKey.session(session.tokenHash)),
  }));
}

/** Ends one of the user's sessions by its id in the list (their current one too: that is signing out). */
export async function endOwnSession(deps: DomainDeps, ctx: RequestContext, principal: Principal, id: string): Promise<Result<void>> {
  const session =
    id.length === SESSION_ID_LENGTH ? (await deps.store.listSessions(principal.user.id, deps.clock.now())).find((s) => s.tokenHash.startsWith(id)) : undefined;
  if (!session) return fail('NOT_FOUND', 'You have no such session: it may have ended already');
  const detail = { client: describeUserAgent(session.userAgent), ...(session.tokenHash === principal.session?.tokenHash && { current: 'true' }) };
  await deps.store.deleteSession(session.tokenHash, [auditEvent(deps, ctx, 'session-ended', principal.user, detail)]);
  return ok(undefined);
}
