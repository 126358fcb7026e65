/**
 * The demo workspace: a training provider's SQLite database in the data folder, the HubSpot, Brevo,
 * Abacus and Moodle emulators in this process, and connections, mappings and tasks between them.
 *
 * @example
 * const demo = await startDemo({ store, dataDir: './junction-data' });
 * console.log(demo.describe().join('\n'));
 * // … later, after the scheduler stopped:
 * await demo.stop();
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { applyConfig } from '../config/apply-config.ts';
import { parseConfigText } from '../config/config-file.ts';
import type { Store } from '../store/store.ts';
import { type DemoActivity, startDemoActivity } from './activity.ts';
import { createDemoDatabase, DEMO_DB_FILE } from './business-db.ts';
import {
  DEMO_ABACUS_CLIENT,
  DEMO_ABACUS_MANDANT,
  DEMO_BREVO_KEY,
  DEMO_HUBSPOT_TOKEN,
  DEMO_MOODLE_TOKEN,
  type DemoLearners,
  type DemoSystems,
  startDemoLearners,
  startDemoSystems,
} from './emulators.ts';
import { forgetDemoSyncState } from './forget-sync-state.ts';
import { type DemoData, generateTrainingProvider } from './seed.ts';

export { DEMO_DB_FILE } from './business-db.ts';
export { type DemoData, DIRTY, generateTrainingProvider } from './seed.ts';

/** The id of the demo's business-system connection; its presence in the store means "the demo is loaded". */
export const DEMO_ERP_CONNECTION = 'demo-erp';

/** The demo configuration file (YAML with `${DEMO_*}` placeholders). */
export const DEMO_WORKSPACE_FILE = new URL('./workspace.yaml', import.meta.url);

export interface DemoOptions {
  store: Store;
  /** Junction's data folder. */
  dataDir: string;
  /** Where the demo database goes: a folder connections may read (default `<dataDir>/files`). */
  filesDir?: string | undefined;
  log?: Logger;
  /** How often the simulated clerk edits the business data; default 45 s, 0 never. */
  activityEveryMs?: number;
  /** How often a participant completes a course in the LMS; default 60 s, 0 never. */
  learnersEveryMs?: number;
  /** Seed of the generated data (default: the same rows on every start). */
  seed?: number;
}

/** A running demo. */
export interface DemoSession {
  /** The generated business data the database started with. */
  readonly data: DemoData;
  readonly systems: DemoSystems;
  readonly activity: DemoActivity;
  /** Participants finishing their courses in the LMS (Moodle completions). */
  readonly learners: DemoLearners;
  /** Path of the demo database file. */
  readonly databaseFile: string;
  /** Lines for the terminal: the emulators with their URLs and the demo's tasks. */
  describe(): string[];
  /** Stops the clerk and the emulators (call after the scheduler stopped). */
  stop(): Promise<void>;
}

/** Whether the store holds the demo workspace (so `junction start` restarts its emulators). */
export async function hasDemoWorkspace(store: Store): Promise<boolean> {
  return (await store.connections.list()).some((c) => c.id === DEMO_ERP_CONNECTION);
}

/**
 * Loads the demo: re-creates its database, starts the emulators on free ports, forgets the sync state
 * of any earlier demo session and applies the workspace with the emulators' current addresses.
 */
export async function startDemo(o: DemoOptions): Promise<DemoSession> {
  // In the files folder: connections may read nothing else (and never the data folder's own files).
  const filesDir = o.filesDir ?? join(o.dataDir, 'files');
  mkdirSync(filesDir, { recursive: true, mode: 0o700 });
  const databaseFile = join(filesDir, DEMO_DB_FILE);
  const data = generateTrainingProvider({ seed: o.seed });
  await createDemoDatabase(databaseFile, data);
  const systems = await startDemoSystems(data);
  let activity: DemoActivity | undefined;
  try {
    const config = parseConfigText(readFileSync(DEMO_WORKSPACE_FILE, 'utf8'), {
      DEMO_DB_URL: `sqlite:${databaseFile}`,
      DEMO_HUBSPOT_URL: systems.urls.hubspot,
      DEMO_HUBSPOT_TOKEN,
      DEMO_BREVO_URL: systems.urls.brevo,
      DEMO_BREVO_KEY,
      DEMO_BREVO_LIST: String(systems.newsletterListId),
      DEMO_ABACUS_URL: systems.urls.abacus,
      DEMO_ABACUS_MANDANT: String(DEMO_ABACUS_MANDANT),
      DEMO_ABACUS_CLIENT_ID: DEMO_ABACUS_CLIENT.clientId,
      DEMO_ABACUS_CLIENT_SECRET: DEMO_ABACUS_CLIENT.clientSecret,
      DEMO_MOODLE_URL: systems.urls.moodle,
      DEMO_MOODLE_TOKEN,
    });
    await forgetDemoSyncState(o.store, {
      connectionIds: config.connections.map((c) => c.id),
      mappingIds: config.mappings.map((m) => m.id),
      taskIds: config.tasks.map((t) => t.id),
    });
    await applyConfig(o.store, config);
    activity = await startDemoActivity(databaseFile, {
      everyMs: o.activityEveryMs ?? 45_000,
      onError: (err) => o.log?.warn({ err }, 'demo activity failed'),
    });
    const running = activity;
    const learners = startDemoLearners(systems.moodle, o.learnersEveryMs ?? 60_000);
    const tasks = config.tasks;
    return {
      data,
      systems,
      activity: running,
      learners,
      databaseFile,
      describe: () => [
        "demo:      a training provider's database and four emulated systems (their data lives in memory",
        '           and starts afresh on every start; the demo database is re-created too)',
        `  business system  SQLite ${databaseFile}`,
        `  HubSpot          ${systems.urls.hubspot}   (token ${DEMO_HUBSPOT_TOKEN})`,
        `  Brevo            ${systems.urls.brevo}/v3   (api-key ${DEMO_BREVO_KEY})`,
        `  Abacus           ${systems.urls.abacus}   (mandant ${DEMO_ABACUS_MANDANT})`,
        `  Moodle (LMS)     ${systems.urls.moodle}   (token ${DEMO_MOODLE_TOKEN})`,
        ...tasks.map(
          (t) =>
            `  task ${t.id.padEnd(23)} ${t.name ?? t.id}, every ${(t.schedule as { everyMinutes: number }).everyMinutes} min${t.after?.length ? `, after ${t.after.join(', ')}` : ''}`,
        ),
        'The first runs start now; open the dashboard and watch them arrive.',
      ],
      async stop() {
        running.stop();
        learners.stop();
        await systems.close();
      },
    };
  } catch (err) {
    activity?.stop();
    await systems.close();
    throw err;
  }
}
