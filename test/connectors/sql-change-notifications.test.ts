// PostgreSQL change notifications (`junction triggers install`, LISTEN in the change watch): tables of
// another schema and names that need quoting notify under the name the mapping uses, and a bulk change costs
// a bounded number of notifications while the incremental read still returns every changed row.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Connector, Cursor, Page } from '../../src/connectors/connector.ts';
import { UNCONFINED_FILES } from '../../src/connectors/file-access.ts';
import { sqlConnector } from '../../src/connectors/sql/index.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { createTempPostgres, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';

const connect = (url: string): Connector =>
  sqlConnector.create({
    connectionId: 'erp',
    config: { url, pageSize: 5000, overlapSeconds: 0 },
    secret: {},
    http: undefined as never,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    files: UNCONFINED_FILES,
  });

/** Listens for changes of `objects`; `heard` lists every notification's object, in order. */
async function listen(source: Connector, objects: string[]) {
  const heard: string[] = [];
  const stop = await (source.watchChanges as NonNullable<Connector['watchChanges']>)(
    objects,
    (object) => heard.push(object),
    (err) => assert.fail(err),
  );
  return { heard, stop };
}

describe('PostgreSQL change notifications', () => {
  let database: TempDatabase;
  let source: Connector;
  const run = (statement: ReturnType<typeof sql>) => withBusinessDb(database, (db) => statement.execute(db));

  before(async () => {
    database = await createTempPostgres();
    await run(sql`create schema sales`);
    await run(
      sql`create table sales.people (id int primary key, name text, modified_at timestamptz not null)`,
    );
    await run(
      sql`create table "Order Lines" (id int primary key, "Item" text, modified_at timestamptz not null)`,
    );
    await run(sql`create table people (id int primary key, name text, modified_at timestamptz not null)`);
    source = connect(database.url);
  });
  after(async () => {
    await source?.close?.();
    await database?.drop();
  });

  test('a schema-qualified table and one that needs quoting get their triggers and notify under their names', async () => {
    await source.installChangeNotifications?.('sales.people');
    await source.installChangeNotifications?.('Order Lines');
    const { heard, stop } = await listen(source, ['sales.people', 'Order Lines']);
    try {
      await run(sql`insert into sales.people values (1, 'Anna', now())`);
      await run(sql`insert into "Order Lines" values (1, 'Chair', now())`);
      // public.people has no trigger: nothing is heard of it.
      await run(sql`insert into people values (1, 'Luca', now())`);
      await eventually('both notifications', () => heard.length >= 2);
      assert.deepEqual(heard.sort(), ['Order Lines', 'sales.people']);
    } finally {
      await stop();
    }
    await source.removeChangeNotifications?.('sales.people');
    const { rows } = await run(
      sql<{
        n: number;
      }>`select count(*)::int as n from pg_trigger where tgrelid = 'sales.people'::regclass and not tgisinternal`,
    );
    assert.equal((rows[0] as { n: number } | undefined)?.n, 0, 'the trigger is gone again');
  });

  test('a 20 000-row update wakes the watch with one notification and the incremental read returns every row', async () => {
    await run(
      sql`insert into sales.people select i, 'p' || i, '2025-01-01'::timestamptz from generate_series(2, 20001) i`,
    );
    // The watermark after the load: the read from it finds the update's rows only.
    let after: Cursor | null = null;
    for await (const page of source.read('sales.people', {
      keyField: 'id',
      modifiedField: 'modified_at',
    }) as AsyncIterable<Page>)
      after = page.cursor ?? after;
    await source.installChangeNotifications?.('sales.people');
    const { heard, stop } = await listen(source, ['sales.people']);
    try {
      // One now() with its microseconds for every row: the read's cursor keeps them, so its pages advance by key.
      await run(sql`update sales.people set name = name || '!', modified_at = now()`);
      await eventually('the notification', () => heard.length >= 1);
      await sleep(500); // any further notification of the same update would arrive by now
      assert.equal(heard.length, 1, `${heard.length} notifications for one statement`);
    } finally {
      await stop();
    }
    const changed = new Set<string>();
    let read = 0;
    for await (const page of source.read('sales.people', {
      keyField: 'id',
      modifiedField: 'modified_at',
      after: after ?? undefined,
    }) as AsyncIterable<Page>) {
      for (const r of page.records) changed.add(r.key);
      read += page.records.length;
      if (read > 40_002) break; // a cursor that does not move would read forever
    }
    assert.equal(changed.size, 20_001);
    assert.equal(read, 20_001, 'each row once');
  });
});
