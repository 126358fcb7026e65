import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, type Person } from './business-db.ts';
import { createTempSqlite, type TempDatabase } from './databases.ts';
import { openTestStore } from './store.ts';

export interface PeopleToHubSpot {
  business: TempDatabase;
  store: Store;
  hs: HubSpotEmulator;
  close(): Promise<void>;
}

/**
 * A SQLite business system with `people`, a HubSpot emulator, connections `erp` and `hubspot`, the
 * mapping `people` (its id, name, connections and match key filled in) and the task `people-sync`.
 * `seed` runs on the emulator before the hub is configured (contacts that already exist).
 */
export async function openPeopleToHubSpot(o: {
  people: Person[];
  mapping: Omit<MappingDefinitionInput, 'id' | 'name' | 'target' | 'matchKey'> &
    Partial<Pick<MappingDefinitionInput, 'matchKey'>>;
  mode: 'incremental' | 'full';
  token: string;
  seed?: (hs: HubSpotEmulator) => void;
}): Promise<PeopleToHubSpot> {
  const business = await createTempSqlite();
  const storeDb = await createTempSqlite();
  await createPeopleTable(business, o.people);
  const store = await openTestStore(storeDb);
  const hs = createHubSpotEmulator({ tokens: [o.token] });
  const url = await hs.listen();
  o.seed?.(hs);
  await store.connections.save({
    id: 'erp',
    name: 'ERP',
    system: 'sql',
    config: { url: business.url },
    secret: {},
  });
  await store.connections.save({
    id: 'hubspot',
    name: 'HubSpot',
    system: 'hubspot',
    config: { baseUrl: url, requestsPer10s: 1000 },
    secret: { accessToken: o.token },
  });
  await store.mappings.save(
    MappingDefinitionSchema.parse({
      id: 'people',
      name: 'People → contacts',
      target: { connectionId: 'hubspot', object: 'contacts' },
      matchKey: { target: 'email' },
      ...o.mapping,
    }),
  );
  await store.tasks.save({
    id: 'people-sync',
    name: 'People',
    mappingId: 'people',
    schedule: null,
    enabled: true,
    mode: o.mode,
    notify: { on: [], to: [] },
    params: {},
  });
  return {
    business,
    store,
    hs,
    async close() {
      await store.close();
      await hs.close();
      await business.drop();
      await storeDb.drop();
    },
  };
}
