import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { Task } from '../../src/core/types.ts';
import { runTask } from '../../src/engine/run-task.ts';
import { InstanceSettingsSchema } from '../../src/store/repositories/settings.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG, fakeConnectors } from '../scheduler/fake-connectors.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A mail's raw text with its quoted-printable parts decoded (soft breaks joined, =XX bytes as UTF-8). */
function decodeQuotedPrintable(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('e-mail notifications', () => {
  let db: TempDatabase;
  let store: Store;
  let smtp: SMTPServer;
  let port: number;
  const inbox: Received[] = [];
  const logLines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _enc, cb) {
        for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
        cb();
      },
    }),
  );
  const task = (notify: Task['notify']): Task => ({
    id: 'people',
    name: 'People to HubSpot',
    mappingId: 'm',
    schedule: null,
    enabled: true,
    mode: 'full',
    notify,
    params: {},
  });

  before(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _s, cb) =>
        auth.username === 'junction' && auth.password === 's3cret'
          ? cb(null, { user: 'junction' })
          : cb(new Error('bad login')),
      onData(stream, session, cb) {
        let raw = '';
        stream.on('data', (d) => (raw += d));
        stream.on('end', () => {
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    port = (smtp.server.address() as { port: number }).port;
    db = await createTempSqlite();
    store = await openTestStore(db);
    await applyConfig(store, parseConfigText(FAKE_CONFIG));
  });
  after(async () => {
    await new Promise<void>((r) => smtp.close(() => r()));
    await store?.close();
    await db?.drop();
  });

  test('a failed run mails its recipients the task, counts, first errors and the link to the execution (in English when set)', async () => {
    await store.settings.update({
      mailLanguage: 'en',
      smtp: {
        host: '127.0.0.1',
        port,
        secure: false,
        // This test relay speaks no TLS (test/security/smtp-tls.test.ts covers STARTTLS).
        allowPlainText: true,
        user: 'junction',
        password: 's3cret',
        from: 'junction@example.ch',
      },
      dashboardUrl: 'https://hub.example.ch/',
    });
    await store.tasks.save(task({ on: ['failure'], to: ['ops@example.ch', 'lead@example.ch'] }));
    const before = inbox.length;
    const execution = await runTask('people', {
      store,
      log,
      connectorFactory: fakeConnectors({ records: 30, reject: ['4', '7'], failAfterPages: 2 }),
    });
    assert.equal(execution.status, 'failed');
    assert.equal(inbox.length, before + 1);
    const mail = inbox.at(-1) as Received;
    assert.equal(mail.from, 'junction@example.ch');
    assert.deepEqual(mail.to.sort(), ['lead@example.ch', 'ops@example.ch']);
    const body = mail.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    assert.match(body, /^Subject: \[Junction\] People to HubSpot failed/m);
    assert.match(body, /read: 20/);
    assert.match(body, /created: 18/);
    assert.match(body, /failed: 2/);
    assert.match(body, /the business database went away/);
    assert.match(body, /record 4: hubspot_invalid_email/);
    assert.match(body, /record 7: hubspot_invalid_email/);
    assert.ok(body.includes(`https://hub.example.ch/executions/${execution.id}`), 'links to the execution');
  });

  test('a notification is written in German unless the settings say otherwise, dates as the Swiss write them', async () => {
    // Swiss installations read German: the default of a fresh installation.
    assert.equal(InstanceSettingsSchema.parse({}).mailLanguage, 'de');
    await store.settings.update({ mailLanguage: 'de' });
    await store.tasks.save(task({ on: ['failure'], to: ['ops@example.ch'] }));
    const before = inbox.length;
    const execution = await runTask('people', {
      store,
      log,
      connectorFactory: fakeConnectors({ records: 30, reject: ['4', '7'], failAfterPages: 2 }),
    });
    assert.equal(inbox.length, before + 1);
    const body = decodeQuotedPrintable((inbox.at(-1) as Received).raw);
    assert.match(body, /^Subject: \[Junction\] People to HubSpot fehlgeschlagen/m);
    assert.match(
      body,
      /Die Aufgabe «People to HubSpot» \(people\) ist am \d\d\.\d\d\.\d{4} \d\d:\d\d fehlgeschlagen\./,
    );
    assert.match(body, /gelesen: 20/);
    assert.match(body, /Erste Fehler:/);
    assert.match(body, /Datensatz 4: hubspot_invalid_email/);
    assert.match(body, /Ausführung öffnen/);
    assert.ok(body.includes(`https://hub.example.ch/executions/${execution.id}`));
  });

  test('a run whose outcome the task does not ask about sends nothing', async () => {
    const before = inbox.length;
    await store.tasks.save(task({ on: ['failure'], to: ['ops@example.ch'] }));
    const execution = await runTask('people', {
      store,
      log,
      connectorFactory: fakeConnectors({ records: 5 }),
    });
    assert.equal(execution.status, 'succeeded');
    assert.equal(inbox.length, before);
  });

  test('with the SMTP server down the run still succeeds and the failed notification is logged', async () => {
    // A new port needs the password again: it is sealed with the host and port it was entered for.
    await store.settings.update({ smtp: { port: await closedPort(), password: 's3cret' } });
    await store.tasks.save(task({ on: ['success'], to: ['ops@example.ch'] }));
    const execution = await runTask('people', {
      store,
      log,
      connectorFactory: fakeConnectors({ records: 5 }),
    });
    assert.equal(execution.status, 'succeeded');
    assert.equal((await store.executions.get(execution.id)).status, 'succeeded');
    const logged = logLines.find(
      (l) => l.msg === 'notification could not be sent' && l.executionId === execution.id,
    );
    assert.ok(logged, 'the failure is logged');
    assert.equal(logged.level, 50);
    assert.match(JSON.stringify(logged), /ECONNREFUSED/);
    assert.doesNotMatch(JSON.stringify(logLines), /s3cret/, 'the SMTP password never reaches the log');
  });
});
