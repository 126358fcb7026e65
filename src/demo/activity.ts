/**
 * A clerk at work in the demo's business system: every so often a few people change (a move, a new
 * phone number, a newsletter sign-up) and now and then someone new registers for a course, sometimes
 * with a mistyped e-mail. The scheduled tasks then have something to sync on every run, so the
 * dashboard's chart keeps moving while the newcomer watches.
 */
import { asciiName, createRandom } from './seed.ts';
import { FIRST_NAMES, LAST_NAMES, MAIL_DOMAINS, TOWNS, type Town } from './swiss-data.ts';

/** A running clerk; `stop()` ends it and closes its database connection. */
export interface DemoActivity {
  /** Changes made so far (for tests and the terminal). */
  readonly changes: number;
  /** Makes one round of changes now; false when the database was busy (it tries again next round). */
  step(): boolean;
  stop(): void;
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;

/** Starts editing the demo database at `file` every `everyMs` (0: only when `step()` is called). */
export async function startDemoActivity(
  file: string,
  o: { everyMs: number; seed?: number; onError?: (err: unknown) => void },
): Promise<DemoActivity> {
  const { default: Database } = await import('better-sqlite3');
  // No busy wait: a sync writing marks may hold the write lock across awaits, and waiting here
  // would block the very event loop it needs to finish. Busy means "next round".
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  const rnd = createRandom(o.seed ?? Date.now());
  let changes = 0;

  const updatePerson = db.prepare(
    'update people set phone = ?, newsletter = ?, modified_at = ? where id = ?',
  );
  const move = db.prepare(
    'update people set street = ?, postcode = ?, city = ?, canton = ?, modified_at = ? where id = ?',
  );
  const activeIds = db.prepare("select id from people where status = 'active' and email is not null").pluck();
  const nextId = db.prepare('select coalesce(max(id), 0) + 1 from people').pluck();
  const addPerson = db.prepare(
    `insert into people (id, salutation, first_name, last_name, email, phone, street, house_number, postcode, city, canton,
       language, status, newsletter, customer_no, modified_at)
     values (@id, @salutation, @first_name, @last_name, @email, @phone, @street, @house_number, @postcode, @city, @canton,
       @language, 'active', @newsletter, @customer_no, @modified_at)`,
  );
  const addEnrolment = db.prepare(
    "insert into enrolments (person_id, course_id, session_date, status, paid, modified_at) values (?, ?, ?, 'angemeldet', 0, ?)",
  );
  let round = 0;

  const step = db.transaction(() => {
    const now = new Date().toISOString();
    const ids = activeIds.all() as number[];
    for (let k = 0; k < 2 + Math.floor(rnd() * 3); k++) {
      const id = pick(rnd, ids);
      if (rnd() < 0.3) {
        const town = pick(rnd, TOWNS);
        move.run(
          `${pick(rnd, ['Bahnhofstrasse', 'Seestrasse', 'Rue du Lac', 'Via Nassa'])} ${1 + Math.floor(rnd() * 60)}`,
          town.postcode,
          town.city,
          town.canton,
          now,
          id,
        );
      } else {
        updatePerson.run(
          `079 ${100 + Math.floor(rnd() * 899)} ${10 + Math.floor(rnd() * 89)} ${10 + Math.floor(rnd() * 89)}`,
          rnd() < 0.6 ? 'ja' : 'nein',
          now,
          id,
        );
      }
      changes++;
    }
    if (round++ % 2 === 0) {
      const town = pick(rnd, TOWNS) as Town;
      const female = rnd() < 0.5;
      const first = pick(rnd, female ? FIRST_NAMES[town.lang].f : FIRST_NAMES[town.lang].m);
      const last = pick(rnd, LAST_NAMES[town.lang]);
      const id = nextId.get() as number;
      // Every third sign-up has the typo web forms let through: no top-level domain.
      const domain =
        round % 3 === 0 ? pick(rnd, MAIL_DOMAINS).replace(/\.[a-z]+$/, '') : pick(rnd, MAIL_DOMAINS);
      addPerson.run({
        id,
        salutation: female ? 'Frau' : 'Herr',
        first_name: first,
        last_name: last,
        email: `${asciiName(first)}.${asciiName(last)}${id}@${domain}`,
        phone: `07${6 + Math.floor(rnd() * 4)} ${100 + Math.floor(rnd() * 899)} ${10 + Math.floor(rnd() * 89)} ${10 + Math.floor(rnd() * 89)}`,
        street: 'Dorfstrasse',
        house_number: String(1 + Math.floor(rnd() * 40)),
        postcode: town.postcode,
        city: town.city,
        canton: town.canton,
        language: town.lang,
        newsletter: rnd() < 0.5 ? 'ja' : 'nein',
        customer_no: `K-${10_000 + id}`,
        modified_at: now,
      });
      addEnrolment.run(
        id,
        1 + Math.floor(rnd() * 10),
        new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
        now,
      );
      changes++;
    }
  });

  const tryStep = (): boolean => {
    try {
      step();
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw err;
    }
  };
  const timer =
    o.everyMs > 0
      ? setInterval(() => {
          try {
            tryStep();
          } catch (err) {
            o.onError?.(err);
          }
        }, o.everyMs)
      : undefined;
  timer?.unref();

  return {
    get changes() {
      return changes;
    },
    step: tryStep,
    stop() {
      if (timer) clearInterval(timer);
      if (db.open) db.close();
    },
  };
}
