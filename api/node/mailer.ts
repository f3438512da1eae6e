/** Mail over SMTP on Node (nodemailer), for the outbox to deliver through. */
import nodemailer from 'nodemailer';
import type { Mailer } from '../domain/ports';

export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  // Short timeouts: a dead server should fail this attempt and leave the message for the next one.
  const transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 } as never);
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}
