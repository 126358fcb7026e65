// The LMS end to end: people and their course bookings → Moodle users and manual enrolments; completions back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createMoodleEmulator, type MoodleEmulator } from '../../emulators/moodle/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

const log = pino({ level: 'silent' });
const TOKEN = 'moodle-e2e-token-0123456789abcdef';
const PEOPLE = 500;
const COURSES = ['FA-1', 'XL-2', 'PM-3'];

/** Every person books one course, every fourth a second one. */
function bookings(): { id: number; person_id: number; course_idnumber: string }[] {
  const out: { id: number; person_id: number; course_idnumber: string }[] = [];
  for (let p = 1; p <= PEOPLE; p++) {
    out.push({ id: out.length + 1, person_id: p, course_idnumber: COURSES[p % 3] as string });
    if (p % 4 === 0)
      out.push({ id: out.length + 1, person_id: p, course_idnumber: COURSES[(p + 1) % 3] as string });
  }
  return out;
}

function config(businessUrl: string, moodleUrl: string) {
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}" } }
  - { id: lms, system: moodle, config: { baseUrl: "${moodleUrl}", requestsPer10s: 100000, concurrency: 4 }, secret: { token: ${TOKEN} } }
  - { id: lms-wrong-token, system: moodle, config: { baseUrl: "${moodleUrl}" }, secret: { token: not-a-token } }
mappings:
  - id: people-to-users
    name: People → Moodle users
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: lms, object: users }
    matchKey: { target: idnumber }
    identifier: source
    deletes: archive
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name }
      - { target: lastname, from: last_name }
      - { target: city, value: Zürich }
    writeBack: { lastSync: sync_last, status: sync_status, remark: sync_remark }
  - id: bookings-to-enrolments
    name: Bookings → Moodle enrolments
    source: { connectionId: erp, object: bookings, key: id, modifiedField: modified_at }
    target: { connectionId: lms, object: enrolments }
    matchKey: { target: id }
    identifier: source
    deletes: propagate
    fields:
      - { target: user_idnumber, template: "{person_id}" }
      - { target: course_idnumber, from: course_idnumber }
  - id: people-wrong-token
    name: People → Moodle with a token Moodle does not know
    source: { connectionId: erp, object: people, key: id }
    target: { connectionId: lms-wrong-token, object: users }
    matchKey: { target: idnumber }
    identifier: source
    fields:
      - { target: email, from: email, transform: [{ type: email }] }
  - id: completions-back
    name: Moodle completions → business system
    source: { connectionId: lms, object: completions, key: id }
    target: { connectionId: erp, object: completions }
    matchKey: { target: moodle_key }
    identifier: source
    filter: "completed = true"
    fields:
      - { target: person_id, from: user_idnumber }
      - { target: course_idnumber, from: course_idnumber }
      - { target: completed_at, from: timecompleted }
tasks:
  - { id: users, mapping: people-to-users }
  - { id: enrolments, mapping: bookings-to-enrolments }
  - { id: completions, mapping: completions-back, mode: full }
  - { id: users-full, mapping: people-to-users, mode: full }
  - { id: enrolments-full, mapping: bookings-to-enrolments, mode: full }
  - { id: wrong-token, mapping: people-wrong-token }
`;
}

for (const dialect of DIALECTS) {
  describe(`people and bookings → Moodle, completions back (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;
    let moodle: MoodleEmulator;
    const people = generatePeople(PEOPLE);
    const booked = bookings();
    const courseIds = new Map<string, number>();

    const run = async (task: string) => {
      const execution = await runTask(task, { store, log });
      assert.notEqual(execution.status, 'failed', `${task}: ${execution.error?.message}`);
      return execution;
    };
    const userByIdnumber = (idnumber: string) => moodle.state.users().find((u) => u.idnumber === idnumber);

    before(async () => {
      business = await dialect.create();
      await createPeopleTable(business, people);
      const ts = dialect.name === 'PostgreSQL' ? 'timestamptz' : 'text';
      await withBusinessDb(business, async (db) => {
        await db.schema
          .createTable('bookings')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('person_id', 'integer', (c) => c.notNull())
          .addColumn('course_idnumber', 'text', (c) => c.notNull())
          .addColumn('modified_at', sql.raw(ts), (c) => c.notNull())
          .execute();
        const stamp = new Date('2025-02-01T08:00:00.000Z').toISOString();
        for (let i = 0; i < booked.length; i += 200)
          await db
            .insertInto('bookings')
            .values(booked.slice(i, i + 200).map((b) => ({ ...b, modified_at: stamp })))
            .execute();
        await db.schema
          .createTable('completions')
          .addColumn('id', dialect.name === 'PostgreSQL' ? 'serial' : 'integer', (c) => c.primaryKey())
          .addColumn('moodle_key', 'text', (c) => c.unique())
          .addColumn('person_id', 'text')
          .addColumn('course_idnumber', 'text')
          .addColumn('completed_at', 'text')
          .execute();
      });
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      moodle = createMoodleEmulator({ tokens: [TOKEN] });
      const url = await moodle.listen();
      for (const [i, idnumber] of COURSES.entries())
        courseIds.set(
          idnumber,
          moodle.state.createCourse({ fullname: `Course ${i + 1}`, shortname: `C${i + 1}`, idnumber }).id,
        );
      await applyConfig(store, parseConfigText(config(business.url, url)));
    });
    after(async () => {
      await store?.close();
      await moodle?.close();
      await business?.drop();
      await storeDb?.drop();
    });

    test('500 people become exactly 500 users, their bookings exactly their enrolments (as students)', async () => {
      const users = await run('users');
      assert.equal(users.status, 'succeeded');
      assert.equal(users.counts.created, PEOPLE);
      assert.equal(users.counts.failed, 0);
      const live = moodle.state.users();
      assert.equal(live.length, PEOPLE);
      for (const p of people) {
        const u = userByIdnumber(String(p.id));
        assert.ok(u, `person ${p.id} is a Moodle user`);
        assert.equal(u.email, p.email.trim().toLowerCase());
        assert.equal(u.username, p.email.trim().toLowerCase(), 'the username defaults to the e-mail');
        assert.equal(u.firstname, p.first_name);
        assert.equal(u.lastname, p.last_name);
        assert.equal(u.city, 'Zürich');
        assert.equal(u.suspended, false);
      }
      // Batched: 500 users in calls of at most 50.
      assert.ok((moodle.stats.byFunction.core_user_create_users ?? 0) <= PEOPLE / 50);
      const marks = await withBusinessDb(business, (db) =>
        db.selectFrom('people').select(['sync_status']).where('sync_status', '=', 'ok').execute(),
      );
      assert.equal(marks.length, PEOPLE, 'every person is marked synced');

      const enrolments = await run('enrolments');
      assert.equal(enrolments.status, 'succeeded');
      assert.equal(enrolments.counts.created, booked.length);
      const expected = booked
        .map((b) => `${courseIds.get(b.course_idnumber)}:${userByIdnumber(String(b.person_id))?.id}`)
        .sort();
      const actual = moodle.state
        .enrolments()
        .map((e) => `${e.courseid}:${e.userid}`)
        .sort();
      assert.deepEqual(actual, expected);
      for (const e of moodle.state.enrolments()) {
        assert.deepEqual(e.roleids, [5], 'enrolled as student');
        assert.equal(e.status, 0);
      }
      const items = await store.executions.items(enrolments.id, { action: 'create', limit: 5 });
      assert.match(items[0]?.targetId ?? '', /^\d+:\d+$/, 'the enrolment id is <courseid>:<userid>');
    });

    test('a re-run of both tasks makes no write call', async () => {
      const before = moodle.stats.writes;
      for (const task of ['users', 'enrolments']) {
        const again = await run(task);
        assert.equal(again.counts.created + again.counts.updated + again.counts.failed, 0, task);
      }
      assert.equal(moodle.stats.writes, before);
    });

    test('a changed e-mail updates that user, and only that one', async () => {
      const before = moodle.stats.writes;
      await withBusinessDb(business, (db) =>
        db
          .updateTable('people')
          .set({
            email: 'Neue.Adresse.7@Example.CH',
            modified_at: new Date('2026-01-01T00:00:00.000Z').toISOString(),
          })
          .where('id', '=', 7)
          .execute(),
      );
      const users = await run('users');
      assert.equal(users.counts.updated, 1);
      assert.equal(users.counts.created, 0);
      assert.equal(userByIdnumber('7')?.email, 'neue.adresse.7@example.ch');
      assert.equal(moodle.state.users().length, PEOPLE, 'no second user');
      assert.equal(moodle.stats.writes - before, 1, 'one update call');
    });

    test('an e-mail another user has fails exactly that person, with Moodle’s code; the batch goes through', async () => {
      await withBusinessDb(business, (db) =>
        db
          .insertInto('people')
          .values(
            [501, 502, 503].map((id) => ({
              id,
              first_name: 'Neu',
              last_name: `Person ${id}`,
              // 502 takes person 1's address: Moodle keeps e-mails unique.
              email: id === 502 ? people[0]?.email : `neu.${id}@example.ch`,
              canton: 'ZH',
              status: 'active',
              modified_at: new Date('2026-01-02T00:00:00.000Z').toISOString(),
            })),
          )
          .execute(),
      );
      const users = await run('users');
      assert.equal(users.status, 'warning');
      assert.equal(users.counts.created, 2);
      assert.equal(users.counts.failed, 1);
      const [failed] = await store.executions.items(users.id, { action: 'fail', limit: 5 });
      assert.equal(failed?.sourceKey, '502');
      assert.equal(failed?.code, 'moodle_invalidparameter');
      assert.ok(userByIdnumber('501') && userByIdnumber('503') && !userByIdnumber('502'));
    });

    test('a course completed in Moodle arrives in the business system with its date', async () => {
      const user = userByIdnumber('7');
      const course = courseIds.get(COURSES[7 % 3] as string);
      assert.ok(user && course);
      const at = Date.parse('2026-03-04T10:20:30.000Z') / 1000;
      moodle.state.completeCourse(user.id, course, at);

      const back = await run('completions');
      assert.equal(back.status, 'succeeded', back.error?.message);
      assert.equal(back.counts.created, 1);
      assert.equal(back.counts.read, booked.length, 'every active student enrolment is read');
      const rows = await withBusinessDb(business, (db) => db.selectFrom('completions').selectAll().execute());
      assert.deepEqual(
        rows.map((r) => ({ ...r, id: undefined })),
        [
          {
            id: undefined,
            moodle_key: `${course}:${user.id}`,
            person_id: '7',
            course_idnumber: COURSES[7 % 3],
            completed_at: '2026-03-04T10:20:30.000Z',
          },
        ],
      );
      const again = await run('completions');
      assert.equal(again.counts.created + again.counts.updated, 0, 'nothing new, nothing written');
    });

    test('an e-mail change Moodle skips without a word (another user has it) fails that person, not silently', async () => {
      await withBusinessDb(business, (db) =>
        db
          .updateTable('people')
          .set({ email: people[8]?.email, modified_at: new Date('2026-01-03T00:00:00.000Z').toISOString() })
          .where('id', '=', 8)
          .execute(),
      );
      const users = await run('users');
      const items = await store.executions.items(users.id, { action: 'fail', limit: 5 });
      // Person 502 (re-read: the incremental read overlaps the last one by a minute) still has a taken e-mail.
      assert.deepEqual(items.map((i) => i.sourceKey).sort(), ['502', '8']);
      assert.equal(users.counts.updated, 0);
      const failed = items.find((i) => i.sourceKey === '8');
      assert.equal(failed?.sourceKey, '8');
      assert.equal(failed?.code, 'moodle_email_refused');
      assert.equal(
        userByIdnumber('8')?.email,
        people[7]?.email.trim().toLowerCase(),
        'Moodle kept the old one',
      );
    });

    test('a person deleted in the business system is suspended in Moodle, their bookings unenrolled', async () => {
      const user = userByIdnumber('12');
      assert.ok(user);
      const bookingIds = booked.filter((b) => b.person_id === 12).map((b) => b.id);
      assert.ok(moodle.state.enrolments().some((e) => e.userid === user.id));
      await withBusinessDb(business, async (db) => {
        await db.deleteFrom('bookings').where('person_id', '=', 12).execute();
        await db.deleteFrom('people').where('id', '=', 12).execute();
      });
      const enrolments = await run('enrolments-full');
      assert.equal(enrolments.counts.deleted, bookingIds.length);
      assert.ok(!moodle.state.enrolments().some((e) => e.userid === user.id), 'unenrolled');
      const users = await run('users-full');
      assert.equal(users.counts.deleted, 1, 'archived');
      assert.equal(userByIdnumber('12')?.suspended, true, 'suspended, not deleted');
      const again = await run('users-full');
      assert.equal(again.counts.deleted + again.counts.created + again.counts.updated, 0);
    });

    test('a token Moodle does not know ends the run as an authentication failure', async () => {
      const execution = await runTask('wrong-token', { store, log });
      assert.equal(execution.status, 'failed');
      assert.equal(execution.error?.code, 'authentication_failed');
      assert.match(execution.error?.message ?? '', /token/);
    });
  });
}

describe('Moodle answering 5xx now and then (SQLite)', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let moodle: MoodleEmulator;
  const people = generatePeople(200);

  before(async () => {
    business = await createTempSqlite();
    await createPeopleTable(business, people);
    await withBusinessDb(business, async (db) => {
      await db.schema
        .createTable('bookings')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('person_id', 'integer')
        .addColumn('course_idnumber', 'text')
        .addColumn('modified_at', 'text')
        .execute();
      // The configuration's completions mapping is checked against this table when applied: its columns exist.
      await db.schema
        .createTable('completions')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('moodle_key', 'text', (c) => c.unique())
        .addColumn('person_id', 'text')
        .addColumn('course_idnumber', 'text')
        .addColumn('completed_at', 'text')
        .execute();
    });
    storeDb = await createTempSqlite();
    store = await openTestStore(storeDb);
    // A quarter of the calls fail before Moodle runs them (a proxy's 502/503), so a create is never half done.
    moodle = createMoodleEmulator({ tokens: [TOKEN], faults: { errorRate: 0.25, seed: 7 } });
    await applyConfig(store, parseConfigText(config(business.url, await moodle.listen())));
  });
  after(async () => {
    await store?.close();
    await moodle?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('refused creates fail retryably and the next run makes them: every person exactly once', async () => {
    const first = await runTask('users', { store, log });
    assert.ok(moodle.stats.serverErrors > 0, 'faults happened');
    assert.equal(first.counts.created + first.counts.failed, people.length);
    assert.ok(first.counts.failed > 0 && first.counts.created > 0, JSON.stringify(first.counts));
    const failed = await store.executions.items(first.id, { action: 'fail', limit: 500 });
    assert.ok(
      failed.every((i) => i.code === 'moodle_unavailable'),
      JSON.stringify(failed[0]),
    );

    moodle.setFaults({ errorRate: 0 });
    const second = await runTask('users', { store, log });
    assert.equal(second.status, 'succeeded', second.error?.message);
    assert.equal(second.counts.created, first.counts.failed, 'the failed ones, re-read as retries');
    const idnumbers = moodle.state.users().map((u) => u.idnumber);
    assert.equal(idnumbers.length, people.length);
    assert.deepEqual(
      [...new Set(idnumbers)].sort(),
      people.map((p) => String(p.id)).sort(),
      'each person once',
    );
  });
});
