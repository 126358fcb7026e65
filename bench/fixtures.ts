import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../emulators/hubspot/index.ts';
import { applyConfig } from '../src/config/apply-config.ts';
import { parseConfigText } from '../src/config/config-file.ts';
import { createSecretBox } from '../src/store/secret-box.ts';
import { openStore, type Store } from '../src/store/store.ts';

export const TOKEN = 'pat-bench';
export const silent = pino({ level: 'silent' });

/** A business SQLite file with `n` active people, inserted in one transaction (fast). */
export function createPeopleDb(file: string, n: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE people (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, canton TEXT,
    status TEXT NOT NULL, modified_at TEXT NOT NULL, hubspot_id TEXT, sync_last TEXT, sync_last_success TEXT,
    sync_status TEXT, sync_remark TEXT)`);
  // What a DBA adds for incremental reads: without it every page of the keyset read scans the table.
  db.exec('CREATE INDEX people_modified ON people (modified_at, id)');
  const insert = db.prepare(
    'INSERT INTO people (id, first_name, last_name, email, canton, status, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      insert.run(
        i,
        `Vorname${i % 97}`,
        `Nachname${i % 89}`,
        `person.${i}@example.ch`,
        ['ZH', 'BE', 'LU'][i % 3],
        'active',
        new Date(start + i).toISOString(),
      );
    }
  })();
  db.close();
}

/** Touches `ids` so the next incremental run sees them changed. */
export function touchPeople(file: string, ids: number[]): void {
  const db = new Database(file);
  const now = new Date().toISOString();
  const update = db.prepare(
    "UPDATE people SET first_name = first_name || '-x', modified_at = ? WHERE id = ?",
  );
  db.transaction(() => {
    for (const id of ids) update.run(now, id);
  })();
  db.close();
}

/** The bench's mapping config (no filter that drops rows; a few transforms). */
export function benchConfig(
  businessUrl: string,
  hubspotUrl: string,
  requestsPer10s: number,
  mode: 'incremental' | 'full' = 'incremental',
) {
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}", pageSize: 1000 } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${hubspotUrl}", requestsPer10s: ${requestsPer10s}, concurrency: 8 }, secret: { accessToken: "${TOKEN}" } }
mappings:
  - id: people
    name: People
    source: { connectionId: erp, object: people, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: contacts }
    matchKey: { target: email }
    filter: "status = 'active'"
    fields:
      - { target: email, from: email, transform: [{ type: email }], required: true }
      - { target: firstname, from: first_name, transform: [{ type: trim }] }
      - { target: lastname, from: last_name, transform: [{ type: upper }] }
      - { target: state, from: canton, transform: [{ type: valueMap, map: { ZH: Zürich, BE: Bern, LU: Luzern } }] }
    writeBack: { externalId: hubspot_id, lastSync: sync_last, lastSuccess: sync_last_success, status: sync_status, remark: sync_remark }
tasks:
  - { id: people, mapping: people, mode: ${mode} }
`;
}

export interface Scenario {
  dir: string;
  businessFile: string;
  store: Store;
  hs: HubSpotEmulator;
  hubspotUrl: string;
  close(): Promise<void>;
}

/** A fresh hub (SQLite store), business DB with `n` people and a HubSpot emulator limited to `max`/10 s. */
export async function createScenario(
  n: number,
  max: number,
  mode: 'incremental' | 'full' = 'incremental',
): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-bench-'));
  const businessFile = join(dir, 'business.db');
  createPeopleDb(businessFile, n);
  const hs = createHubSpotEmulator({ tokens: [TOKEN], rateLimit: { max, intervalMs: 10_000 } });
  const hubspotUrl = await hs.listen();
  const store = await openStore({ dataDir: join(dir, 'hub'), secretBox: createSecretBox(randomBytes(32)) });
  await applyConfig(store, parseConfigText(benchConfig(`sqlite:${businessFile}`, hubspotUrl, max, mode)));
  return {
    dir,
    businessFile,
    store,
    hs,
    hubspotUrl,
    async close() {
      await store.close();
      await hs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
