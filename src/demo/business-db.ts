/**
 * The demo's "business system": a SQLite file in the data folder with the training provider's tables
 * and views for the enrolments as HubSpot deals and as LMS course bookings, and the completions the LMS
 * reports back. It belongs to the demo, not to Junction's store, so it is written with plain
 * better-sqlite3, as the customer's own software would.
 */
import { rmSync } from 'node:fs';
import type { DemoData } from './seed.ts';

const SCHEMA = `
create table companies (
  id integer primary key, name text not null, domain text, industry text, employees text,
  street text, postcode text, city text, canton text, modified_at text not null,
  hubspot_id text, hubspot_status text
);
create table people (
  id integer primary key, salutation text, first_name text, last_name text, email text, phone text,
  street text, house_number text, postcode text, city text, canton text, language text, birthday text,
  company_id integer references companies(id), status text not null, newsletter text, customer_no text,
  modified_at text not null,
  hubspot_id text, hubspot_last_sync text, hubspot_last_success text, hubspot_status text, hubspot_remark text,
  moodle_id text, moodle_status text
);
create table courses (
  id integer primary key, code text not null, title text not null, category text, price_chf real, days integer,
  modified_at text not null
);
create table enrolments (
  id integer primary key, person_id integer not null references people(id), course_id integer not null references courses(id),
  session_date text, status text not null, paid integer not null default 0, modified_at text not null
);
-- An enrolment with what a deal needs from its course and participant; changes to either count.
create view enrolment_deals as
  select e.id, e.person_id, c.code as course_code, c.title as course_title,
         trim(p.first_name) || ' ' || coalesce(p.last_name, '') as participant,
         e.status, e.session_date, c.price_chf as amount, e.paid,
         max(e.modified_at, p.modified_at) as modified_at
  from enrolments e join courses c on c.id = e.course_id join people p on p.id = e.person_id;
-- An enrolment as the LMS needs it: whom (the person's id is the Moodle user's idnumber) into which course.
create view course_bookings as
  select e.id, e.person_id, c.code as course_code, e.status, e.modified_at
  from enrolments e join courses c on c.id = e.course_id;
-- Courses completed in the LMS, written back by Junction (one row per Moodle enrolment).
create table course_completions (
  id integer primary key, moodle_key text not null unique, person_id text, course_code text, completed_at text
);
`;

/** Where the demo database lives inside the data folder. */
export const DEMO_DB_FILE = 'demo-training-provider.db';

/** Inserts rows of one table in a single transaction. */
function insertAll(db: import('better-sqlite3').Database, table: string, rows: readonly object[]): void {
  const first = rows[0];
  if (!first) return;
  const cols = Object.keys(first);
  const stmt = db.prepare(
    `insert into ${table} (${cols.join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')})`,
  );
  db.transaction(() => {
    for (const r of rows) stmt.run(r);
  })();
}

/** (Re)creates the demo database file with the given data; an existing file is replaced. */
export async function createDemoDatabase(file: string, data: DemoData): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
  const db = new Database(file);
  try {
    db.exec(SCHEMA);
    insertAll(db, 'companies', data.companies);
    insertAll(db, 'people', data.people);
    insertAll(db, 'courses', data.courses);
    insertAll(db, 'enrolments', data.enrolments);
  } finally {
    db.close();
  }
}
