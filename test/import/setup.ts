import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { MappingDefinitionInput } from '../../src/core/mapping-definition.ts';
import { MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { ImportContext } from '../../src/import/import-file.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import type { Store } from '../../src/store/store.ts';
import { openBusinessKysely } from '../helpers/business-db.ts';
import type { TempDatabase } from '../helpers/databases.ts';
import { PEOPLE_FIELDS } from './fixtures.ts';

/** Creates the business system's `customers` table the SQL imports write into. */
export async function createCustomersTable(tmp: TempDatabase): Promise<void> {
  const db = await openBusinessKysely(tmp);
  await db.schema
    .createTable('customers')
    .addColumn('id', tmp.dialect === 'postgres' ? 'serial' : 'integer', (c) => c.primaryKey())
    .addColumn('customer_no', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('firstname', 'text')
    .addColumn('lastname', 'text')
    .addColumn('date_of_birth', 'text')
    .addColumn('revenue', sql.raw(tmp.dialect === 'postgres' ? 'double precision' : 'real'))
    .execute();
  await db.destroy();
}

/** The connections and mappings of the import tests: an upload source, the SQL business system, HubSpot. */
export async function saveImportSetup(
  store: Store,
  o: { businessUrl: string; hubspotUrl?: string; hubspotToken?: string },
): Promise<void> {
  await store.connections.save({
    id: 'upload',
    name: 'Uploads',
    system: 'spreadsheet',
    config: {},
    secret: {},
  });
  await store.connections.save({
    id: 'erp',
    name: 'Business system',
    system: 'sql',
    config: { url: o.businessUrl, pageSize: 500 },
    secret: {},
  });
  if (o.hubspotUrl) {
    await store.connections.save({
      id: 'hubspot',
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: o.hubspotUrl, requestsPer10s: 1000 },
      secret: { accessToken: o.hubspotToken ?? 'pat-import' },
    });
  }
  const save = (m: MappingDefinitionInput) => store.mappings.save(MappingDefinitionSchema.parse(m));
  await save({
    id: 'file-to-customers',
    name: 'File → customers',
    source: { connectionId: 'upload', object: 'Kunden', key: 'Kundennummer' },
    target: { connectionId: 'erp', object: 'customers' },
    matchKey: { target: 'customer_no' },
    fields: [{ target: 'customer_no', from: 'Kundennummer', required: true }, ...PEOPLE_FIELDS],
  });
  if (o.hubspotUrl) {
    await save({
      id: 'file-to-contacts',
      name: 'File → HubSpot contacts',
      source: { connectionId: 'upload', object: 'Kunden', key: 'Kundennummer' },
      target: { connectionId: 'hubspot', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: PEOPLE_FIELDS.filter((f) => f.target !== 'revenue'),
    });
  }
}

/** What prepareImport/executeImport take, with the production run service (imports run through it). */
export async function importContext(store: Store, log: Logger): Promise<ImportContext> {
  return { store, log, runs: await createRunService({ store, log }) };
}
