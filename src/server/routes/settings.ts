import { z } from 'zod';
import { JunctionError } from '../../core/errors.ts';
import { type SendMail, sendSmtpMail } from '../../notify/mailer.ts';
import { SettingsPatchSchema } from '../../store/repositories/settings.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';

declare module '../app.ts' {
  interface ServerDeps {
    /** How the test mail is sent (default: SMTP with the settings); tests plug in a recorder. */
    sendMail?: SendMail;
  }
}

/** A test mail was asked for before an SMTP server was set. */
export class SmtpNotConfiguredError extends JunctionError {
  override readonly code = 'smtp_not_configured';
}
/** The SMTP server refused the test mail or could not be reached; `details.reason` says what it said. */
export class TestMailFailedError extends JunctionError {
  override readonly code = 'test_mail_failed';
}

/** Instance settings (the instance administrator only, reading too: SMTP hosts and recipients are not for customers). */
export async function settingsRoutes(app: Api, { store, sendMail }: ServerDeps): Promise<void> {
  app.get(
    '/api/settings',
    {
      config: { role: 'instance' },
      schema: { tags: ['settings'], summary: 'Instance settings (SMTP password shown as set/not set)' },
    },
    async () => store.settings.getPublic(),
  );
  app.patch(
    '/api/settings',
    {
      config: { role: 'instance' },
      schema: {
        tags: ['settings'],
        summary: 'Change instance settings (absent fields stay)',
        body: SettingsPatchSchema,
      },
    },
    async (req) => store.settings.update(req.body),
  );
  app.post(
    '/api/settings/test-email',
    {
      config: { role: 'instance' },
      schema: {
        tags: ['settings'],
        summary:
          'Send a test mail through the saved SMTP settings (to `to`, else the default recipients, else the sender)',
        body: z
          .object({ to: z.email('not an e-mail address').optional() })
          .strict()
          .nullish(),
      },
    },
    async (req) => {
      const settings = await store.settings.get();
      if (!settings.smtp)
        throw new SmtpNotConfiguredError('save an SMTP server first', { details: { field: 'smtp.host' } });
      const sender = /<([^<>]+)>/.exec(settings.smtp.from)?.[1] ?? settings.smtp.from;
      const to = req.body?.to
        ? [req.body.to]
        : settings.defaultRecipients.length
          ? settings.defaultRecipients
          : [sender];
      const de = settings.mailLanguage === 'de';
      const text = de
        ? 'Diese E-Mail zeigt, dass Junction über den eingestellten SMTP-Server senden kann.'
        : 'This e-mail shows that Junction can send through the SMTP server in its settings.';
      try {
        await (sendMail ?? sendSmtpMail)(settings.smtp, to, {
          subject: de ? 'Junction: Test-E-Mail' : 'Junction: test e-mail',
          text,
          html: `<p>${text}</p>`,
        });
      } catch (err) {
        throw new TestMailFailedError(`the test mail was not sent: ${(err as Error).message}`, {
          cause: err,
          details: { reason: (err as Error).message },
        });
      }
      return { sent: true, to };
    },
  );
}
