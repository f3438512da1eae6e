/**
 * Security notices: mail to a user about a change to how they sign in or to their credentials, when it is
 * not simply what they just did themselves on purpose (a new browser, a password changed, a key revoked by an
 * admin or a leak report, an SSH key added). Each says what happened, when, from where, and what to do if it
 * was not them. They cannot be turned off (only the informational expiry reminders can): a notice is how a
 * user hears that someone else holds their account.
 *
 * Notices are queued through the outbox in the same batch as the change itself, so a change never goes
 * unannounced and a notice never announces a change that did not happen.
 */
import { describeUserAgent } from '../../shared/userAgents';
import type { DomainDeps, RequestContext } from './deps';
import { composeMail, maskAddress } from './mail';
import type { NewOutboxMessage, UserRecord } from './records';

export interface Notice {
  subject: string;
  /** What happened, in one or two sentences, naming the actor when it was someone else. */
  happened: string;
  /** What to do if it was not them; the default: change the password and end unknown sessions. */
  ifNotYou?: string;
}

const DEFAULT_IF_NOT_YOU = 'sign in to Keyfob, change your password, end any session you do not recognise (Account, Sessions), and tell your administrator';

/**
 * Text that came with a request (a key's name, a token's description, a user agent) inside a notice: on one
 * line, without control or direction characters, and short, so it cannot pose as the notice's own words.
 */
export function quoted(text: string, max = 80): string {
  const line = text.replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** The text; `user` null for one text sent to many (then it greets no one by name). */
export function noticeText(
  deps: Pick<DomainDeps, 'clock' | 'settings'>,
  ctx: RequestContext | null,
  user: Pick<UserRecord, 'name'> | null,
  notice: Notice,
): string {
  const client = ctx ? quoted(describeUserAgent(ctx.userAgent)) : null;
  const from = ctx?.clientAddress ? `${ctx.clientAddress} (${client})` : client;
  const where = deps.settings.publicUrl ? ` at ${deps.settings.publicUrl}` : '';
  return [
    user ? `Hello ${user.name},` : 'Hello,',
    '',
    notice.happened,
    '',
    `When: ${new Date(deps.clock.now()).toISOString()}`,
    ...(from ? [`From: ${from}`] : []),
    '',
    'If this was you, there is nothing to do.',
    `If it was not: ${notice.ifNotYou ?? DEFAULT_IF_NOT_YOU}.`,
    '',
    `This is a security notice from Keyfob${where}; these are always sent.`,
  ].join('\n');
}

/** The notice as mail to the user's address, ready to queue with the change; none when they have no address. */
export async function securityNotice(
  deps: DomainDeps,
  ctx: RequestContext | null,
  user: Pick<UserRecord, 'name' | 'email'>,
  notice: Notice,
  to: string | null = user.email,
): Promise<NewOutboxMessage[]> {
  if (!to) return [];
  return [await composeMail(deps, to, notice.subject, noticeText(deps, ctx, user, notice))];
}

/** One notice for many users (its body sealed once), for the store to queue to each. */
export async function sharedNotice(deps: DomainDeps, ctx: RequestContext | null, notice: Notice): Promise<Omit<NewOutboxMessage, 'recipient'>> {
  const { recipient: _none, ...mail } = await composeMail(deps, '', notice.subject, noticeText(deps, ctx, null, notice));
  return mail;
}

/** Who did it, as a notice says it: "An administrator (alice)". */
export function byAdmin(actor: Pick<UserRecord, 'name'>): string {
  return `An administrator (${actor.name})`;
}

/**
 * The e-mail address changed: the old address hears of it (if this was not its owner, they know, and whom
 * to ask), and so does the new one. None when it did not change.
 */
export async function emailChangedNotice(
  deps: DomainDeps,
  ctx: RequestContext,
  user: Pick<UserRecord, 'name' | 'email'>,
  newEmail: string | null,
  actor: Pick<UserRecord, 'name'> | null,
): Promise<NewOutboxMessage[]> {
  if ((user.email ?? '').toLowerCase() === (newEmail ?? '').toLowerCase()) return [];
  const who = actor ? `${byAdmin(actor)} changed` : 'Someone changed';
  const to = newEmail ? `to ${maskAddress(newEmail)}` : 'and removed it';
  const toOld = await securityNotice(deps, ctx, user, {
    subject: 'Your Keyfob e-mail address was changed',
    happened: `${who} the e-mail address of your Keyfob account ${user.name} from this address ${to}. Password-reset links now go to the new address.`,
    ifNotYou: 'sign in and change your password, and tell your administrator',
  });
  const toNew = await securityNotice(
    deps,
    ctx,
    user,
    {
      subject: 'This is now the e-mail address of your Keyfob account',
      happened: `${who} the e-mail address of the Keyfob account ${user.name} to this address${user.email ? ` (from ${maskAddress(user.email)})` : ''}. Keyfob's notices and password-reset links come here from now on.`,
      ifNotYou: 'tell the administrator of that Keyfob: someone gave it your address',
    },
    newEmail,
  );
  return [...toOld, ...toNew];
}
