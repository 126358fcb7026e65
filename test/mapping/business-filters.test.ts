import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createConnector } from '../../src/connectors/registry.ts';
import { prepareExpression } from '../../src/core/expression/index.ts';
import type { MappingDefinition } from '../../src/core/mapping-definition.ts';
import { runTask } from '../../src/engine/run-task.ts';
import type { Store } from '../../src/store/store.ts';
import { withBusinessDb } from '../helpers/business-db.ts';
import { BUSINESS_DIALECTS, DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { memoryTarget, queryLog, readAll, sqlSource } from './harness.ts';
import { type Address, createTrainingDb, generateTraining } from './training-db.ts';

const NEWSLETTER_FILTER =
  "active = true and coalesce(email_newsletter, '') != '' and count(contracts where date >= date(2022,1,1) and role_id = 1) > 0 and end_of_day(modified_at) > job.last_success";
const TENANT_FILTER =
  "count(debtor_documents where tenant_id = param('tenant')) > 0 and (link is null or modified_at > link.last_success)";
const LAST_SUCCESS = new Date('2025-01-10T00:00:00.000Z');
const DAY = 86_400_000;

/** The statements with MySQL's backtick quoting written as double quotes, so one pattern fits every dialect. */
const quoted = (statements: string[]) => statements.map((s) => s.replaceAll('`', '"'));

for (const dialect of BUSINESS_DIALECTS) {
  // Junction's own store runs on SQLite or PostgreSQL only: beside a MariaDB business system it is SQLite.
  const storeDialect = DIALECTS.find((d) => d.name === dialect.name) ?? DIALECTS[0];
  describe(`business filters on a generated ${dialect.name} training database`, () => {
    const data = generateTraining(400);
    let business: TempDatabase;

    before(async () => {
      business = await dialect.create();
      await createTrainingDb(business, data);
    });
    after(async () => business?.drop());

    test('the newsletter filter selects exactly the expected addresses, entirely in SQL', async () => {
      const expected = data.addresses
        .filter(
          (a) =>
            a.active &&
            (a.email_newsletter ?? '') !== '' &&
            data.contracts.some(
              (c) => c.address_id === a.id && c.date >= new Date(Date.UTC(2022, 0, 1)) && c.role_id === 1,
            ) &&
            Math.floor(a.modified_at.getTime() / DAY) * DAY + DAY - 1 > LAST_SUCCESS.getTime(),
        )
        .map((a) => a.id);
      assert.ok(
        expected.length > 20 && expected.length < 300,
        `a selective filter (${expected.length} of 400)`,
      );
      const { log, statements } = queryLog();
      const source = sqlSource(business.url, log);
      try {
        const { rows, filtered } = await readAll(source, 'addresses', {
          filter: prepareExpression(NEWSLETTER_FILTER),
          expression: { job: { last_success: LAST_SUCCESS, last_run: LAST_SUCCESS } },
        });
        assert.deepEqual(
          rows.map((r) => Number(r.id)).sort((a, b) => a - b),
          expected,
        );
        assert.equal(filtered, true, 'the whole filter ran in the database');
        const reads = quoted(statements).filter(
          (s) => /from "addresses"/i.test(s) && /^select/i.test(s.trim()),
        );
        assert.ok(reads.length >= 1);
        for (const s of reads) {
          assert.match(s, /where/i, 'no read of addresses without a WHERE clause');
          assert.match(
            s,
            /select count\(\*\) from "contracts" as "jx\d+" where "jx\d+"\."address_id" = "addresses"\."id"/i,
            'count() is a correlated subquery',
          );
        }
        assert.equal(
          quoted(statements).filter((s) => /^select \* from "contracts"/i.test(s.trim())).length,
          0,
          'contracts are never read into memory',
        );
      } finally {
        await source.close?.();
      }
    });

    describe('the tenant filter reads task parameters and the sync link of the current target', () => {
      let storeDb: TempDatabase;
      let store: Store;
      const target = memoryTarget();
      const { log, statements } = queryLog();
      const inTenant = (tenant: number) => (a: Address) =>
        data.debtorDocuments.some((d) => d.address_id === a.id && d.tenant_id === tenant);

      before(async () => {
        storeDb = await storeDialect.create();
        store = await openTestStore(storeDb);
        await store.connections.save({
          id: 'erp',
          name: 'ERP',
          system: 'sql',
          config: { url: business.url, pageSize: 100 },
          secret: {},
        });
        await store.connections.save({
          id: 'abacus-2',
          name: 'Abacus tenant 2',
          system: 'abacus',
          config: {},
          secret: {},
        });
        const mapping: MappingDefinition = {
          id: 'debtors',
          name: 'Debtors → Abacus',
          source: { connectionId: 'erp', object: 'addresses', key: 'id' },
          target: { connectionId: 'abacus-2', object: 'subjects' },
          matchKey: { target: 'number' },
          filter: TENANT_FILTER,
          fields: [
            { target: 'number', formula: 'link.external_number ?? number', transform: [], required: true },
            {
              target: 'Customer.Name',
              formula: 'if(address_type = 0, company, last_name)',
              transform: [],
              required: false,
            },
            {
              target: 'Customer.AddressData.Zip',
              from: 'current_address.city.zip',
              transform: [],
              required: false,
            },
          ],
          deletes: 'ignore',
          targetDeletes: 'unlink',
        };
        await store.mappings.save(mapping);
        await store.tasks.save({
          id: 'debtors-2',
          name: 'Debtors tenant 2',
          mappingId: 'debtors',
          schedule: null,
          enabled: true,
          mode: 'full',
          notify: { on: [], to: [] },
          params: { tenant: 2 },
        });
      });
      after(async () => {
        await store?.close();
        await storeDb?.drop();
      });

      const run = () =>
        runTask('debtors-2', {
          store,
          log,
          connectorFactory: (c, rt) => (c.system === 'sql' ? createConnector(c, rt) : target.target),
        });

      test('the first run syncs every address with a debtor document in tenant 2 and reads no other address', async () => {
        const expected = data.addresses.filter(inTenant(2));
        const execution = await run();
        assert.equal(execution.status, 'succeeded', JSON.stringify(execution.error));
        assert.equal(
          execution.counts.read,
          expected.length,
          'the count() part was pushed down: only tenant-2 addresses were read',
        );
        assert.equal(execution.counts.created, expected.length);
        const byNumber = new Map([...target.records.values()].map((r) => [String(r.number), r]));
        for (const a of expected) {
          const r = byNumber.get(String(a.number)) as {
            Customer: { Name: unknown; AddressData?: { Zip: unknown } };
          };
          assert.ok(r, `address ${a.id} was written`);
          assert.equal(r.Customer.Name, a.address_type === 0 ? a.company : a.last_name);
          const postal = data.postal.find((p) => p.id === a.current_address_id);
          // A path that ends at a missing related record gives no value, so the field is left out.
          assert.equal(
            r.Customer.AddressData?.Zip,
            postal ? data.cities.find((c) => c.id === postal.city_id)?.zip : undefined,
          );
        }
        const reads = quoted(statements).filter((s) => /^select \* from "addresses"/i.test(s.trim()));
        for (const s of reads) assert.match(s, /from "debtor_documents" as "jx\d+"/i);
        assert.equal(
          quoted(statements).filter((s) => /^select \* from "debtor_documents"/i.test(s.trim())).length,
          0,
          'no debtor documents loaded into memory',
        );
        assert.ok(
          quoted(statements).some((s) => /^select \* from "postal_addresses" where "id" in/i.test(s.trim())),
          'relations of mapped paths are prefetched per page',
        );
      });

      test('the next run writes only the tenant-2 addresses changed since their last successful sync', async () => {
        const expected = data.addresses.filter(inTenant(2));
        const changed = expected.filter((_, i) => i % 7 === 0);
        await withBusinessDb(business, async (db) => {
          const later = new Date(Date.now() + 60_000);
          for (const a of changed) {
            await db
              .updateTable('addresses')
              .set({
                last_name: `${a.last_name}-neu`,
                address_type: 1,
                modified_at: business.dialect === 'sqlite' ? later.toISOString() : later,
              })
              .where('id', '=', a.id)
              .execute();
          }
        });
        const writesBefore = target.writes.length;
        const execution = await run();
        assert.equal(execution.counts.read, expected.length);
        assert.equal(
          execution.counts.filtered,
          expected.length - changed.length,
          'the link part of the filter ran in memory',
        );
        assert.equal(execution.counts.updated, changed.length);
        const written = target.writes.slice(writesBefore);
        assert.deepEqual(written.map((w) => w.ref).sort(), changed.map((a) => String(a.id)).sort());
      });
    });
  });
}
