import type { ConnectionOptions } from 'node:tls';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { SmtpSettings } from '../store/repositories/settings.ts';
import type { NotificationMail } from './compose.ts';

/** Sends one mail; the seam tests and other transports plug into. */
export type SendMail = (smtp: SmtpSettings, to: string[], mail: NotificationMail) => Promise<void>;

/**
 * nodemailer's options for the settings: TLS from the first byte (`secure`) or STARTTLS that the server
 * must offer (`requireTLS`), unless the operator allowed plain text for a local relay. Certificates are
 * verified; `tls` adds trust (a private CA), never removes it.
 */
export function smtpTransportOptions(smtp: SmtpSettings, tls: ConnectionOptions = {}): SMTPTransport.Options {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: !smtp.secure && !smtp.allowPlainText,
    tls: { ...tls, rejectUnauthorized: true },
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  };
}

/** A sender through the SMTP server of the settings with nodemailer; `tls` as for `smtpTransportOptions`. */
export function createSmtpSender(tls: ConnectionOptions = {}): SendMail {
  return async (smtp, to, mail) => {
    // Loaded with the first mail: a process that sends none (most `junction run`s) does not carry it (~5 MB of heap).
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport(smtpTransportOptions(smtp, tls));
    try {
      await transport.sendMail({
        from: smtp.from,
        to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
      });
    } finally {
      transport.close();
    }
  };
}

/** Sends through the SMTP server of the settings; short timeouts so a dead server is noticed quickly. */
export const sendSmtpMail: SendMail = createSmtpSender();
