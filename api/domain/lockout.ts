/**
 * Password guessing, slowed and stopped without handing anyone a way to lock someone else out.
 *
 * - Per name and client address, each failure doubles a delay (1 s, 2 s, … at most 60 s). An attempt
 *   inside the delay waits it out when the wait is short (a retyped password, a script's retry) and is
 *   refused with THROTTLED when it is not. Someone else's failures, from another address, never delay
 *   or refuse a user's right password.
 * - Every attempt is counted (reserved) atomically before its password is checked, so concurrent
 *   guesses get no more checks than sequential ones.
 * - Per name, across addresses: the lock policy. When enabled, that many failures lock the name for
 *   password sign-in until an admin (or `npm run unlock -- NAME` on the server) unlocks it. The lock stops
 *   password guesses only: API keys, tokens, sessions and encrypted passwords already held go on working.
 * - Per address, across names: past SIGN_IN_FAILURES_PER_ADDRESS failures in a window, that address's
 *   password checks are queued, one per PACED_CHECK_SPACING_MS; a right password waits its turn
 *   rather than being refused, and only a queue longer than MAX_QUEUE_WAIT_MS answers 429.
 *
 * Failures are counted by name whether or not the user exists, so the answers never tell which.
 */
import type { LockPolicy } from '../../shared/schemas';
import { addressForLimits } from '../http/clientAddress';
import { auditEvent, type DomainDeps, type RequestContext } from './deps';
import { DEFAULT_LOCK_POLICY, type Store } from './ports';
import type { LoginFailureRecord, UserRecord } from './records';
import { fail, ok, type Result } from './result';

export const MAX_FAILURE_DELAY_MS = 60_000;
/** The longest an attempt waits out delays before it is refused instead: one retyped password's worth. */
export const MAX_DELAY_WAIT_MS = 2_000;
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

export const SIGN_IN_FAILURES_PER_ADDRESS = 100;
const ADDRESS_WINDOW_MS = 15 * 60_000;
export const PACED_CHECK_SPACING_MS = 1_000;
export const MAX_QUEUE_WAIT_MS = 10_000;

/**
 * The row that counts one name's failures from one address: `name-key address`. Only valid user names
 * are counted, and they hold no space, so no name's own row can be mistaken for another's per-address one.
 */
export function addressFailureKey(nameKey: string, clientAddress: string | null): string {
  return `${nameKey} ${addressForLimits(clientAddress)}`;
}

/**
 * The one lock rule, for every path that checks a password, the user record and the locked-users list:
 * with the policy enabled, a name is locked while its failures reach the count. From the count alone, the
 * same for a known name and an unknown one whatever the policy was when they failed (the user's lockedAt
 * only records when it happened). An admin's unlock, or a right password from a held session, clears it.
 */
export function isLocked(policy: LockPolicy, failures: number): boolean {
  return policy.enabled && failures >= policy.loginAttempts;
}

/** Whether this user's password is locked now, as every password check and the user record see it. */
export async function passwordLocked(deps: DomainDeps, user: UserRecord): Promise<boolean> {
  const policy = await getLockPolicy(deps.store);
  if (!policy.enabled) return false;
  return isLocked(policy, (await deps.store.findLoginFailure(user.nameKey))?.failures ?? 0);
}

/** `GET /security/lockedUsers`: the names the one lock rule holds locked now (none while the policy is off). */
export async function listLockedUsers(deps: DomainDeps): Promise<string[]> {
  const policy = await getLockPolicy(deps.store);
  if (!policy.enabled) return [];
  const candidates = await deps.store.listLockCandidates();
  return candidates.filter(({ failures }) => isLocked(policy, failures)).map(({ user }) => user.name);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function throttled(waitMs: number): Result<never> {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return fail('THROTTLED', `Too many failed sign-ins: try again in ${seconds} second${seconds === 1 ? '' : 's'}`, { retryAfterSeconds: seconds });
}

/** An attempt counted under `key`: the count it holds, and what to put back should it not count after all. */
interface Reservation {
  key: string;
  count: number;
  seen: LoginFailureRecord | null;
  at: number;
}

/**
 * Counts an attempt under `key` before the check, waiting out a short delay first. Returns the
 * reservation, or the refusal. `blocked` may refuse on the row as it is (a lock).
 */
async function reserveAttempt(
  deps: DomainDeps,
  key: string,
  options: { withDelay: boolean; blocked?: (row: LoginFailureRecord | null) => Result<never> | null; verifiedMeanwhile?: () => boolean },
): Promise<Result<Reservation | 'verified'>> {
  let waited = 0;
  for (let tries = 0; tries < 50; tries++) {
    // While this attempt waited, a concurrent one with the same password may have been checked: then it
    // is no guess (a script's parallel requests with its password must not throttle each other).
    if (tries > 0 && options.verifiedMeanwhile?.()) return ok('verified');
    const row = await deps.store.loadLoginFailure(key);
    const refusal = options.blocked?.(row);
    if (refusal) return refusal;
    let at = deps.clock.now();
    if (row && options.withDelay) {
      const readyAt = row.lastFailureAt + failureDelayMs(row.failures);
      const waitMs = readyAt - at;
      if (waitMs > 0) {
        if (waited + waitMs > MAX_DELAY_WAIT_MS) return throttled(waitMs);
        await sleep(waitMs);
        waited += waitMs;
        if (options.verifiedMeanwhile?.()) return ok('verified');
        // The attempt happens when its delay ends, whatever the clock (a test's frozen one included).
        at = Math.max(deps.clock.now(), readyAt);
      }
    }
    if (await deps.store.reserveLoginAttempt(key, row, at)) return ok({ key, count: (row?.failures ?? 0) + 1, seen: row, at });
    // Another attempt was counted meanwhile: look again, and wait behind it.
  }
  return throttled(1000);
}

/** Past its failure budget, an address's checks take turns; the turn's wait is the throttle. */
async function waitForAddressTurn(deps: DomainDeps, ctx: RequestContext): Promise<Result<void>> {
  const now = deps.clock.now();
  const fromAddress = await deps.store.peekThrottle(addressFailuresBucket(ctx), now);
  if (fromAddress.count < SIGN_IN_FAILURES_PER_ADDRESS) return ok(undefined);
  const turn = await deps.store.reserveTurn(`sign-in-turns:${addressForLimits(ctx.clientAddress)}`, PACED_CHECK_SPACING_MS, MAX_QUEUE_WAIT_MS, now);
  if (turn === null) {
    const seconds = Math.ceil(MAX_QUEUE_WAIT_MS / 1000);
    return fail('RATE_LIMITED', `Too many failed sign-ins from your address: try again in ${seconds} seconds`, { retryAfterSeconds: seconds });
  }
  if (turn > now) await sleep(turn - now);
  return ok(undefined);
}

const addressFailuresBucket = (ctx: RequestContext) => `sign-in-failures:${addressForLimits(ctx.clientAddress)}`;

/**
 * Runs one password attempt for `nameKey` under the rules above. `verify` is called only when the
 * attempt was counted; a success forgets the counts, a failure keeps them.
 */
export async function guardedPasswordAttempt(
  deps: DomainDeps,
  ctx: RequestContext,
  nameKey: string,
  user: UserRecord | null,
  options: { lockApplies: boolean; verifiedMeanwhile?: () => boolean },
  verify: () => Promise<boolean>,
): Promise<Result<void>> {
  const policy = await getLockPolicy(deps.store);
  const lockRefusal = (row: LoginFailureRecord | null) =>
    options.lockApplies && isLocked(policy, row?.failures ?? 0) ? fail('USER_LOCKED', LOCKED_MESSAGE) : null;
  // Refuse a locked name before it costs a turn or a delay.
  const locked = lockRefusal(await deps.store.findLoginFailure(nameKey));
  if (locked) return locked;

  const turn = await waitForAddressTurn(deps, ctx);
  if (!turn.ok) return turn;
  const pairKey = addressFailureKey(nameKey, ctx.clientAddress);
  const delayed = await reserveAttempt(deps, pairKey, { withDelay: true, verifiedMeanwhile: options.verifiedMeanwhile });
  if (!delayed.ok) return delayed;
  if (delayed.value === 'verified') return ok(undefined);
  const counted = await reserveAttempt(deps, nameKey, { withDelay: false, blocked: lockRefusal });
  if (!counted.ok) return counted;
  if (counted.value === 'verified') return ok(undefined);
  const reserved = [delayed.value, counted.value];

  let verified: boolean;
  try {
    verified = await verify();
  } catch (err) {
    // No answer (the directory is down): not the user's mistake, so the attempt does not count.
    await Promise.all(reserved.map(({ key, seen, at }) => deps.store.releaseLoginAttempt(key, seen, at)));
    throw err;
  }
  if (verified) {
    await deps.store.clearLoginFailures([nameKey, pairKey]);
    return ok(undefined);
  }
  const now = deps.clock.now();
  await deps.store.hitThrottle(addressFailuresBucket(ctx), ADDRESS_WINDOW_MS, now);
  const reachesLock = user !== null && policy.enabled && counted.value.count >= policy.loginAttempts && user.lockedAt === null;
  await deps.store.recordSignInFailure(reachesLock ? { userId: user.id, at: now } : null, user ? [auditEvent(deps, ctx, 'sign-in-failed', user)] : []);
  return fail('BAD_CREDENTIALS', BAD_CREDENTIALS_MESSAGE);
}
