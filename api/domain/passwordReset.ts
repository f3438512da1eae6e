/**
 * Forgot password: a single-use link by mail. The answer to a request is the same, in status, body and
 * time, whether or not the user exists: all the work happens after the answer, in the background.
 */
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { userNameKey } from '../../shared/schemas';
import { storedTokenHash } from '../crypto/secrets';
import { addressForLimits } from '../http/clientAddress';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { composeMail } from './mail';
import { checkPasswordPolicy, passwordChangedNotice, passwordFields } from './passwords';
import type { UserRecord } from './records';
import { fail, ok, type Result } from './result';

export const RESET_PAGE_PATH = '/reset-password';
const WINDOW_MS = 15 * 60_000;
/** Per user name: more requests than this in the window are answered the same but send nothing. */
export const RESETS_PER_USER = 3;
/** Per client address: more than this in the window get 429. */
export const RESETS_PER_ADDRESS = 10;

export const RESET_REQUESTED_MESSAGE = 'If that user exists and has an email address, a link to reset the password is on its way';

/** The part of a request the caller waits for: only the per-address limit, which is the same for everyone. */
export async function admitResetRequest(deps: DomainDeps, ctx: RequestContext): Promise<Result<void>> {
  const now = deps.clock.now();
  const count = await deps.store.hitThrottle(`reset-address:${addressForLimits(ctx.clientAddress)}`, WINDOW_MS, now);
  if (count > RESETS_PER_ADDRESS) {
    const { windowEndsAt } = await deps.store.peekThrottle(`reset-address:${addressForLimits(ctx.clientAddress)}`, now);
    return fail('RATE_LIMITED', 'Too many reset requests from this address: try again later', {
      retryAfterSeconds: Math.max(1, Math.ceil((windowEndsAt - now) / 1000)),
    });
  }
  return ok(undefined);
}

/**
 * The part that runs after the answer: counts the request against the user name (known or not), and
 * for a user with an email, records a reset and queues the mail with its link.
 */
export async function processResetRequest(deps: DomainDeps, ctx: RequestContext, username: string, baseUrl: string): Promise<void> {
  const nameKey = userNameKey(username);
  const now = deps.clock.now();
  const count = await deps.store.hitThrottle(`reset-user:${nameKey}`, WINDOW_MS, now);
  if (count > RESETS_PER_USER) return;
  const user = await deps.store.findUserByNameKey(nameKey);
  // External users have no Keyfob password to reset; users without an email have nowhere to get the link.
  if (!user?.email || user.realm !== 'internal' || user.internalPasswordDisabled) return;
  const token = encodeBase32LowerCaseNoPadding(deps.randomBytes(20));
  const minutes = Math.round(deps.settings.resetLinkMs / 60_000);
  const link = `${baseUrl.replace(/\/+$/, '')}${RESET_PAGE_PATH}#token=${token}`;
  const text = [
    `Hello ${user.name},`,
    '',
    'Someone asked to reset your Keyfob password. To choose a new one, open this link:',
    '',
    link,
    '',
    `It works once, for ${minutes} minutes. If you did not ask, ignore this mail: your password stays as it is.`,
  ].join('\n');
  await deps.store.insertPasswordReset(
    { tokenHash: storedTokenHash(deps.keys, token), userId: user.id, createdAt: now, expiresAt: now + deps.settings.resetLinkMs, usedAt: null },
    await composeMail(deps, user.email, 'Reset your Keyfob password', text),
    [auditEvent(deps, ctx, 'password-reset-requested', user)],
  );
}

const LINK_INVALID = 'This reset link has expired or was already used: ask for a new one';

async function findUsableReset(deps: DomainDeps, token: string) {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const reset = await deps.store.findPasswordReset(storedTokenHash(deps.keys, token));
  if (!reset || reset.usedAt !== null || reset.expiresAt <= deps.clock.now()) return null;
  const user = await deps.store.findUserById(reset.userId);
  return user ? { reset, user } : null;
}

/**
 * Sets the new password through the link, under the same policy as any change. Keeps the API key, kills
 * the old encrypted password, ends every session, and clears the failed sign-ins but not a lock.
 */
export async function completeReset(
  deps: DomainDeps,
  ctx: RequestContext,
  input: { token: string; newPassword1: string; newPassword2: string },
): Promise<Result<UserRecord>> {
  const found = await findUsableReset(deps, input.token);
  if (!found) return fail('NOT_FOUND', LINK_INVALID);
  const { reset, user } = found;
  if (input.newPassword1 !== input.newPassword2) return fail('BAD_REQUEST', 'The new passwords do not match');
  const policy = checkPasswordPolicy(deps, user, input.newPassword1);
  if (!policy.ok) return policy;
  if (user.passwordHash && (await deps.hasher.verify(user.passwordHash, input.newPassword1))) {
    return fail('BAD_REQUEST', 'The new password must differ from the old one');
  }
  const now = deps.clock.now();
  const changes = { ...(await passwordFields(deps, input.newPassword1)), updatedAt: now };
  const mail = await passwordChangedNotice(deps, ctx, user, null, ' with a reset link sent to this address');
  const used = await deps.store.completePasswordReset(reset, user, changes, now, [auditEvent(deps, ctx, 'password-reset-used', user)], mail);
  if (used && mail.length > 0) deps.afterMailQueued?.();
  return used ? ok({ ...user, ...changes }) : fail('NOT_FOUND', LINK_INVALID);
}
