/**
 * Artifactory's sign-in lockout: every failed password raises a delay (1 s, doubling, at most 60 s) during
 * which further password attempts for that name answer 403 unchecked; with the lock policy enabled, the
 * configured number of failures locks the user until an admin unlocks them.
 * Failures are counted by name whether or not the user exists, so the answers never tell which.
 */
import type { LockPolicy } from '../../shared/schemas';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { DEFAULT_LOCK_POLICY, type Store, type UserRecord } from './ports';
import { fail, ok, type Result } from './result';

export const MAX_FAILURE_DELAY_MS = 60_000;
const LOCK_POLICY_SETTING = 'userLockPolicy';

export function failureDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(MAX_FAILURE_DELAY_MS, 1000 * 2 ** Math.min(failures - 1, 16));
}

export async function getLockPolicy(store: Store): Promise<LockPolicy> {
  return (await store.getSetting<LockPolicy>(LOCK_POLICY_SETTING)) ?? DEFAULT_LOCK_POLICY;
}

export async function setLockPolicy(store: Store, policy: LockPolicy): Promise<LockPolicy> {
  await store.putSetting(LOCK_POLICY_SETTING, policy);
  return policy;
}

export const LOCKED_MESSAGE = 'This account is locked after too many failed sign-ins: ask an administrator to unlock it';
export const BAD_CREDENTIALS_MESSAGE = 'Bad credentials';

/**
 * Beside the per-name delay and lock: failed password attempts per client address. Past this many in the
 * window, that address gets 429 for any name, so spraying many names from one place is slowed too.
 */
export const SIGN_IN_FAILURES_PER_ADDRESS = 100;
const ADDRESS_WINDOW_MS = 15 * 60_000;

/** Whether the lock applies to this user now (an unknown name past the count looks locked too). */
export function isLocked(policy: LockPolicy, user: UserRecord | null, failures: number): boolean {
  if (!policy.enabled) return false;
  return user ? user.lockedAt !== null : failures >= policy.loginAttempts;
}

/**
 * Runs one password attempt for `nameKey` under the lockout rules. `verify` is called only when the name
 * is neither locked nor inside its delay; its outcome is counted.
 */
export async function guardedPasswordAttempt(
  deps: DomainDeps,
  ctx: RequestContext,
  nameKey: string,
  user: UserRecord | null,
  verify: () => Promise<boolean>,
): Promise<Result<void>> {
  const addressBucket = `sign-in-failures:${ctx.clientAddress ?? 'unknown'}`;
  const [policy, failure, fromAddress] = await Promise.all([
    getLockPolicy(deps.store),
    deps.store.findLoginFailure(nameKey),
    deps.store.peekThrottle(addressBucket, deps.clock.now()),
  ]);
  if (fromAddress.count >= SIGN_IN_FAILURES_PER_ADDRESS) {
    const seconds = Math.max(1, Math.ceil((fromAddress.windowEndsAt - deps.clock.now()) / 1000));
    return fail('RATE_LIMITED', `Too many failed sign-ins from your address: try again in ${seconds} seconds`, { retryAfterSeconds: seconds });
  }
  const failures = failure?.failures ?? 0;
  if (isLocked(policy, user, failures)) return fail('USER_LOCKED', LOCKED_MESSAGE);
  if (failure) {
    const waitMs = failure.lastFailureAt + failureDelayMs(failures) - deps.clock.now();
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return fail('THROTTLED', `Too many failed sign-ins: try again in ${seconds} second${seconds === 1 ? '' : 's'}`, {
        retryAfterSeconds: seconds,
      });
    }
  }
  if (await verify()) {
    if (failure) await deps.store.clearLoginFailures(nameKey);
    return ok(undefined);
  }
  const now = deps.clock.now();
  await deps.store.hitThrottle(addressBucket, ADDRESS_WINDOW_MS, now);
  const count = await deps.store.recordLoginFailure(nameKey, now, user ? [auditEvent(deps, ctx, 'sign-in-failed', user)] : []);
  if (user && policy.enabled && count >= policy.loginAttempts) await deps.store.lockUser(user.id, now);
  return fail('BAD_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
}
