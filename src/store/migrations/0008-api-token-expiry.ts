import { type Kysely, sql } from 'kysely';

/** Days an API token lives when its creator names no other lifetime. */
const DEFAULT_TOKEN_DAYS = 90;

/**
 * API tokens expire: `expires_at` (null: never). Tokens made before expiry existed get the default
 * lifetime from now, so none lives forever unnoticed and none stops working on the day of the upgrade.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  const until = new Date(Date.now() + DEFAULT_TOKEN_DAYS * 86_400_000).toISOString();
  await sql`update api_tokens set expires_at = ${until} where expires_at is null`.execute(db);
  await db.schema.createIndex('api_tokens_user').on('api_tokens').column('user_id').execute();
}
