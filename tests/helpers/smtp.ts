/** A real SMTP listener (the smtp-server package) on 127.0.0.1 that keeps what it receives. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  raw: string;
}

export interface SmtpListener {
  port: number;
  received: ReceivedMail[];
  /** Resolves with the next mail (or the first one already there that the test has not taken). */
  nextMail(timeoutMs?: number): Promise<ReceivedMail>;
  /** The next mail whose subject matches, passing over the others (security notices a test is not about). */
  nextMailAbout(subject: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

export async function startSmtpListener(port = 0): Promise<SmtpListener> {
  const received: ReceivedMail[] = [];
  let taken = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  server.listen(port, '127.0.0.1');
  await once(server.server, 'listening');
  const listener: SmtpListener = {
    port: (server.server.address() as AddressInfo).port,
    received,
    async nextMail(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length <= taken) {
        if (Date.now() > deadline) throw new Error('no mail arrived');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return received[taken++] as ReceivedMail;
    },
    async nextMailAbout(subject, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const mail = await listener.nextMail(Math.max(1, deadline - Date.now()));
        if (subject.test(/^Subject: (.*)$/m.exec(mail.raw)?.[1] ?? '')) return mail;
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return listener;
}

/** The reset link in a received mail (quoted-printable soft breaks undone). */
export function resetLinkIn(mail: ReceivedMail): string {
  const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const match = /(http:\/\/\S+\/reset-password#token=[a-z2-7]+)/.exec(body);
  if (!match) throw new Error(`no reset link in:\n${body}`);
  return match[1] as string;
}
