/**
 * The demo's outside systems: the HubSpot, Brevo, Abacus and Moodle emulators, started in this process on free
 * loopback ports. Their state lives in memory, so every demo start begins with fresh accounts that
 * hold only what `seedAccounts` puts there (what a real customer's accounts would already contain).
 */
import { type AbacusEmulator, createAbacusEmulator, DEFAULT_CLIENT } from '../../emulators/abacus/index.ts';
import { type BrevoEmulator, createBrevoEmulator } from '../../emulators/brevo/index.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { createMoodleEmulator, type MoodleEmulator, STUDENT_ROLE } from '../../emulators/moodle/index.ts';
import type { DemoData } from './seed.ts';

/** The private-app token the demo's HubSpot portal accepts. */
export const DEMO_HUBSPOT_TOKEN = 'pat-eu1-demo-junction';
/** The API key the demo's Brevo account accepts. */
export const DEMO_BREVO_KEY = 'xkeysib-demo-junction';
/** The Abacus mandant (tenant) of the demo. */
export const DEMO_ABACUS_MANDANT = 7777;
/** The web service token the demo's Moodle site accepts. */
export const DEMO_MOODLE_TOKEN = 'demo0junction0moodle0token000000';
/** People whose e-mail sales already entered into HubSpot by hand: the first run updates, not creates, them. */
export const PRE_EXISTING_CONTACTS = [2, 3, 5, 8, 13];

/** The running emulators and what the demo's connections need to reach them. */
export interface DemoSystems {
  hubspot: HubSpotEmulator;
  brevo: BrevoEmulator;
  abacus: AbacusEmulator;
  moodle: MoodleEmulator;
  urls: { hubspot: string; brevo: string; abacus: string; moodle: string };
  /** The Brevo list newsletter subscribers are put on. */
  newsletterListId: number;
  close(): Promise<void>;
}

/** Starts the four emulators on free ports and seeds their accounts. */
export async function startDemoSystems(data: DemoData): Promise<DemoSystems> {
  const hubspot = createHubSpotEmulator({ tokens: [DEMO_HUBSPOT_TOKEN] });
  const brevo = createBrevoEmulator({ apiKeys: [DEMO_BREVO_KEY] });
  // Abacus publishes no limit; the demo's installation allows 300 calls per 10 s (the connection uses 250).
  const abacus = createAbacusEmulator({
    mandants: { [DEMO_ABACUS_MANDANT]: { firstSubjectId: 10_001 } },
    rateLimit: { max: 300, intervalMs: 10_000 },
  });
  // The learning platform speaks the participants' languages.
  const moodle = createMoodleEmulator({
    tokens: [DEMO_MOODLE_TOKEN],
    site: { fullname: 'Lernplattform Weiterbildung Muster AG', languages: ['en', 'de', 'fr', 'it'] },
  });
  const started: { close(): Promise<void> }[] = [];
  const listen = async (emulator: { listen(port?: number): Promise<string>; close(): Promise<void> }) => {
    const url = await emulator.listen(0);
    started.push(emulator);
    return url;
  };
  try {
    const urls = {
      hubspot: await listen(hubspot),
      brevo: await listen(brevo),
      abacus: await listen(abacus),
      moodle: await listen(moodle),
    };
    const newsletterListId = seedAccounts({ hubspot, brevo }, data);
    seedCourses(moodle, data);
    return {
      hubspot,
      brevo,
      abacus,
      moodle,
      urls,
      newsletterListId,
      async close() {
        await Promise.allSettled([hubspot.close(), brevo.close(), abacus.close(), moodle.close()]);
      },
    };
  } catch (err) {
    await Promise.allSettled(started.map((e) => e.close()));
    throw err;
  }
}

/** The HubSpot custom properties and Brevo list the demo's mappings use, and a few existing contacts. */
function seedAccounts(s: { hubspot: HubSpotEmulator; brevo: BrevoEmulator }, data: DemoData): number {
  const registry = s.hubspot.state.registry;
  // Unique custom properties are HubSpot's way to upsert by the business system's own key.
  registry.create('companies', {
    name: 'erp_company_id',
    label: 'ERP company number',
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    hasUniqueValue: true,
  });
  registry.create('deals', {
    name: 'erp_enrolment_id',
    label: 'ERP enrolment number',
    type: 'string',
    fieldType: 'text',
    groupName: 'dealinformation',
    hasUniqueValue: true,
  });
  for (const id of PRE_EXISTING_CONTACTS) {
    const p = data.people.find((x) => x.id === id);
    if (p?.email)
      s.hubspot.state.insert('contacts', {
        email: p.email.trim().toLowerCase(),
        firstname: p.first_name.trim(),
        lifecyclestage: 'lead',
      });
  }
  return s.brevo.state.createList('Newsletter Weiterbildung').id;
}

/** The Abacus service user the demo's connection logs in with. */
export const DEMO_ABACUS_CLIENT = DEFAULT_CLIENT;

/** The catalogue's courses as Moodle courses, their ID number the course code the bookings name. */
function seedCourses(moodle: MoodleEmulator, data: DemoData): void {
  for (const c of data.courses)
    moodle.state.createCourse({ fullname: c.title, shortname: c.code, idnumber: c.code });
}

/**
 * Learners at work in the LMS: every `everyMs` one enrolled participant finishes a course (Moodle's
 * completion), which the completions task then brings back into the business system. `step()` does one
 * now; it returns false when every enrolment is already completed.
 */
export function startDemoLearners(moodle: MoodleEmulator, everyMs: number) {
  const step = (): boolean => {
    const open = moodle.state
      .enrolments()
      .filter((e) => e.roleids.includes(STUDENT_ROLE) && !moodle.state.completion(e.userid, e.courseid));
    const next = open[Math.floor(Math.random() * open.length)];
    if (!next) return false;
    moodle.state.completeCourse(next.userid, next.courseid);
    return true;
  };
  const timer = everyMs > 0 ? setInterval(step, everyMs) : null;
  timer?.unref();
  return {
    step,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
export type DemoLearners = ReturnType<typeof startDemoLearners>;
