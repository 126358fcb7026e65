import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTempPostgres, type TempDatabase } from './databases.ts';

/** A migrated store on a temp database, with a random secret key. */
export async function openTestStore(db: TempDatabase): Promise<Store> {
  return openStore({ databaseUrl: db.url, secretBox: createSecretBox(randomBytes(32)) });
}

/**
 * Two stores on one temporary PostgreSQL database, as two processes (a hub and a worker) see it: opened
 * before the calling file's tests, closed and dropped after them. Read `a` and `b` inside tests.
 */
export function twoStoresOnPostgres(): { readonly a: Store; readonly b: Store } {
  let db: TempDatabase | undefined;
  const stores = {} as { a: Store; b: Store };
  before(async () => {
    db = await createTempPostgres();
    stores.a = await openTestStore(db);
    stores.b = await openTestStore(db);
  });
  after(async () => {
    await stores.a?.close();
    await stores.b?.close();
    await db?.drop();
  });
  return stores;
}
