/**
 * The chaos suite's hub and its accounting. The hub: a business SQLite file (people, organisations), a
 * HubSpot emulator and a Junction store, with two tasks — people → contacts (matched by the e-mail HubSpot
 * keeps unique) and organisations → companies (HubSpot companies have no natural unique key; Junction
 * matches them by the custom unique property `erp_org_id` it writes itself).
 *
 * The accounting counts from HubSpot's side, never from Junction's: which source records are in the
 * target, how many records each one got, and how many creates were answered 409 (a replayed create of a
 * unique value is refused, so it would never show as a second record). Lost is the set of source records
 * that should be in the target and are not, computed from the business database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createPeopleDb } from '../../bench/fixtures.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import type { SyncLink } from '../../src/core/types.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';

export const TOKEN = 'pat-chaos';

/** One line of the chaos summary: everything but `records` must be 0. */
export interface ChaosResult {
  scenario: string;
  /** Source records that should reach the target (all tasks of the scenario). */
  records: number;
  /** Source records neither in the target nor failed with a reason (or refused on purpose). */
  lost: number;
  /** The first few lost source keys (`task:key`), to start looking. */
  lostKeys: string[];
  /** Extra records per source record in the target, plus strays, plus creates answered 409. */
  duplicated: number;
  stuck: number;
  /** Records whose sync link is missing or says neither synced nor failed with a reason. */
  unaccounted: number;
  /** Source records not in the target because the target refuses them on purpose (failed with a reason). */
  refused: number;
  notes: string;
}

export interface Hub {
  dir: string;
  businessFile: string;
  hubDir: string;
  key: Buffer;
  hs: HubSpotEmulator;
  hubspotUrl: string;
  openStore(): Promise<Store>;
  close(): Promise<void>;
}

export interface HubOptions {
  people: number;
  organisations?: number;
  /** Rows per source page (the SQL connection's pageSize); small pages give a kill many places to land. */
  pageSize?: number;
  storeUrl?: string;
  latencyMs?: number;
  timeoutMs?: number;
}

function createOrganisations(file: string, n: number): void {
  const db = new Database(file);
  db.exec(
    `CREATE TABLE organisations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, modified_at TEXT NOT NULL)`,
  );
  db.exec('CREATE INDEX organisations_modified ON organisations (modified_at, id)');
  const insert = db.prepare('INSERT INTO organisations (id, name, modified_at) VALUES (?, ?, ?)');
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  db.transaction(() => {
    for (let i = 1; i <= n; i++) insert.run(i, `Firma ${i} AG`, new Date(start + i).toISOString());
  })();
  db.close();
}

function chaosConfig(businessUrl: string, hubspotUrl: string, o: HubOptions): string {
  const timeout = o.timeoutMs ? `, timeoutMs: ${o.timeoutMs}` : '';
  return `
connections:
  - { id: erp, system: sql, config: { url: "${businessUrl}", pageSize: ${o.pageSize ?? 1000} } }
  - { id: hubspot, system: hubspot, config: { baseUrl: "${hubspotUrl}", requestsPer10s: 1000000, concurrency: 8${timeout} }, secret: { accessToken: "${TOKEN}" } }
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
    writeBack: { externalId: hubspot_id, lastSync: sync_last, lastSuccess: sync_last_success, status: sync_status, remark: sync_remark }
  - id: organisations
    name: Organisations
    source: { connectionId: erp, object: organisations, key: id, modifiedField: modified_at }
    target: { connectionId: hubspot, object: companies }
    matchKey: { target: erp_org_id }
    fields:
      - { target: erp_org_id, template: "{id}" }
      - { target: name, from: name }
tasks:
  - { id: people, mapping: people, mode: incremental }
  - { id: companies, mapping: organisations, mode: incremental }
`;
}

export async function createHub(o: HubOptions): Promise<Hub> {
  const dir = mkdtempSync(join(tmpdir(), 'junction-chaos-'));
  const businessFile = join(dir, 'business.db');
  createPeopleDb(businessFile, o.people);
  createOrganisations(businessFile, o.organisations ?? 0);
  const hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY, intervalMs: 10_000 },
    faults: { latencyMs: o.latencyMs ?? 0, timeoutMs: 3000, seed: 7 },
  });
  hs.state.registry.create('companies', {
    name: 'erp_org_id',
    label: 'ERP organisation',
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    hasUniqueValue: true,
  });
  const hubspotUrl = await hs.listen();
  const key = randomBytes(32);
  const hubDir = join(dir, 'hub');
  const open = () => openStore({ dataDir: hubDir, databaseUrl: o.storeUrl, secretBox: createSecretBox(key) });
  const store = await open();
  await applyConfig(store, parseConfigText(chaosConfig(`sqlite:${businessFile}`, hubspotUrl, o)));
  await store.close();
  return {
    dir,
    businessFile,
    hubDir,
    key,
    hs,
    hubspotUrl,
    openStore: open,
    async close() {
      await hs.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** How one task's source records are found in the target. */
interface TaskCheck {
  task: string;
  sourceObject: string;
  targetObject: string;
  /** Source key → the target's match value (e-mail, ERP number) of every record that should be there. */
  expected: Map<string, string>;
  matchProperty: string;
}

const norm = (v: unknown) =>
  String(v ?? '')
    .trim()
    .toLowerCase();

/** What each task should have put into HubSpot, read from the business database. */
function expectations(hub: Hub): TaskCheck[] {
  const db = new Database(hub.businessFile, { readonly: true });
  try {
    const people = db.prepare("SELECT id, email FROM people WHERE status = 'active'").all() as {
      id: number;
      email: string;
    }[];
    const orgs = db.prepare('SELECT id FROM organisations').all() as { id: number }[];
    return [
      {
        task: 'people',
        sourceObject: 'people',
        targetObject: 'contacts',
        expected: new Map(people.map((p) => [String(p.id), norm(p.email)])),
        matchProperty: 'email',
      },
      {
        task: 'companies',
        sourceObject: 'organisations',
        targetObject: 'companies',
        expected: new Map(orgs.map((r) => [String(r.id), String(r.id)])),
        matchProperty: 'erp_org_id',
      },
    ];
  } finally {
    db.close();
  }
}

export interface AccountOptions {
  /** Records the target refuses on purpose: not lost when they failed with a reason. */
  refusedOnPurpose?: (task: string, key: string, matchValue: string) => boolean;
  /** Count failed and retry links with a reason as accounted for (a first run whose faults left work). */
  failedIsAccounted?: boolean;
}

/** Compares HubSpot (the emulator) with the business database and the store's links and executions. */
export async function account(
  hub: Hub,
  scenario: string,
  notes: string,
  o: AccountOptions = {},
): Promise<ChaosResult> {
  const store = await hub.openStore();
  try {
    let records = 0;
    let duplicated = hub.hs.stats.conflicts;
    let unaccounted = 0;
    let refused = 0;
    const lostKeys: string[] = [];
    for (const check of expectations(hub)) {
      records += check.expected.size;
      // Every record ever created, archived ones too: a create is a create even if something removed it.
      const created = [
        ...hub.hs.state.all(check.targetObject),
        ...hub.hs.state.all(check.targetObject, true),
      ];
      const perValue = new Map<string, number>();
      for (const r of created) {
        const v = norm(r.properties[check.matchProperty]);
        perValue.set(v, (perValue.get(v) ?? 0) + 1);
      }
      const wanted = new Set(check.expected.values());
      for (const [v, n] of perValue) duplicated += wanted.has(v) ? n - 1 : n;
      const present = new Set(
        hub.hs.state.all(check.targetObject).map((r) => norm(r.properties[check.matchProperty])),
      );
      const scope = {
        sourceConnectionId: 'erp',
        sourceObject: check.sourceObject,
        targetConnectionId: 'hubspot',
        targetObject: check.targetObject,
      };
      const keys = [...check.expected.keys()];
      const links = new Map<string, SyncLink>();
      for (let i = 0; i < keys.length; i += 500) {
        for (const [k, l] of await store.syncLinks.getMany(scope, keys.slice(i, i + 500))) links.set(k, l);
      }
      for (const [key, value] of check.expected) {
        const link = links.get(key);
        const failedWithReason = (link?.status === 'failed' || link?.status === 'retry') && !!link.remark;
        if (!(link?.status === 'ok' && present.has(value)) && !failedWithReason) unaccounted++;
        if (present.has(value)) continue;
        if (o.refusedOnPurpose?.(check.task, key, value) && failedWithReason) {
          refused++;
          continue;
        }
        if (o.failedIsAccounted && failedWithReason) continue;
        lostKeys.push(`${check.task}:${key}`);
      }
    }
    const stuck = (await store.executions.list({ status: 'running', limit: 1000 })).length;
    return {
      scenario,
      records,
      lost: lostKeys.length,
      lostKeys: lostKeys.slice(0, 10),
      duplicated,
      stuck,
      unaccounted,
      refused,
      notes,
    };
  } finally {
    await store.close();
  }
}

/** The summary table of the chaos suite. */
export function formatSummary(results: ChaosResult[]): string {
  const head = ['scenario', 'records', 'lost', 'duplicated', 'stuck', 'unaccounted', 'notes'];
  const rows = results.map((r) =>
    [r.scenario, r.records, r.lost, r.duplicated, r.stuck, r.unaccounted, r.notes].map(String),
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
