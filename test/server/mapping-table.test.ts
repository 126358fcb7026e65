import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

describe('the mapping table customers sign off, as .xlsx and CSV', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let viewer: Client;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    ({ app, viewer } = await createTestServer(store));
    await store.mappings.save(
      MappingDefinitionSchema.parse({
        id: 'people',
        name: 'People → HubSpot',
        source: { connectionId: 'erp', object: 'people', key: 'id' },
        target: { connectionId: 'hubspot', object: 'contacts' },
        matchKey: { target: 'email' },
        filter: "status = 'active'",
        fields: [
          { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
          {
            target: 'state',
            from: 'canton',
            transform: [{ type: 'valueMap', map: { ZH: 'Zürich', BE: 'Bern' } }],
          },
          { target: 'note', value: '=HYPERLINK("http://evil")' },
        ],
        writeBack: { externalId: 'hubspot_id' },
      }),
    );
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('CSV in German: the settings, then one row per field with transform and required; formulas stay text', async () => {
    const res = await viewer.get('/api/mappings/people/table?format=csv');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="people-mapping-tabelle\.csv"/,
    );
    const lines = res.body.replace(/^\uFEFF/, '').split('\r\n');
    assert.ok(lines.includes("Filter (welche Datensätze);status = 'active'"), lines.join('\n'));
    assert.ok(lines.includes('Rückschreiben in die Quelle;externalId → hubspot_id'));
    assert.ok(lines.includes('Quellfeld;Umwandlung;Zielfeld;Pflicht'));
    assert.ok(lines.includes('email;email;email;ja'));
    assert.ok(lines.includes('canton;valueMap (ZH → Zürich, BE → Bern);state;nein'));
    const constant = lines.find((l) => l.endsWith(';note;nein'));
    assert.ok(constant?.startsWith('"fester Wert: ""=HYPERLINK'), constant);
  });

  test('.xlsx in English opens with the heading and a row per field', async () => {
    const res = await viewer.get('/api/mappings/people/table?lang=en');
    assert.equal(res.statusCode, 200);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    book.worksheets[0]?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    const heading = rows.findIndex((r) => r[0] === 'Source field');
    assert.deepEqual(rows[heading], ['Source field', 'Transform', 'Target property', 'Required']);
    assert.deepEqual(rows[heading + 1], ['email', 'email', 'email', 'yes']);
    assert.equal(rows.length, heading + 4);
  });

  test('an unknown mapping is 404 and an unknown format a 400', async () => {
    assert.equal((await viewer.get('/api/mappings/nope/table')).statusCode, 404);
    assert.equal((await viewer.get('/api/mappings/people/table?format=pdf')).statusCode, 400);
  });
});
