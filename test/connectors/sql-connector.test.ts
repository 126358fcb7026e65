import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { pino } from 'pino';
import type { Connector, Cursor, Page, ReadOptions, WriteOp } from '../../src/connectors/connector.ts';
import { UNCONFINED_FILES } from '../../src/connectors/file-access.ts';
import { sqlConnector } from '../../src/connectors/sql/index.ts';
import { prepareExpression } from '../../src/core/expression/index.ts';
import { openBusinessKysely, withBusinessDb } from '../helpers/business-db.ts';
import { BUSINESS_DIALECTS, type TempDatabase } from '../helpers/databases.ts';

const T0 = Date.parse('2025-01-01T08:00:00.000Z');
const PEOPLE = 30;

/** A SQL business-system connector on `url`. */
function connect(url: string, overlapSeconds = 0): Connector {
  return sqlConnector.create({
    connectionId: 'erp',
    config: { url, pageSize: 500, overlapSeconds },
    secret: {},
    http: undefined as never,
    log: pino({ level: 'silent' }),
    signal: new AbortController().signal,
    files: UNCONFINED_FILES,
  });
}

/** Every page of a read: the records' keys per page and the last cursor. */
async function readPages(source: Connector, object: string, o: ReadOptions) {
  const pages: string[][] = [];
  let cursor: Cursor | null = null;
  let filtered = true;
  for await (const page of source.read(object, o) as AsyncIterable<Page>) {
    pages.push(page.records.map((r) => r.key));
    cursor = page.cursor;
    filtered &&= page.filtered === true;
  }
  return { pages, keys: pages.flat(), cursor, filtered };
}

for (const dialect of BUSINESS_DIALECTS) {
  describe(`SQL connector on ${dialect.name}`, () => {
    let database: TempDatabase;
    let source: Connector;
    // Dates go into SQLite as ISO text (what its tables hold) and into the others as timestamps.
    const time = (ms: number) => (database.dialect === 'sqlite' ? new Date(ms).toISOString() : new Date(ms));

    before(async () => {
      database = await dialect.create();
      const db = await openBusinessKysely(database);
      const ts = sql.raw({ sqlite: 'text', postgres: 'timestamptz', mysql: 'datetime(3)' }[database.dialect]);
      // An AUTO_INCREMENT (serial, rowid) key: the database assigns the externalId of created rows.
      const key = database.dialect === 'postgres' ? 'serial' : 'integer';
      await db.schema
        .createTable('companies')
        .addColumn('id', key, (c) =>
          database.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('name', 'text')
        .execute();
      await db.schema
        .createTable('people')
        .addColumn('id', key, (c) =>
          database.dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('email', sql.raw('varchar(200)'), (c) => c.notNull())
        .addColumn('first_name', 'text')
        .addColumn('company_id', 'integer', (c) => c.references('companies.id'))
        .addColumn('modified_at', ts, (c) => c.notNull())
        .addColumn('active', 'boolean')
        .addColumn('sync_last', ts)
        .addColumn('sync_status', 'text')
        .execute();
      await db
        .insertInto('companies')
        .values([
          { id: 1, name: 'Acme' },
          { id: 2, name: 'Zürich AG' },
        ])
        .execute();
      await db
        .insertInto('people')
        .values(
          Array.from({ length: PEOPLE }, (_, i) => ({
            id: i + 1,
            email: `person${i + 1}@example.ch`,
            first_name: i % 2 ? 'Anna' : 'anna',
            company_id: i % 3 === 0 ? null : ((i % 3) as number),
            // Three people share each modification time: paging must not lose or repeat them.
            modified_at: time(T0 + Math.floor(i / 3) * 1000),
            active: database.dialect === 'sqlite' ? (i % 4 ? 1 : 0) : i % 4 !== 0,
          })),
        )
        .execute();
      if (database.dialect === 'postgres') await sql`select setval('people_id_seq', ${PEOPLE})`.execute(db);
      await db.destroy();
      source = connect(database.url);
    });
    after(async () => {
      await source?.close?.();
      await database?.drop();
    });

    test('check() connects and counts the tables', async () => {
      const r = await source.check();
      assert.equal(r.ok, true, r.message);
      assert.match(r.message, /2 tables/);
    });

    const mysqlOnly = dialect.name === 'MariaDB' ? test : () => {};
    mysqlOnly(
      'a MySQL URL may be written mariadb://, and takes no driver options from its query string',
      async () => {
        const mariadb = connect(database.url.replace(/^mysql:/, 'mariadb:'));
        const withOption = connect(`${database.url}?multipleStatements=true`);
        try {
          assert.equal((await mariadb.check()).ok, true);
          const refused = await withOption.check();
          assert.equal(refused.ok, false);
          assert.match(refused.message, /unsupported MySQL URL parameter 'multipleStatements'/);
        } finally {
          await mariadb.close?.();
          await withOption.close?.();
        }
      },
    );

    test('describe() gives columns, required fields and foreign keys as relations both ways', async () => {
      const objects = await source.describe();
      const people = objects.find((o) => o.name === 'people');
      assert.ok(people);
      const field = (n: string) => people.fields.find((f) => f.name === n);
      assert.equal(field('email')?.type, 'string');
      assert.equal(field('email')?.required, true);
      assert.equal(field('id')?.type, 'number');
      assert.equal(field('id')?.required, false, 'the database assigns the key');
      assert.equal(field('first_name')?.required, false);
      if (database.dialect !== 'sqlite') assert.equal(field('modified_at')?.type, 'datetime');
      assert.deepEqual(people.relations, [
        { name: 'company', object: 'companies', kind: 'one', from: 'company_id', to: 'id' },
      ]);
      assert.deepEqual(objects.find((o) => o.name === 'companies')?.relations, [
        { name: 'people', object: 'people', kind: 'many', from: 'id', to: 'company_id' },
      ]);
    });

    test('a full read pages by key and resumes after a page’s cursor', async () => {
      const all = await readPages(source, 'people', { keyField: 'id', pageSize: 7 });
      const expected = Array.from({ length: PEOPLE }, (_, i) => String(i + 1));
      assert.deepEqual(all.keys, expected);
      assert.deepEqual(
        all.pages.map((p) => p.length),
        [7, 7, 7, 7, 2],
      );
      const pages = source.read('people', { keyField: 'id', pageSize: 7 }) as AsyncIterable<Page>;
      let second: Cursor | null = null;
      let n = 0;
      for await (const page of pages) if (++n === 2) second = page.cursor;
      const rest = await readPages(source, 'people', {
        keyField: 'id',
        pageSize: 7,
        after: second ?? undefined,
      });
      assert.deepEqual(rest.keys, expected.slice(14));
    });

    test('an incremental read pages by (modified, key) and starts the overlap before its last position', async () => {
      const first = await readPages(source, 'people', {
        keyField: 'id',
        modifiedField: 'modified_at',
        pageSize: 4,
      });
      assert.deepEqual(
        first.keys,
        Array.from({ length: PEOPLE }, (_, i) => String(i + 1)),
      );
      assert.ok(first.cursor);
      await withBusinessDb(database, (db) =>
        db
          .updateTable('people')
          .set({ modified_at: time(T0 + 3_600_000) })
          .where('id', 'in', [1, 2])
          .execute(),
      );
      const after = first.cursor ?? undefined;
      const next = await readPages(source, 'people', { keyField: 'id', modifiedField: 'modified_at', after });
      assert.deepEqual(next.keys, ['1', '2'], 'only the changed rows');
      // 5 s of overlap: the last position was T0 + 9 s, so rows of T0 + 5 s … 9 s come again.
      const overlapping = connect(database.url, 5);
      try {
        const again = await readPages(overlapping, 'people', {
          keyField: 'id',
          modifiedField: 'modified_at',
          after,
        });
        assert.deepEqual(again.keys, [...Array.from({ length: 15 }, (_, i) => String(i + 16)), '1', '2']);
      } finally {
        await overlapping.close?.();
      }
    });

    test('a filter through a relation runs in the database, with text compared exactly', async () => {
      const r = await readPages(source, 'people', {
        keyField: 'id',
        filter: prepareExpression(
          "first_name = 'Anna' and company.name = 'Zürich AG' and email like 'PERSON1%'",
        ),
      });
      assert.equal(r.filtered, true);
      // Odd indexes are 'Anna'; company 2 is i % 3 = 2; e-mails person1, person10…19.
      assert.deepEqual(r.keys, ['12', '18']);
    });

    test('readByKeys and lookup find rows by key, and by a trimmed, case-insensitive match value', async () => {
      const byKeys = await source.readByKeys?.('people', 'id', ['3', '1', '999']);
      assert.deepEqual(byKeys?.map((r) => r.key).sort(), ['1', '3']);
      const hits = await source.lookup?.('people', 'email', [' PERSON7@Example.ch', 'nobody@example.ch']);
      assert.deepEqual(
        hits?.map((h) => [h.value, h.id]),
        [['person7@example.ch', '7']],
      );
      assert.equal(
        (await source.lookup?.('people', 'id', ['8']))?.[0]?.properties.email,
        'person8@example.ch',
      );
    });

    test('write upserts by the match column, updates and deletes by key, and fails only the bad op', async () => {
      const modified = new Date(T0 + 7_200_000);
      const ops: WriteOp[] = [
        {
          kind: 'upsert',
          ref: 'new',
          match: { property: 'email', value: 'neu@example.ch' },
          properties: { first_name: 'Neu', modified_at: modified, active: true },
        },
        {
          kind: 'upsert',
          ref: 'existing',
          match: { property: 'email', value: 'person3@example.ch' },
          properties: { first_name: 'Drei', modified_at: modified },
        },
        { kind: 'update', ref: 'four', externalId: '4', properties: { first_name: 'Vier' } },
        { kind: 'update', ref: 'gone', externalId: '999', properties: { first_name: 'x' } },
        { kind: 'update', ref: 'null', externalId: '6', properties: { email: null } },
        { kind: 'update', ref: 'unknown', externalId: '6', properties: { nickname: 'x' } },
        { kind: 'delete', ref: 'five', externalId: '5' },
      ];
      const results = await source.write('people', ops);
      const by = new Map(results.map((r) => [r.ref, r]));
      const code = (ref: string) => {
        const r = by.get(ref);
        return r && !r.ok ? r.code : undefined;
      };
      const created = by.get('new');
      // The key the database drew (a batch that failed once and was retried op by op used up one before).
      assert.ok(
        created?.ok && created.created && Number(created.externalId) > PEOPLE,
        JSON.stringify(created),
      );
      const newId = Number(created.externalId);
      assert.deepEqual(by.get('existing'), { ref: 'existing', ok: true, externalId: '3', created: false });
      assert.equal(by.get('four')?.ok, true);
      assert.equal(by.get('five')?.ok, true);
      assert.equal(code('gone'), 'sql_row_missing');
      const nullResult = by.get('null');
      assert.ok(nullResult && !nullResult.ok);
      assert.equal(nullResult.code, 'sql_constraint');
      assert.equal(nullResult.retryable, false);
      assert.equal(code('unknown'), 'unknown_column');
      const rows = await withBusinessDb(database, (db) =>
        db.selectFrom('people').selectAll().where('id', 'in', [3, 4, 5, 6, newId]).orderBy('id').execute(),
      );
      assert.deepEqual(
        rows.map((r) => [Number(r.id), r.first_name, r.email]),
        [
          [3, 'Drei', 'person3@example.ch'],
          [4, 'Vier', 'person4@example.ch'],
          [6, 'Anna', 'person6@example.ch'],
          [newId, 'Neu', 'neu@example.ch'],
        ],
      );
      const row = rows.at(-1) as Record<string, unknown>;
      assert.equal(
        row.modified_at instanceof Date ? row.modified_at.toISOString() : row.modified_at,
        modified.toISOString(),
      );
      assert.equal(Number(row.active), 1);
    });

    test('writeMarks sets the sync columns of the rows it names', async () => {
      const at = new Date('2025-02-03T04:05:06.789Z');
      await source.writeMarks?.('people', 'id', [
        { key: '7', values: { sync_last: at, sync_status: 'ok' } },
        { key: '8', values: { sync_last: at, sync_status: 'failed: Zürich' } },
      ]);
      const rows = await withBusinessDb(database, (db) =>
        db
          .selectFrom('people')
          .select(['id', 'sync_last', 'sync_status'])
          .where('id', 'in', [7, 8, 9])
          .orderBy('id')
          .execute(),
      );
      assert.deepEqual(
        rows.map((r) => [
          Number(r.id),
          r.sync_last instanceof Date ? r.sync_last.toISOString() : r.sync_last,
          r.sync_status,
        ]),
        [
          [7, at.toISOString(), 'ok'],
          [8, at.toISOString(), 'failed: Zürich'],
          [9, null, null],
        ],
      );
    });
  });
}
