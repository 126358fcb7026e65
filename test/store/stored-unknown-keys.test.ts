import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store, type StoredUnknownKeys } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';

const MAPPING = MappingDefinitionSchema.parse({
  id: 'people',
  name: 'People',
  source: { connectionId: 'erp', object: 'people', key: 'id' },
  target: { connectionId: 'hs', object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [{ target: 'email', from: 'email' }],
});

/**
 * Rows saved by a version that still dropped misspelt keys silently on input but kept them in the row (or
 * that knew a key this one does not): an upgraded hub must load and run them, telling once what it left out.
 */
describe('stored rows with keys this version does not know', () => {
  let tmp: TempDatabase;
  let store: Store;
  const told: StoredUnknownKeys[] = [];

  before(async () => {
    tmp = await createTempSqlite();
    store = await openStore({
      databaseUrl: tmp.url,
      secretBox: createSecretBox(randomBytes(32)),
      onUnknownKeys: (s) => told.push(s),
    });
    await store.mappings.save(MAPPING);
    await store.tasks.save({
      id: 'people-sync',
      name: 'People',
      mappingId: 'people',
      enabled: true,
      schedule: { everyMinutes: 15 },
      mode: 'incremental',
      notify: { on: ['failure'], to: [] },
      params: {},
    });
    // As an older version left them: extra keys at the top and inside.
    const definition = JSON.stringify({
      ...MAPPING,
      delets: 'propagate',
      matchKey: { target: 'email', tagret: 'mail' },
    });
    await sql`update mapping_definitions set definition = ${definition} where id = 'people'`.execute(
      store.db,
    );
    const row = await store.db
      .selectFrom('tasks')
      .select('definition')
      .where('id', '=', 'people-sync')
      .executeTakeFirstOrThrow();
    const task = JSON.stringify({ ...JSON.parse(row.definition), shedule: 'nightly' });
    await sql`update tasks set definition = ${task} where id = 'people-sync'`.execute(store.db);
  });
  after(async () => {
    await store?.close();
    await tmp?.drop();
  });

  test('a stored mapping with unknown keys loads without them, by id and in the list', async () => {
    assert.deepEqual(await store.mappings.get('people'), MAPPING);
    assert.deepEqual(await store.mappings.list(), [MAPPING]);
  });

  test('a stored task with an unknown key loads without it, its settings kept', async () => {
    const task = await store.tasks.get('people-sync');
    assert.equal('shedule' in task, false);
    assert.deepEqual(task.schedule, { everyMinutes: 15 });
    assert.deepEqual(
      (await store.tasks.list()).map((t) => Object.keys(t).sort()),
      [['enabled', 'id', 'mappingId', 'mode', 'name', 'notify', 'params', 'schedule']],
    );
  });

  test('each row with unknown keys is told once, naming the keys at their places, however often it is read', async () => {
    for (let i = 0; i < 3; i++) {
      await store.mappings.get('people');
      await store.tasks.list();
    }
    assert.deepEqual(
      told.sort((a, b) => a.kind.localeCompare(b.kind)),
      [
        { kind: 'mapping', id: 'people', keys: ['matchKey.tagret', 'delets'] },
        { kind: 'task', id: 'people-sync', keys: ['shedule'] },
      ],
    );
  });

  test('the row is left as it was stored until the next save, which writes it without the unknown keys', async () => {
    const stored = async () =>
      JSON.parse(
        (
          await store.db
            .selectFrom('mapping_definitions')
            .select('definition')
            .where('id', '=', 'people')
            .executeTakeFirstOrThrow()
        ).definition,
      ) as Record<string, unknown>;
    assert.equal((await stored()).delets, 'propagate');
    await store.mappings.save(await store.mappings.get('people'));
    assert.equal('delets' in (await stored()), false);
  });
});
