// A generated training-administration database (not a test file): addresses (people and companies) with
// postal addresses in cities, contracts, and debtor documents in several tenants.
import { sql } from 'kysely';
import { openBusinessKysely } from '../helpers/business-db.ts';
import type { TempDatabase } from '../helpers/databases.ts';

export interface Address {
  id: number;
  active: boolean;
  address_type: number;
  company: string | null;
  last_name: string;
  email: string | null;
  email_newsletter: string | null;
  email_business: string | null;
  number: number;
  current_address_id: number | null;
  modified_at: Date;
}
export interface Contract {
  id: number;
  address_id: number;
  date: Date;
  role_id: number;
}
export interface DebtorDocument {
  id: number;
  address_id: number;
  tenant_id: number;
}
export interface TrainingData {
  cities: { id: number; zip: string; name: string }[];
  postal: { id: number; street: string; city_id: number }[];
  addresses: Address[];
  contracts: Contract[];
  debtorDocuments: DebtorDocument[];
}

/** A small deterministic pseudo-random generator, so every run builds the same data. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` addresses with varied emails, activity, contracts (dates around 2022) and debtor documents in tenants 1–3. */
export function generateTraining(n: number, seed = 7): TrainingData {
  const rnd = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)] as T;
  const cities = Array.from({ length: 5 }, (_, i) => ({
    id: i + 1,
    zip: String(8000 + i * 7),
    name: `City ${i + 1}`,
  }));
  const postal = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    street: `Street ${i + 1}`,
    city_id: pick(cities).id,
  }));
  const base = Date.parse('2025-01-01T00:00:00.000Z');
  const addresses: Address[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    active: rnd() < 0.8,
    address_type: rnd() < 0.3 ? 0 : 1,
    company: rnd() < 0.5 ? `Firma ${i + 1} AG` : null,
    last_name: `Name${i + 1}`,
    email: rnd() < 0.9 ? `a${i + 1}@example.ch` : null,
    email_newsletter: pick([null, '', `news${i + 1}@example.ch`, `news${i + 1}@example.ch`]),
    email_business: rnd() < 0.5 ? `biz${i + 1}@example.ch` : null,
    number: 10_000 + i,
    current_address_id: rnd() < 0.9 ? i + 1 : null,
    modified_at: new Date(base + Math.floor(rnd() * 20) * 86_400_000 + Math.floor(rnd() * 86_400_000)),
  }));
  const contracts: Contract[] = [];
  const debtorDocuments: DebtorDocument[] = [];
  for (const a of addresses) {
    for (let k = Math.floor(rnd() * 4); k > 0; k--) {
      contracts.push({
        id: contracts.length + 1,
        address_id: a.id,
        date: new Date(
          Date.UTC(2020 + Math.floor(rnd() * 5), Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28)),
        ),
        role_id: 1 + Math.floor(rnd() * 3),
      });
    }
    for (let k = Math.floor(rnd() * 3); k > 0; k--)
      debtorDocuments.push({
        id: debtorDocuments.length + 1,
        address_id: a.id,
        tenant_id: 1 + Math.floor(rnd() * 3),
      });
  }
  return { cities, postal, addresses, contracts, debtorDocuments };
}

/** Creates the tables with their foreign keys and fills them. */
export async function createTrainingDb(tmp: TempDatabase, data: TrainingData): Promise<void> {
  const db = await openBusinessKysely(tmp);
  const sqlite = tmp.dialect === 'sqlite';
  const ts = sql.raw({ sqlite: 'text', postgres: 'timestamptz', mysql: 'datetime(3)' }[tmp.dialect]);
  const bool = sql.raw(sqlite ? 'integer' : 'boolean');
  const value = (v: unknown) =>
    !sqlite ? v : v instanceof Date ? v.toISOString() : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const rows = <T extends object>(list: T[]) =>
    list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, value(v)])));
  await db.schema
    .createTable('cities')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('zip', 'text')
    .addColumn('name', 'text')
    .execute();
  await db.schema
    .createTable('postal_addresses')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('street', 'text')
    .addColumn('city_id', 'integer', (c) => c.references('cities.id'))
    .execute();
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute();
  await db.schema
    .createTable('addresses')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('active', bool, (c) => c.notNull())
    .addColumn('address_type', 'integer')
    .addColumn('company', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('email_newsletter', 'text')
    .addColumn('email_business', 'text')
    .addColumn('number', 'integer')
    .addColumn('current_address_id', 'integer', (c) => c.references('postal_addresses.id'))
    .addColumn('modified_at', ts, (c) => c.notNull())
    .addColumn('abacus_number', 'text')
    .execute();
  await db.schema
    .createTable('contracts')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('address_id', 'integer', (c) => c.references('addresses.id'))
    .addColumn('date', ts)
    .addColumn('role_id', 'integer')
    .execute();
  await db.schema
    .createTable('debtor_documents')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('address_id', 'integer', (c) => c.references('addresses.id'))
    .addColumn('tenant_id', 'integer', (c) => c.references('tenants.id'))
    .execute();
  await db.insertInto('cities').values(data.cities).execute();
  await db
    .insertInto('tenants')
    .values([1, 2, 3].map((id) => ({ id, name: `Tenant ${id}` })))
    .execute();
  for (const [table, list] of [
    ['postal_addresses', data.postal],
    ['addresses', data.addresses],
    ['contracts', data.contracts],
    ['debtor_documents', data.debtorDocuments],
  ] as const) {
    for (let i = 0; i < list.length; i += 200)
      await db
        .insertInto(table)
        .values(rows(list.slice(i, i + 200) as object[]))
        .execute();
  }
  await db.destroy();
}
