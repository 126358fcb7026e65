import { randomBytes } from 'node:crypto';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import type { TempDatabase } from './databases.ts';

/** A migrated store on a temp database, with a random secret key. */
export async function openTestStore(db: TempDatabase): Promise<Store> {
  return openStore({ databaseUrl: db.url, secretBox: createSecretBox(randomBytes(32)) });
}
