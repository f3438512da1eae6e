/**
 * Housekeeping: rows past their use are deleted on a schedule rather than kept forever. Expired sessions
 * and Git LFS tokens, reset links and OAuth/SAML flows are refused already; this only stops them piling
 * up (a session is otherwise deleted only when it is presented after expiry, which most never are).
 * The same pass mails the expiry reminders that are due, for passwords (passwordExpiry.ts) and access
 * tokens (expiryReminders.ts).
 * Runs every KEYFOB_HOUSEKEEPING_INTERVAL_MS (10 minutes) on Node, Bun and Deno, and from the Cron Trigger
 * in wrangler.toml on Workers.
 */
import type { DomainDeps } from './deps';
import { sendTokenExpiryReminders } from './expiryReminders';
import { sendPasswordExpiryNotices } from './passwordExpiry';
import type { ExpiredCounts } from './records';

export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;
/** Delivered mail is kept this long, so an operator can still see that a message went out. */
export const DELIVERED_MAIL_KEPT_MS = 7 * 24 * 60 * 60_000;

/** Deletes what has expired and says what went, in one line when anything did (counts only). */
export async function sweepExpired(deps: Pick<DomainDeps, 'store' | 'clock'>, log: (line: string) => void): Promise<ExpiredCounts> {
  const now = deps.clock.now();
  const deleted = await deps.store.deleteExpired(now, now - DELIVERED_MAIL_KEPT_MS);
  const parts = Object.entries(deleted)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  if (parts.length > 0) log(`Housekeeping: deleted ${parts.join(', ')}`);
  return deleted;
}

/** One housekeeping pass: what has expired goes, then the expiry reminders that are due are queued. */
export async function housekeep(deps: DomainDeps, log: (line: string) => void): Promise<void> {
  // A quiet process (or Worker isolate) writes its waiting usage counts here, not only on its next request.
  await deps.usage?.flush(deps.store, deps.clock.now());
  await sweepExpired(deps, log);
  const notices = await sendPasswordExpiryNotices(deps);
  if (notices > 0) log(`Housekeeping: queued ${notices} password-expiry notice${notices === 1 ? '' : 's'}`);
  const reminders = await sendTokenExpiryReminders(deps);
  if (reminders > 0) log(`Housekeeping: queued ${reminders} token-expiry reminder${reminders === 1 ? '' : 's'}`);
}
