import { PostgresDialect } from 'kysely';

/** A Kysely dialect over a PostgreSQL pool. */
export async function createPostgresDialect(url: string, poolSize = 10): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its server (restart, failover) must not crash the process; the pool
  // replaces it on the next checkout.
  pool.on('error', () => {});
  // A checked-out client whose server goes away emits 'error' on itself too; the query in flight rejects
  // anyway (and the caller retries), so the event must not become an uncaught exception.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new PostgresDialect({ pool });
}
