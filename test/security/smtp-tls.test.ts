import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createSmtpSender, sendSmtpMail } from '../../src/notify/mailer.ts';
import { SmtpSettingsSchema } from '../../src/store/repositories/settings.ts';

const MAIL = { subject: 'Run failed', text: 'details', html: '<p>details</p>' };

/** A self-signed certificate for 127.0.0.1, made with openssl for this run only. */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'junction-smtp-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A local SMTP server that records the logins it saw (and whether TLS was on) and the mails it took. */
async function listenSmtp(options: SMTPServerOptions) {
  const logins: { password: string; secure: boolean }[] = [];
  const mails: string[] = [];
  const server = new SMTPServer({
    ...options,
    onAuth(auth, session, cb) {
      logins.push({ password: auth.password ?? '', secure: session.secure });
      cb(null, { user: auth.username });
    },
    onData(stream, _session, cb) {
      let raw = '';
      stream.on('data', (d) => (raw += d));
      stream.on('end', () => {
        mails.push(raw);
        cb();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { port, logins, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const settings = (port: number, extra: Record<string, unknown> = {}) =>
  SmtpSettingsSchema.parse({
    host: '127.0.0.1',
    port,
    user: 'junction',
    password: 'smtp-S3cret',
    from: 'junction@example.ch',
    ...extra,
  });

/** Finding 3: STARTTLS was used only when offered, so a plain or stripped server got the password. */
describe('SMTP requires TLS unless the operator allows plain text', () => {
  const { key, cert } = selfSignedCertificate();
  let plain: Awaited<ReturnType<typeof listenSmtp>>;
  let starttls: Awaited<ReturnType<typeof listenSmtp>>;

  before(async () => {
    // A server that offers no STARTTLS: a plain relay, or a man in the middle who stripped it from EHLO.
    plain = await listenSmtp({ disabledCommands: ['STARTTLS'] });
    starttls = await listenSmtp({ key, cert });
  });
  after(async () => {
    await plain?.close();
    await starttls?.close();
  });

  test('a server without STARTTLS gets neither the password nor the mail', async () => {
    await assert.rejects(sendSmtpMail(settings(plain.port), ['ops@example.ch'], MAIL));
    assert.deepEqual(plain.logins, []);
    assert.deepEqual(plain.mails, []);
  });

  test('plain text is off unless the settings say so', () => {
    assert.equal(settings(25).allowPlainText, false);
  });

  test('STARTTLS with a certificate nobody vouches for is refused before the login', async () => {
    await assert.rejects(sendSmtpMail(settings(starttls.port), ['ops@example.ch'], MAIL));
    assert.deepEqual(starttls.logins, []);
    assert.deepEqual(starttls.mails, []);
  });

  test('STARTTLS with a trusted certificate: the password travels only inside TLS', async () => {
    await createSmtpSender({ ca: cert })(settings(starttls.port), ['ops@example.ch'], MAIL);
    assert.deepEqual(starttls.logins, [{ password: 'smtp-S3cret', secure: true }]);
    assert.equal(starttls.mails.length, 1);
  });

  test('a local relay without TLS works only with allowPlainText', async () => {
    await sendSmtpMail(settings(plain.port, { allowPlainText: true }), ['ops@example.ch'], MAIL);
    assert.deepEqual(plain.logins, [{ password: 'smtp-S3cret', secure: false }]);
    assert.equal(plain.mails.length, 1);
  });
});
