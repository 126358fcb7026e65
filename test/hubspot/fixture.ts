/** The two-way HubSpot scenario: organisations and people of a SQL business system, HubSpot companies and contacts, and a CRM table fed from HubSpot. */
import { sql } from 'kysely';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Task } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { openBusinessKysely, withBusinessDb } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

export const TOKEN = 'pat-two-way';
export const APP_SECRET = 'webhook-app-secret';
export const log = pino({ level: 'silent' });
export const ORGS = 4;
export const PEOPLE = 24;
const T0 = Date.parse('2025-02-01T08:00:00.000Z');

export interface Scenario {
  business: TempDatabase;
  storeDb: TempDatabase;
  store: Store;
  hs: HubSpotEmulator;
  baseUrl: string;
  close(): Promise<void>;
}

const mapping = (m: MappingDefinitionInput) => MappingDefinitionSchema.parse(m);

/** Builds the business tables, the emulator (custom properties included) and the store's connections, mappings and tasks. */
export async function openScenario(o: { webhooks?: boolean } = {}): Promise<Scenario> {
  const business = await createTempSqlite();
  const storeDb = await createTempSqlite();
  const db = await openBusinessKysely(business);
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('domain', 'text')
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('people')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('org_id', 'integer')
    .addColumn('modified_at', 'text', (c) => c.notNull())
    .addColumn('hubspot_id', 'text')
    .addColumn('sync_status', 'text')
    .execute();
  await db.schema
    .createTable('crm_contacts')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('hubspot_id', 'text', (c) => c.unique())
    .addColumn('email', 'text')
    .addColumn('firstname', 'text')
    .addColumn('lastname', 'text')
    .addColumn('phone', 'text')
    .execute();
  await db
    .insertInto('organisations')
    .values(
      Array.from({ length: ORGS }, (_, i) => ({
        id: i + 1,
        name: `Org ${i + 1} AG`,
        domain: `org${i + 1}.ch`,
        modified_at: new Date(T0 + i).toISOString(),
      })),
    )
    .execute();
  await db
    .insertInto('people')
    .values(
      Array.from({ length: PEOPLE }, (_, i) => ({
        id: i + 1,
        first_name: `First${i + 1}`,
        last_name: `Last${i + 1}`,
        email: `person${i + 1}@example.ch`,
        org_id: (i % ORGS) + 1,
        modified_at: new Date(T0 + i * 1000).toISOString(),
      })),
    )
    .execute();
  await db.destroy();

  const hs = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY },
    ...(o.webhooks ? { webhooks: { clientSecret: APP_SECRET } } : {}),
  });
  const baseUrl = await hs.listen();
  // Custom properties: the company's unique ERP number and the contact's sync mark.
  hs.state.registry.create('companies', {
    name: 'erp_org_id',
    label: 'ERP organisation',
    type: 'string',
    fieldType: 'text',
    groupName: 'companyinformation',
    hasUniqueValue: true,
  });
  hs.state.registry.create('contacts', {
    name: 'erp_sync_status',
    label: 'ERP sync status',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
  });

  const store = await openTestStore(storeDb);
  await store.connections.save({
    id: 'erp',
    name: 'ERP',
    system: 'sql',
    config: { url: business.url, pageSize: 10 },
    secret: {},
  });
  await store.connections.save({
    id: 'hubspot',
    name: 'HubSpot',
    system: 'hubspot',
    config: { baseUrl },
    secret: { accessToken: TOKEN, clientSecret: APP_SECRET },
  });
  await store.mappings.save(
    mapping({
      id: 'orgs-to-companies',
      name: 'Organisations → companies',
      source: { connectionId: 'erp', object: 'organisations', key: 'id', modifiedField: 'modified_at' },
      target: { connectionId: 'hubspot', object: 'companies' },
      matchKey: { target: 'erp_org_id' },
      fields: [
        { target: 'erp_org_id', template: '{id}' },
        { target: 'name', from: 'name' },
        { target: 'domain', from: 'domain' },
      ],
    }),
  );
  await store.mappings.save(
    mapping({
      id: 'people-to-contacts',
      name: 'People → contacts',
      source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
      target: { connectionId: 'hubspot', object: 'contacts' },
      matchKey: { target: 'email' },
      fields: [
        { target: 'email', from: 'email', transform: [{ type: 'email' }] },
        { target: 'firstname', from: 'first_name' },
        { target: 'lastname', from: 'last_name' },
      ],
      writeBack: { externalId: 'hubspot_id', status: 'sync_status' },
      associations: [{ object: 'companies', from: 'org_id', mapping: 'orgs-to-companies' }],
      privacy: 'anonymise',
    }),
  );
  await store.mappings.save(
    mapping({
      id: 'contacts-to-crm',
      name: 'HubSpot contacts → CRM table',
      source: {
        connectionId: 'hubspot',
        object: 'contacts',
        key: 'id',
        modifiedField: 'hs_lastmodifieddate',
      },
      target: { connectionId: 'erp', object: 'crm_contacts' },
      matchKey: { target: 'hubspot_id' },
      fields: [
        { target: 'hubspot_id', from: 'id' },
        { target: 'email', from: 'email' },
        { target: 'firstname', from: 'firstname' },
        { target: 'lastname', from: 'lastname' },
        { target: 'phone', from: 'phone' },
      ],
      writeBack: { status: 'erp_sync_status' },
      privacy: 'delete',
    }),
  );
  const task = (id: string, mappingId: string, schedule: Task['schedule'] = null) =>
    store.tasks.save({
      id,
      name: id,
      mappingId,
      schedule,
      enabled: true,
      mode: 'incremental',
      notify: { on: [], to: [] },
      params: {},
    });
  await task('orgs-sync', 'orgs-to-companies');
  await task('people-sync', 'people-to-contacts');
  // Runs on HubSpot's change webhooks only (no interval): the webhook tests wake it.
  await task('contacts-from-hubspot', 'contacts-to-crm', { onChange: true });

  return {
    business,
    storeDb,
    store,
    hs,
    baseUrl,
    async close() {
      await store.close();
      await hs.close();
      await business.drop();
      await storeDb.drop();
    },
  };
}

/** Rows of a business table, by id. */
export function rows(s: Scenario, table: string): Promise<Record<string, unknown>[]> {
  return withBusinessDb(s.business, (db) =>
    db.selectFrom(table).selectAll().orderBy(sql.ref('id')).execute(),
  );
}
