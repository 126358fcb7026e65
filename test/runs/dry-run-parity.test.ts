// Differential test of the page pipeline: for random mapping definitions over random source data, the dry
// run of a task must say, record by record, what the following real run then does.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createConnector } from '../../src/connectors/registry.ts';
import type { FieldMappingInput, MappingDefinition } from '../../src/core/mapping-definition.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Task } from '../../src/core/types.ts';
import { dryRunTask, runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { openBusinessKysely } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { memoryTarget } from '../mapping/harness.ts';
import { createTrainingDb, generateTraining, seeded } from '../mapping/training-db.ts';

const log = pino({ level: 'silent' });
const CASES = 8;

/** Filters that read params, `job.*`, `link.*`, relations and to-many counts, alone and combined. */
const FILTERS = [
  undefined,
  'active = true',
  "count(debtor_documents where tenant_id = param('tenant')) > 0",
  'link is null or modified_at > link.last_success',
  'job.last_success is null or modified_at > job.last_success',
  "current_address.city.zip != '8007' and count(contracts where role_id = 1) > 0",
  "active = true and (link is null or link.status != 'ok' or modified_at > link.last_success)",
];

/** Fields beyond the match key: plain, relation paths, formulas with params and links. */
const FIELDS: FieldMappingInput[] = [
  { target: 'name', from: 'last_name' },
  { target: 'city', from: 'current_address.city.name' },
  { target: 'contracts', formula: 'count(contracts where role_id = 1)' },
  { target: 'tenant', formula: "param('tenant')" },
  { target: 'label', formula: "upper(last_name) + ' ' + coalesce(company, '-')" },
  { target: 'known', formula: 'link is null' },
  {
    target: 'kind',
    from: 'address_type',
    transform: [{ type: 'valueMap', map: { '0': 'company', '1': 'person' } }],
  },
];

function randomCase(seed: number): { mapping: MappingDefinition; task: Task } {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const fields = FIELDS.filter(() => rnd() < 0.5);
  const mapping = MappingDefinitionSchema.parse({
    id: `m${seed}`,
    name: `case ${seed}`,
    source: { connectionId: 'erp', object: 'addresses', key: 'id', modifiedField: 'modified_at' },
    target: { connectionId: `target${seed}`, object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }, ...fields],
    ...(pick(FILTERS) ? { filter: pick(FILTERS) } : {}),
    ...(rnd() < 0.4 ? { initialMatching: { property: 'email' } } : {}),
    ...(rnd() < 0.4 ? { sync: pick(['insert', 'update', 'upsert'] as const) } : {}),
    // A second assignment: companies (to-one relation in its filter, a formula, its own match key).
    ...(rnd() < 0.5
      ? {
          assignments: [
            {
              target: { object: 'companies' },
              matchKey: { target: 'company' },
              fields: [
                { target: 'company', from: 'company' },
                { target: 'zip', formula: 'current_address.city.zip' },
              ],
              filter: pick([undefined, "company is not null and param('tenant') > 1", 'active = true']),
            },
          ],
        }
      : {}),
  });
  const task: Task = {
    id: `t${seed}`,
    name: `task ${seed}`,
    mappingId: mapping.id,
    schedule: null,
    enabled: true,
    mode: pick(['incremental', 'full'] as const),
    notify: { on: [], to: [] },
    params: { tenant: 1 + Math.floor(rnd() * 3) },
  };
  return { mapping, task };
}

/** Changes some source rows (newer modified_at, some e-mails and names) between runs. */
async function touchSource(business: TempDatabase, seed: number, ids: number[]): Promise<void> {
  const db = await openBusinessKysely(business);
  const pg = business.dialect === 'postgres';
  const rnd = seeded(seed * 31 + 7);
  try {
    for (const id of ids) {
      // Changed after the first run, as a clerk's edit would be; later cases later still, so a case's
      // edits are never older than the watermark an earlier case's edits left in the shared table.
      const when = new Date(Date.now() + seed * 120_000 + Math.floor(rnd() * 60_000));
      await db
        .updateTable('addresses' as never)
        .set({
          modified_at: pg ? when : when.toISOString(),
          last_name: sql`last_name || 'x'`,
          ...(rnd() < 0.3 ? { email: `moved${id}@example.ch` } : {}),
          ...(rnd() < 0.2 ? { active: pg ? false : 0 } : {}),
        } as never)
        .where('id' as never, '=', id as never)
        .execute();
    }
  } finally {
    await db.destroy();
  }
}

for (const dialect of DIALECTS) {
  describe(`a dry run plans exactly what the following run does (${dialect.name})`, () => {
    let business: TempDatabase;
    let storeDb: TempDatabase;
    let store: Store;

    before(async () => {
      business = await dialect.create();
      await createTrainingDb(business, generateTraining(150, 11));
      storeDb = await dialect.create();
      store = await openTestStore(storeDb);
      await store.connections.save({
        id: 'erp',
        name: 'ERP',
        system: 'sql',
        config: { url: business.url, pageSize: 40, overlapSeconds: 0 },
        secret: {},
      });
    });
    after(async () => {
      await store?.close();
      await storeDb?.drop();
      await business?.drop();
    });

    for (let seed = 1; seed <= CASES; seed++) {
      test(`random mapping ${seed}: counts and every record's planned action match the run`, async () => {
        const { mapping, task } = randomCase(seed + (dialect.name === 'PostgreSQL' ? 100 : 0));
        // Each case writes to a target of its own, so no case inherits another's sync links.
        await store.connections.save({
          id: mapping.target.connectionId,
          name: 'Target',
          system: 'abacus',
          config: {},
          secret: {},
        });
        await store.mappings.save(mapping);
        await store.tasks.save(task);
        const target = memoryTarget();
        // Some records already exist in the target (initial matching and upserts find them).
        for (let i = 1; i <= 150; i += 9)
          await target.target.write('contacts', [
            {
              kind: 'upsert',
              ref: `pre${i}`,
              match: { property: 'email', value: `a${i}@example.ch` },
              properties: {},
            },
          ]);
        const factory = (
          c: Parameters<typeof createConnector>[0],
          rt: Parameters<typeof createConnector>[1],
        ) => (c.system === 'sql' ? createConnector(c, rt) : target.target);
        const opts = { store, log, connectorFactory: factory };

        // A first run gives records links and the task a last success, so link.* and job.* mean something.
        const first = await runTask(task.id, opts);
        assert.notEqual(first.status, 'failed', first.error?.message);
        await touchSource(
          business,
          seed,
          Array.from({ length: 30 }, (_, i) => 1 + ((i * 7 + seed) % 150)),
        );

        const writesBefore = target.writes.length;
        const recordsBefore = JSON.stringify([...target.records.entries()]);
        const linksBefore = await store.syncLinks.forSourceRecord('erp', 'addresses', '1');
        const dry = await dryRunTask(store, task.id, { log, connectorFactory: factory });
        assert.equal(target.writes.length, writesBefore, 'the dry run wrote nothing to the target');
        assert.equal(JSON.stringify([...target.records.entries()]), recordsBefore);
        assert.deepEqual(await store.syncLinks.forSourceRecord('erp', 'addresses', '1'), linksBefore);

        const run = await runTask(task.id, opts);
        assert.notEqual(run.status, 'failed', run.error?.message);
        const { deleted: _d, ...runCounts } = run.counts;
        const { deleted: _e, ...dryCounts } = dry.counts;
        assert.deepEqual(dryCounts, runCounts, 'the same counts');
        const items = await store.executions.items(run.id, { limit: 10_000 });
        const actions = (list: { sourceKey: string; action: string; code?: string | null }[]) =>
          list
            .filter((i) => ['create', 'update', 'fail'].includes(i.action))
            .map((i) => `${i.sourceKey}:${i.action}${i.action === 'fail' ? `:${i.code}` : ''}`)
            .sort();
        assert.deepEqual(actions(dry.items), actions(items), 'the same action for every record');
        assert.ok(
          dry.counts.read > 0,
          `the case read records: ${JSON.stringify({ mode: task.mode, filter: mapping.filter, first: first.counts, run: run.counts })}`,
        );
      });
    }
  });
}
