import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Connector, Cursor, Page, ReadOptions } from '../../src/connectors/connector.ts';
import { UNCONFINED_FILES } from '../../src/connectors/file-access.ts';
import { sqlConnector } from '../../src/connectors/sql/index.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { BUSINESS_DIALECTS, type TempDatabase } from '../helpers/databases.ts';

const ROWS = 20_000;
const PAGE = 5_000;

function connect(url: string, overlapSeconds: number): Connector {
  return sqlConnector.create({
    connectionId: 'erp',
    config: { url, pageSize: PAGE, overlapSeconds },
    secret: {},
    http: undefined as never,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    files: UNCONFINED_FILES,
  });
}

/**
 * Every page of a read, stopped after twice the table's rows: a read whose cursor does not move would
 * otherwise never end.
 */
async function readAll(source: Connector, object: string, o: Partial<ReadOptions>) {
  const pages: string[][] = [];
  let cursor: Cursor | null = null;
  let read = 0;
  for await (const page of source.read(object, {
    keyField: 'id',
    modifiedField: 'modified_at',
    ...o,
  }) as AsyncIterable<Page>) {
    pages.push(page.records.map((r) => r.key));
    cursor = page.cursor ?? cursor;
    read += page.records.length;
    if (read > 2 * ROWS) break;
  }
  return { pages, keys: pages.flat(), cursor };
}

const allKeys = () => Array.from({ length: ROWS }, (_, i) => String(i + 1));

for (const dialect of BUSINESS_DIALECTS) {
  describe(`SQL connector cursors keep the database's full timestamp precision on ${dialect.name}`, () => {
    let database: TempDatabase;
    let source: Connector;
    let exact: Connector;
    /** A timestamp literal as the column takes it (SQLite holds ISO text as written). */
    const at = (iso: string) => (database.dialect === 'mysql' ? iso.replace('T', ' ').replace('Z', '') : iso);
    /** The one statement that stamps every row with the same microsecond-precision time. */
    const stampAll = () =>
      ({
        postgres: sql`update people set modified_at = now()`,
        mysql: sql`update people set modified_at = NOW(6)`,
        // SQLite keeps the text as written: a writer with microseconds gets them compared exactly.
        sqlite: sql`update people set modified_at = '2026-06-01T12:00:00.123456Z'`,
      })[database.dialect];

    before(async () => {
      database = await dialect.create();
      const ts = { sqlite: 'text', postgres: 'timestamptz', mysql: 'datetime(6)' }[database.dialect];
      await withBusinessDb(database, async (db) => {
        await db.schema
          .createTable('people')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('name', sql.raw('varchar(50)'))
          .addColumn('modified_at', sql.raw(ts), (c) => c.notNull())
          .execute();
        await db.schema.createIndex('people_modified').on('people').columns(['modified_at', 'id']).execute();
        for (let i = 0; i < ROWS; i += 2_000)
          await db
            .insertInto('people')
            .values(
              Array.from({ length: 2_000 }, (_, j) => ({
                id: i + j + 1,
                name: `p${i + j + 1}`,
                modified_at: at('2025-01-01T00:00:00.000000Z'),
              })),
            )
            .execute();
        await db.schema
          .createTable('events')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('modified_at', sql.raw(ts), (c) => c.notNull())
          .execute();
        await db
          .insertInto('events')
          .values([
            { id: 1, modified_at: at('2026-06-01T12:00:00.123400Z') },
            { id: 2, modified_at: at('2026-06-01T12:00:00.123400Z') },
          ])
          .execute();
      });
      source = connect(database.url, 60);
      exact = connect(database.url, 0);
    });
    after(async () => {
      await source?.close?.();
      await exact?.close?.();
      await database?.drop();
    });

    test('20 000 rows stamped by one UPDATE are read exactly once each, pages advancing by key inside the one timestamp', async () => {
      const loaded = await readAll(source, 'people', {});
      assert.equal(loaded.keys.length, ROWS);
      await withBusinessDb(database, (db) => stampAll().execute(db));
      // The run after the update starts at the watermark, 60 s of overlap before it.
      const run = await readAll(source, 'people', { after: loaded.cursor ?? undefined });
      assert.equal(run.keys.length, ROWS, `${run.keys.length} records read for ${ROWS} changed rows`);
      assert.deepEqual(run.keys, allKeys(), 'each row once, in key order');
      assert.deepEqual(
        run.pages.map((p) => p.length),
        [PAGE, PAGE, PAGE, PAGE],
      );
      // Nothing after the last position: the next run's look finds no change.
      assert.equal(
        await exact.changedSince?.('people', {
          keyField: 'id',
          modifiedField: 'modified_at',
          after: run.cursor,
        }),
        false,
      );
    });

    test('a read resumed from a position inside the one timestamp continues without loss or repeat', async () => {
      let first: Cursor | null = null;
      for await (const page of exact.read('people', {
        keyField: 'id',
        modifiedField: 'modified_at',
        after: { m: '2025-06-01T00:00:00.000Z', k: null }, // an old stored millisecond cursor
      }) as AsyncIterable<Page>) {
        assert.equal(page.records.length, PAGE);
        first = page.cursor;
        break;
      }
      assert.ok(first);
      const rest = await readAll(exact, 'people', { after: first });
      // The count first: a diff of 45 000 keys against 15 000 would take the assertion minutes to word.
      assert.equal(rest.keys.length, ROWS - PAGE, `${rest.keys.length} records read after the first page`);
      assert.deepEqual(rest.keys, allKeys().slice(PAGE));
    });

    // SQLite's positions were always its own text, never a Date's: it has no millisecond positions to upgrade.
    if (dialect.name !== 'SQLite')
      test('a millisecond position stored before the upgrade, inside the one timestamp, re-reads at most its millisecond once and ends', async () => {
        const group = (await readAll(exact, 'people', { after: { m: '2025-06-01T00:00:00.000Z', k: null } }))
          .cursor;
        assert.ok(typeof group?.m === 'string');
        // What the connector stored before: the time as a JavaScript Date's ISO text, after the first page.
        const stored: Cursor = { m: new Date(Date.parse(group.m as string)).toISOString(), k: PAGE };
        const run = await readAll(exact, 'people', { after: stored });
        assert.ok(
          run.keys.length >= ROWS - PAGE && run.keys.length <= ROWS,
          `${run.keys.length} records read for ${ROWS} rows`,
        );
        assert.equal(new Set(run.keys).size, run.keys.length, 'no row twice');
        assert.deepEqual(
          run.keys.slice(-(ROWS - PAGE)),
          allKeys().slice(PAGE),
          'every row after the position',
        );
      });

    test('changedSince sees a change committed in the same millisecond as the last position, and nothing before it', async () => {
      const read = await readAll(exact, 'events', {});
      assert.deepEqual(read.keys, ['1', '2']);
      const changed = () =>
        exact.changedSince?.('events', { keyField: 'id', modifiedField: 'modified_at', after: read.cursor });
      assert.equal(await changed(), false, 'the rows read are no change');
      await withBusinessDb(database, (db) =>
        db
          .insertInto('events')
          .values({ id: 3, modified_at: at('2026-06-01T12:00:00.123700Z') })
          .execute(),
      );
      assert.equal(await changed(), true, 'a row 300 µs later, in the same millisecond');
      const next = await readAll(exact, 'events', { after: read.cursor ?? undefined });
      assert.deepEqual(next.keys, ['3']);
    });
  });
}
