import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { NotificationMail } from '../../src/notify/compose.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

describe('settings: addresses are checked, a test mail goes out', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let admin: Client;
  const sent: { to: string[]; mail: NotificationMail }[] = [];
  let refuse = false;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    ({ app, admin } = await createTestServer(store, {
      sendMail: async (_smtp, to, mail) => {
        if (refuse) throw new Error('550 relay denied');
        sent.push({ to, mail });
      },
    }));
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('a test mail before any SMTP server is set is refused with what to do', async () => {
    const res = await admin.send('POST', '/api/settings/test-email', {});
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'smtp_not_configured');
  });

  test('the sender "not an address" and a bad recipient are refused at their field', async () => {
    const bad = await admin.send('PATCH', '/api/settings', {
      smtp: { host: 'mail.example.ch', port: 465, secure: true, from: 'not an address' },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().error.message, /smtp\.from: not an e-mail address/);
    const recipients = await admin.send('PATCH', '/api/settings', {
      defaultRecipients: ['ok@example.ch', 'nope'],
    });
    assert.equal(recipients.statusCode, 400);
    assert.match(recipients.json().error.message, /not an e-mail address/);
  });

  test('a named sender is fine, and the test mail goes to the default recipients', async () => {
    const saved = await admin.send('PATCH', '/api/settings', {
      smtp: { host: 'mail.example.ch', port: 465, secure: true, from: 'Junction <junction@example.ch>' },
      defaultRecipients: ['ops@example.ch'],
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const res = await admin.send('POST', '/api/settings/test-email', {});
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(sent.at(-1)?.to, ['ops@example.ch']);
    assert.match(sent.at(-1)?.mail.subject ?? '', /Test/);
    const to = await admin.send('POST', '/api/settings/test-email', { to: 'me@example.ch' });
    assert.deepEqual(to.json().to, ['me@example.ch']);
  });

  test("a server that refuses the mail is a 502 with the server's answer", async () => {
    refuse = true;
    const res = await admin.send('POST', '/api/settings/test-email', {});
    assert.equal(res.statusCode, 502, res.body);
    assert.equal(res.json().error.code, 'test_mail_failed');
    assert.match(res.json().error.details.reason, /550 relay denied/);
  });
});
