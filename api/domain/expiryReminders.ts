/**
 * Reminders before a credential expires: a password under the expiration policy (passwordExpiry.ts) or an
 * access token with an expiry. One rule for both, `dueReminder`; housekeeping sends what is due, each
 * reminder once per credential whichever process claims it. They are informational mail: a user who turned
 * that off (`notifyInformational`) gets none. Security mail (a change by someone else, a leak) always goes.
 */
import { auditEvent, type DomainDeps } from './deps';
import { composeMail } from './mail';
import type { AccessTokenRecord, UserRecord } from './records';

export const DAY_MS = 24 * 60 * 60_000;
/** Days before expiry that the owner is mailed, earliest first. */
export const REMINDER_DAYS = [30, 7, 1] as const;

/**
 * The reminder to send now, in days ahead, or null. The latest one whose moment has come (a credential
 * already past the 7-day moment gets the 7-day one, not 30 and 7), never one whose moment came before the
 * credential existed (a 2-day token hears only 1 day ahead), and none already sent (`lastSent`, in days
 * ahead: that one or a later one went out).
 */
export function dueReminder(credential: { startedAt: number; expiresAt: number; lastSent: number | null }, now: number): number | null {
  const { startedAt, expiresAt, lastSent } = credential;
  if (expiresAt <= now) return null;
  const due = REMINDER_DAYS.filter((days) => expiresAt - days * DAY_MS <= now && expiresAt - days * DAY_MS > startedAt).at(-1);
  if (due === undefined || (lastSent !== null && lastSent <= due)) return null;
  return due;
}

/** "in 7 days", "within a day": from the time actually left, since a reminder can go out late. */
export function timeLeftInWords(expiresAt: number, now: number): string {
  const left = expiresAt - now;
  if (left <= DAY_MS) return 'within a day';
  return `in ${Math.ceil(left / DAY_MS)} days`;
}

/** `2026-12-03 11:44 UTC`. */
export function whenInWords(at: number): string {
  return `${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/** How a reminder names a token: its description, or its id's first characters (never anything secret). */
export function tokenName(token: Pick<AccessTokenRecord, 'id' | 'description'>): string {
  const id = token.id.slice(0, 8);
  // The description is the user's own words, kept to one line so it cannot pose as more of the mail.
  const description = token.description
    ?.replace(/\p{C}+/gu, ' ')
    .trim()
    .slice(0, 200);
  return description ? `"${description}" (${id})` : id;
}

function tokenReminderText(user: UserRecord, token: AccessTokenRecord & { expiresAt: number }, now: number, publicUrl: string | null): string {
  const where = publicUrl ? ` (${publicUrl})` : '';
  return [
    `Hello ${user.name},`,
    '',
    `Your Keyfob access token ${tokenName(token)} expires ${timeLeftInWords(token.expiresAt, now)}, at ${new Date(token.expiresAt).toISOString()} (${whenInWords(token.expiresAt)}).`,
    `Scope: ${token.scope}`,
    '',
    token.refreshable
      ? 'It can be refreshed with its refresh token (a tool holding it may do that itself); a refreshed token gets a new expiry.'
      : 'It cannot be refreshed.',
    `To go on without a break, create a new token before then: \`jf atc\`, or the Tokens tab of the Keyfob popup${where}, and put it where this one is used.`,
    'If the token is no longer needed, nothing needs doing: it simply stops working.',
  ].join('\n');
}

/**
 * Housekeeping's part for tokens: mails the owner of each live token whose reminder is due, once per
 * reminder and token. Returns how many reminders were queued.
 */
export async function sendTokenExpiryReminders(deps: DomainDeps): Promise<number> {
  const now = deps.clock.now();
  const candidates = await deps.store.listTokenReminderCandidates(now, REMINDER_DAYS);
  const ctx = { clientAddress: null, userAgent: 'keyfob housekeeping' };
  let sent = 0;
  for (const { token, user } of candidates) {
    if (token.expiresAt === null || token.revokedAt !== null || !user.email || !user.notifyInformational) continue;
    const due = dueReminder({ startedAt: token.createdAt, expiresAt: token.expiresAt, lastSent: token.noticeDays ?? null }, now);
    if (due === null) continue;
    const text = tokenReminderText(user, { ...token, expiresAt: token.expiresAt }, now, deps.settings.publicUrl);
    const mail = await composeMail(deps, user.email, 'Your Keyfob access token expires soon', text);
    const claimed = await deps.store.claimTokenReminder(token.id, due, mail, [
      auditEvent(deps, ctx, 'token-expiry-notice', user, { tokenId: token.id, days: String(due) }),
    ]);
    if (claimed) sent++;
  }
  if (sent > 0) deps.afterMailQueued?.();
  return sent;
}
