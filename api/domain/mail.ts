/**
 * The outbox: mail is written to the database first (its body sealed, as it may carry a reset link) and
 * delivered from there, retried with backoff, so a failed delivery loses nothing.
 */
import { seal, unseal } from '../crypto/keyring';
import type { DomainDeps } from './deps';
import type { Mailer } from './ports';
import type { NewOutboxMessage, OutboxMessage } from './records';

const sealContext = 'outbox-body';
/** First retry after this long, doubling per attempt up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 5_000;
export const MAX_BACKOFF_MS = 10 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export async function composeMail(deps: DomainDeps, to: string, subject: string, text: string): Promise<NewOutboxMessage> {
  const now = deps.clock.now();
  return { recipient: to, subject, sealedBody: await seal(deps.keys, text, sealContext, deps.randomBytes), createdAt: now, nextAttemptAt: now };
}

export async function openMail(deps: Pick<DomainDeps, 'keys'>, message: OutboxMessage): Promise<string | null> {
  return unseal(deps.keys, message.sealedBody, sealContext);
}

/** "a•••@example.com": enough for an operator to tell messages apart, not a list of addresses. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return at <= 0 ? '•••' : `${address[0]}•••${address.slice(at)}`;
}

/**
 * Sends what is due. A failure is recorded (without anything of the message in it) and retried later;
 * returns how many went out.
 */
export async function deliverDueMail(deps: DomainDeps, mailer: Mailer, limit = 20): Promise<number> {
  const due = await deps.store.listDueMail(deps.clock.now(), limit);
  let sent = 0;
  for (const message of due) {
    const text = await openMail(deps, message);
    if (text === null) {
      // Sealed under another master key: it can never be sent; park it for good rather than retry forever.
      await deps.store.markMailFailed(message.id, message.attempts + 1, Number.MAX_SAFE_INTEGER, 'cannot be opened with this master key');
      continue;
    }
    try {
      await mailer.send({ to: message.recipient, subject: message.subject, text });
      await deps.store.markMailDelivered(message.id, deps.clock.now());
      sent++;
    } catch (err) {
      const attempts = message.attempts + 1;
      const reason = (err as { code?: string }).code ?? (err as Error).name ?? 'error';
      await deps.store.markMailFailed(message.id, attempts, deps.clock.now() + backoffMs(attempts), `delivery failed (${reason})`);
    }
  }
  return sent;
}
