import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createConnector } from '../../src/connectors/registry.ts';
import { isEmailAddress } from '../../src/core/transforms.ts';
import { PRE_EXISTING_CONTACTS } from '../../src/demo/emulators.ts';
import { type DemoSession, DIRTY, hasDemoWorkspace, startDemo } from '../../src/demo/index.ts';
import { generateTrainingProvider } from '../../src/demo/seed.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const norm = (email: string) => email.trim().toLowerCase();

describe('the demo workspace', () => {
  let storeDb: TempDatabase;
  let store: Store;
  let dataDir: string;
  let demo: DemoSession;

  before(async () => {
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    dataDir = mkdtempSync(join(tmpdir(), 'junction-demo-'));
    demo = await startDemo({ store, dataDir, activityEveryMs: 0, learnersEveryMs: 0 });
  });
  after(async () => {
    await demo?.stop();
    await store?.close();
    await storeDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the generated data is Swiss and dirty in the declared places only', () => {
    const { people, companies } = demo.data;
    assert.ok(people.length >= 100 && companies.length >= 10);
    assert.ok(people.every((p) => p.canton === null || /^[A-Z]{2}$/.test(p.canton)));
    assert.ok(new Set(people.map((p) => p.language)).size === 3, 'German, French and Italian speakers');
    const bad = people.filter((p) => p.email !== null && !isEmailAddress(norm(p.email))).map((p) => p.id);
    assert.deepEqual(
      bad.sort((a, b) => a - b),
      [...DIRTY.badEmails.keys()].sort((a, b) => a - b),
    );
    for (const [dup, original] of DIRTY.duplicateOf) {
      const [a, b] = [people.find((p) => p.id === dup), people.find((p) => p.id === original)];
      assert.equal(norm(a?.email ?? ''), norm(b?.email ?? ''));
      assert.notEqual(a?.email, b?.email, 'typed differently');
    }
    assert.deepEqual(
      generateTrainingProvider().people.map((p) => p.email),
      people.map((p) => p.email),
      'same rows on every start',
    );
  });

  test('the connections point at the running emulators and every connection test passes', async () => {
    assert.ok(await hasDemoWorkspace(store));
    const hubspot = await store.connections.get('demo-hubspot');
    assert.equal(hubspot.config.baseUrl, demo.systems.urls.hubspot);
    for (const { id } of await store.connections.list()) {
      const connection = await store.connections.get(id);
      const ac = new AbortController();
      const connector = createConnector(connection, { log, signal: ac.signal });
      try {
        const result = await connector.check();
        assert.equal(result.ok, true, `${connection.id}: ${result.message}`);
      } finally {
        ac.abort();
        await connector.close?.();
      }
    }
    const tasks = await store.tasks.list();
    assert.equal(tasks.length, 8);
    for (const t of tasks) {
      const every = (t.schedule as { everyMinutes: number }).everyMinutes;
      assert.ok(every >= 1 && every <= 2, `${t.id} runs every ${every} min`);
    }
  });

  test('the first runs sync the clean records and fail the bad e-mails with their reason', async () => {
    const people = demo.data.people;
    const inCrm = people.filter((p) => p.status === 'active' && p.email !== null);
    const badInCrm = inCrm.filter((p) => DIRTY.badEmails.has(p.id));
    assert.ok(badInCrm.length > 0);

    const run = await runTask('demo-people', { store, log });
    assert.equal(run.status, 'warning');
    assert.equal(run.counts.read, inCrm.length);
    assert.equal(run.counts.failed, badInCrm.length);
    assert.equal(run.counts.created + run.counts.updated, inCrm.length - badInCrm.length);
    const failed = await store.executions.items(run.id, { action: 'fail' });
    assert.deepEqual(
      failed.map((i) => Number(i.sourceKey)).sort((a, b) => a - b),
      badInCrm.map((p) => p.id).sort((a, b) => a - b),
    );
    assert.ok(
      failed.every(
        (i) => i.code === 'invalid_email' && /is not a valid e-mail address/.test(i.message ?? ''),
      ),
    );

    // HubSpot holds one contact per distinct address: the pre-existing ones were updated, the duplicate merged.
    const contacts = demo.systems.hubspot.state.all('contacts');
    const distinct = new Set(
      inCrm.filter((p) => !DIRTY.badEmails.has(p.id)).map((p) => norm(p.email as string)),
    );
    for (const id of PRE_EXISTING_CONTACTS) distinct.add(norm(people.find((p) => p.id === id)?.email ?? ''));
    assert.equal(contacts.length, distinct.size);
    assert.ok(run.counts.updated >= PRE_EXISTING_CONTACTS.length);
    const zh = contacts.find(
      (c) =>
        c.properties.email ===
        norm(
          people.find(
            (p) => p.canton === 'ZH' && p.status === 'active' && !DIRTY.badEmails.has(p.id) && p.email,
          )?.email ?? '',
        ),
    );
    assert.equal(zh?.properties.state, 'Zürich', 'canton code mapped to its name');
    assert.match(zh?.properties.phone ?? '', /^\+41\d{9}$/, 'phone normalised to E.164');
  });

  test('Brevo gets the newsletter subscribers on the list, Abacus the paying customers', async () => {
    const people = demo.data.people;
    const newsletter = await runTask('demo-newsletter', { store, log });
    const subscribers = people.filter(
      (p) => p.status === 'active' && p.newsletter === 'ja' && p.email !== null,
    );
    assert.equal(newsletter.counts.read, subscribers.length);
    assert.equal(newsletter.counts.failed, subscribers.filter((p) => DIRTY.badEmails.has(p.id)).length);
    assert.ok(demo.systems.brevo.state.all().every((c) => c.listIds.includes(demo.systems.newsletterListId)));

    const abacus = await runTask('demo-abacus', { store, log });
    const customers = people.filter((p) => p.status === 'active' && p.customer_no !== null);
    assert.equal(abacus.counts.read, customers.length);
    const failing = customers.filter((p) => DIRTY.badEmails.has(p.id) || DIRTY.noLastName.has(p.id));
    assert.equal(abacus.counts.failed, failing.length);
    assert.equal(
      demo.systems.abacus.state.mandant(7777)?.all('Subjects').length,
      customers.length - failing.length,
    );
  });

  test('Moodle gets the participants as users and their bookings as enrolments; completions come back', async () => {
    const people = demo.data.people;
    const moodle = demo.systems.moodle;
    const users = await runTask('demo-moodle-users', { store, log });
    assert.equal(users.status, 'warning', users.error?.message);
    const inLms = people.filter((p) => p.status === 'active' && p.email !== null);
    const valid = inLms.filter((p) => !DIRTY.badEmails.has(p.id) && !DIRTY.noLastName.has(p.id));
    // Moodle keeps e-mails unique: of the people sharing an address (person 90 is person 12 entered
    // twice; a few namesakes share a provider) one becomes the user, the others are refused.
    const addresses = new Set(valid.map((p) => norm(p.email as string)));
    assert.ok(addresses.size < valid.length);
    assert.equal(users.counts.read, inLms.length);
    assert.equal(users.counts.created, addresses.size);
    assert.equal(users.counts.failed, inLms.length - addresses.size);
    const failed = await store.executions.items(users.id, { action: 'fail' });
    const code = (id: number) => failed.find((i) => i.sourceKey === String(id))?.code;
    for (const id of DIRTY.badEmails.keys()) assert.equal(code(id), 'invalid_email');
    for (const id of DIRTY.noLastName) assert.equal(code(id), 'required_field_missing');
    for (const [dup] of DIRTY.duplicateOf) assert.equal(code(dup), 'moodle_invalidparameter');
    assert.equal(
      failed.filter((i) => i.code === 'moodle_invalidparameter').length,
      valid.length - addresses.size,
    );
    assert.deepEqual(
      moodle.state
        .users()
        .map((u) => u.email)
        .sort(),
      [...addresses].sort(),
      'one user per address',
    );
    const languages = new Set(moodle.state.users().map((u) => u.lang));
    assert.deepEqual([...languages].sort(), ['de', 'fr', 'it'], "each in the participant's language");

    const enrolments = await runTask('demo-moodle-enrolments', { store, log });
    assert.notEqual(enrolments.status, 'failed', enrolments.error?.message);
    const synced = new Set(moodle.state.users().map((u) => u.idnumber));
    const booked = demo.data.enrolments.filter((e) => e.status !== 'abgemeldet');
    const enrollable = booked.filter((e) => synced.has(String(e.person_id)));
    assert.equal(enrolments.counts.read, booked.length);
    const pairs = new Set(
      enrollable.map((e) => `${e.person_id}:${demo.data.courses[e.course_id - 1]?.code}`),
    );
    // A course booked twice by one person is one enrolment, created once.
    assert.equal(enrolments.counts.created, pairs.size);
    assert.equal(enrolments.counts.created + enrolments.counts.updated, enrollable.length);
    assert.equal(
      enrolments.counts.failed,
      booked.length - enrollable.length,
      'bookings of people not in Moodle',
    );
    assert.equal(
      new Set(
        moodle.state
          .enrolments()
          .map(
            (e) => `${moodle.state.user(e.userid)?.idnumber}:${moodle.state.course(e.courseid)?.idnumber}`,
          ),
      ).size,
      pairs.size,
      'one enrolment per person and course',
    );

    assert.ok(demo.learners.step() && demo.learners.step(), 'two participants finish a course');
    const completions = await runTask('demo-moodle-completions', { store, log });
    assert.equal(completions.status, 'succeeded', completions.error?.message);
    assert.equal(completions.counts.created, 2);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(demo.databaseFile, { readonly: true });
    try {
      const rows = db
        .prepare('select person_id, course_code, completed_at from course_completions')
        .all() as {
        person_id: string;
        course_code: string;
        completed_at: string;
      }[];
      assert.equal(rows.length, 2);
      for (const r of rows) {
        assert.ok(pairs.has(`${r.person_id}:${r.course_code}`), `${r.person_id} booked ${r.course_code}`);
        assert.ok(Math.abs(Date.parse(r.completed_at) - Date.now()) < 60_000, 'completed just now');
      }
    } finally {
      db.close();
    }
  });

  test("the simulated clerk's edits are what the next run updates", async () => {
    await runTask('demo-people', { store, log });
    assert.ok(demo.activity.step());
    const next = await runTask('demo-people', { store, log });
    assert.ok(
      next.counts.created + next.counts.updated + next.counts.failed >= 2,
      JSON.stringify(next.counts),
    );
    assert.ok(next.counts.read < demo.data.people.length, 'an incremental read, not everything again');
  });

  test('a restart re-creates the database and emulators, re-points the connections and syncs from scratch', async () => {
    const oldUrl = demo.systems.urls.hubspot;
    await demo.stop();
    await assert.rejects(fetch(`${oldUrl}/crm/v3/objects/contacts`), 'the old emulator is closed');
    demo = await startDemo({ store, dataDir, activityEveryMs: 0, learnersEveryMs: 0 });
    assert.equal((await store.connections.get('demo-hubspot')).config.baseUrl, demo.systems.urls.hubspot);
    const run = await runTask('demo-companies', { store, log });
    assert.equal(
      run.counts.created,
      demo.data.companies.length,
      'no stale links: every company is created again',
    );
    assert.equal(demo.systems.hubspot.state.all('companies').length, demo.data.companies.length);
    assert.ok((await store.executions.list({ taskId: 'demo-companies' })).length >= 1, 'history stays');
  });
});
