import nodemailer from 'nodemailer';
import type { SmtpSettings } from '../store/repositories/settings.ts';
import type { NotificationMail } from './compose.ts';

/** Sends one mail; the seam tests and other transports plug into. */
export type SendMail = (smtp: SmtpSettings, to: string[], mail: NotificationMail) => Promise<void>;

/** Sends through the SMTP server of the settings with nodemailer; short timeouts so a dead server is noticed quickly. */
export const sendSmtpMail: SendMail = async (smtp, to, mail) => {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
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
