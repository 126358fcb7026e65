import type { Kysely } from 'kysely';

/**
 * When a run's lease ends, written by the run itself (begin, heartbeat, page commit) from its own lease
 * setting: another process judges staleness by this time, never by its own setting.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').addColumn('lease_until', 'text').execute();
}
