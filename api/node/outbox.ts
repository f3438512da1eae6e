/**
 * Delivers the outbox in the background: at once when mail is queued, then every POLL_MS for retries.
 * Without a mailer (no SMTP_URL), it tells the operator where each new message waits instead.
 */
import type { AppDeps } from '../deps';
import { deliverDueMail, maskAddress } from '../domain/mail';
import type { Mailer } from '../domain/ports';

const POLL_MS = 1_000;

export interface OutboxWorker {
  kick(): void;
  stop(): Promise<void>;
}

export function startOutboxWorker(deps: AppDeps, mailer: Mailer | null): OutboxWorker {
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastAnnounced = 0;

  const announce = async () => {
    for (const message of await deps.store.listUndeliveredMail()) {
      if (message.id <= lastAnnounced) continue;
      lastAnnounced = message.id;
      deps.log(`Mail to ${maskAddress(message.recipient)} ("${message.subject}") waits in the outbox: no SMTP_URL is set. \`npm run outbox\` prints it.`);
    }
  };
  const pass = async () => {
    if (mailer) await deliverDueMail(deps, mailer);
    else await announce();
  };
  const run = () => {
    if (stopped) return;
    if (running !== null) {
      again = true;
      return;
    }
    running = pass()
      .catch((err) => deps.log(`error: outbox delivery pass failed (${(err as Error)?.name ?? 'error'})`))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const timer = setInterval(run, POLL_MS);
  timer.unref();
  run();
  return {
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
