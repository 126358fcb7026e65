/**
 * The demo's business data: a Swiss training provider's companies, people, courses and enrolments,
 * generated from a seed so every start (and every test) sees the same rows. Some rows are dirty on
 * purpose, as in any real business system: malformed e-mails, a person entered twice, missing fields.
 */
import {
  COMPANIES,
  COURSES,
  FIRST_NAMES,
  LAST_NAMES,
  MAIL_DOMAINS,
  STREETS,
  TOWNS,
  type Town,
} from './swiss-data.ts';

/** A company row. */
export interface DemoCompany {
  id: number;
  name: string;
  domain: string;
  industry: string;
  employees: string;
  street: string;
  postcode: string;
  city: string;
  canton: string;
  modified_at: string;
}

/** A person row (course participant or contact person); sync-mark columns start empty. */
export interface DemoPerson {
  id: number;
  salutation: 'Herr' | 'Frau';
  first_name: string;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  house_number: string | null;
  postcode: string | null;
  city: string | null;
  canton: string | null;
  language: Town['lang'];
  birthday: string | null;
  company_id: number | null;
  status: 'active' | 'inactive';
  newsletter: 'ja' | 'nein';
  customer_no: string | null;
  modified_at: string;
}

/** A course of the catalogue. */
export interface DemoCourse {
  id: number;
  code: string;
  title: string;
  category: string;
  price_chf: number;
  days: number;
  modified_at: string;
}

/** One person's booking of one course. */
export interface DemoEnrolment {
  id: number;
  person_id: number;
  course_id: number;
  session_date: string;
  status: 'angemeldet' | 'bestätigt' | 'abgeschlossen' | 'abgemeldet';
  paid: number;
  modified_at: string;
}

/** Everything the demo database holds. */
export interface DemoData {
  companies: DemoCompany[];
  people: DemoPerson[];
  courses: DemoCourse[];
  enrolments: DemoEnrolment[];
}

/** The ids of the dirty rows, so tests and the README can say what fails and why. */
export const DIRTY = {
  /** People whose e-mail is not an address (no top-level domain, two @, a blank, "(at)"). */
  badEmails: new Map<number, string>([
    [7, 'reto.keller@bluewin'],
    [23, 'sandra.meier@@gmx.ch'],
    [41, 'marco rossi@gmail.com'],
    [58, 'urs.gerber(at)sunrise.ch'],
  ]),
  /** Person 90 is person 12 entered a second time, with the e-mail typed differently. */
  duplicateOf: new Map<number, number>([[90, 12]]),
  /** People without an e-mail address: nothing to match on in HubSpot or Brevo. */
  noEmail: new Set([31, 77]),
  /** People without a last name (Abacus refuses a subject without a name). */
  noLastName: new Set([64]),
  /** People without an address. */
  noAddress: new Set([19, 77]),
};

/** Number of people the demo database starts with. */
export const DEMO_PEOPLE = 120;

/** A small, fast, seedable PRNG (mulberry32): the demo must not depend on Math.random. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const pad = (n: number) => String(n).padStart(2, '0');

/** "müller" → "mueller", "Céline" → "celine": how people spell their names in e-mail addresses. */
export function asciiName(name: string): string {
  return name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '');
}

/** A Swiss phone number in one of the ways people type them. */
function phoneNumber(rnd: () => number, i: number): string {
  const prefix = pick(rnd, ['079', '078', '076', '044', '031', '021']);
  const digits = String(1_000_000 + Math.floor(rnd() * 8_999_999)).slice(0, 7);
  const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 5), digits.slice(5, 7)];
  const styles = [
    `${prefix} ${a} ${b} ${c}`,
    `+41 ${prefix.slice(1)} ${a} ${b} ${c}`,
    `${prefix}${digits}`,
    `0041 ${prefix.slice(1)} ${a} ${b} ${c}`,
  ];
  return styles[i % styles.length] as string;
}

/** Generates the training provider's data; `now` anchors the modification times (the last 30 days). */
export function generateTrainingProvider(o: { seed?: number; people?: number; now?: Date } = {}): DemoData {
  const rnd = createRandom(o.seed ?? 2025);
  const now = (o.now ?? new Date()).getTime();
  const daysAgo = (max: number) => new Date(now - Math.floor(rnd() * max * 86_400_000)).toISOString();

  const companies: DemoCompany[] = COMPANIES.map((c, i) => {
    const town = TOWNS[(i * 5) % TOWNS.length] as Town;
    return {
      id: i + 1,
      ...c,
      street: `${pick(rnd, STREETS[town.lang])} ${1 + Math.floor(rnd() * 80)}`,
      postcode: town.postcode,
      city: town.city,
      canton: town.canton,
      modified_at: daysAgo(30),
    };
  });

  const people: DemoPerson[] = [];
  for (let id = 1; id <= (o.people ?? DEMO_PEOPLE); id++) {
    const town = TOWNS[Math.floor(rnd() * TOWNS.length)] as Town;
    const female = rnd() < 0.5;
    const first = pick(rnd, female ? FIRST_NAMES[town.lang].f : FIRST_NAMES[town.lang].m);
    const last = pick(rnd, LAST_NAMES[town.lang]);
    const employed = rnd() < 0.6;
    people.push({
      id,
      salutation: female ? 'Frau' : 'Herr',
      // Clerks type a stray blank now and then; the mappings trim it.
      first_name: id % 17 === 0 ? ` ${first} ` : first,
      last_name: last,
      email: `${asciiName(first)}.${asciiName(last)}${id % 9 === 0 ? id : ''}@${employed && id % 3 === 0 ? pick(rnd, COMPANIES).domain : pick(rnd, MAIL_DOMAINS)}`,
      phone: phoneNumber(rnd, id),
      street: pick(rnd, STREETS[town.lang]),
      house_number: String(1 + Math.floor(rnd() * 120)) + (id % 11 === 0 ? 'a' : ''),
      postcode: town.postcode,
      city: town.city,
      canton: town.canton,
      language: town.lang,
      birthday: `${pad(1 + Math.floor(rnd() * 28))}.${pad(1 + Math.floor(rnd() * 12))}.${1955 + Math.floor(rnd() * 48)}`,
      company_id: employed ? 1 + Math.floor(rnd() * companies.length) : null,
      status: id % 10 === 5 ? 'inactive' : 'active',
      newsletter: rnd() < 0.55 ? 'ja' : 'nein',
      customer_no: rnd() < 0.5 ? `K-${10_000 + id}` : null,
      modified_at: daysAgo(30),
    });
  }
  // Some upper case in addresses, which the e-mail transform lowers.
  for (const p of people)
    if (p.id % 13 === 0 && p.email) p.email = p.email.replace(/^./, (c) => c.toUpperCase());
  for (const [id, email] of DIRTY.badEmails) setPerson(people, id, { email });
  for (const id of DIRTY.noEmail) setPerson(people, id, { email: null });
  for (const id of DIRTY.noLastName) setPerson(people, id, { last_name: null });
  for (const id of DIRTY.noAddress)
    setPerson(people, id, { street: null, house_number: null, postcode: null, city: null, canton: null });
  for (const [dup, original] of DIRTY.duplicateOf) {
    const o = people.find((p) => p.id === original);
    if (o?.email)
      setPerson(people, dup, {
        ...o,
        id: dup,
        email: `  ${o.email.toUpperCase()}`,
        phone: null,
        modified_at: daysAgo(5),
      });
  }

  const courses: DemoCourse[] = COURSES.map((c, i) => ({
    id: i + 1,
    code: c.code,
    title: c.title,
    category: c.category,
    price_chf: c.price,
    days: c.days,
    modified_at: daysAgo(60),
  }));

  const enrolments: DemoEnrolment[] = [];
  const statuses: DemoEnrolment['status'][] = [
    'angemeldet',
    'bestätigt',
    'bestätigt',
    'abgeschlossen',
    'abgeschlossen',
    'abgemeldet',
  ];
  for (const p of people) {
    if (p.status !== 'active') continue;
    const n = Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) {
      const status = pick(rnd, statuses);
      const session = new Date(now + Math.floor((rnd() * 240 - 120) * 86_400_000));
      enrolments.push({
        id: enrolments.length + 1,
        person_id: p.id,
        course_id: 1 + Math.floor(rnd() * courses.length),
        session_date: session.toISOString().slice(0, 10),
        status,
        paid: status === 'abgeschlossen' || (status === 'bestätigt' && rnd() < 0.5) ? 1 : 0,
        modified_at: daysAgo(20),
      });
    }
  }
  return { companies, people, courses, enrolments };
}

function setPerson(people: DemoPerson[], id: number, values: Partial<DemoPerson>): void {
  const i = people.findIndex((p) => p.id === id);
  if (i >= 0) people[i] = { ...(people[i] as DemoPerson), ...values };
}
