import { type Kysely, sql } from 'kysely';

/**
 * Every API token names its workspace. Tokens made before workspaces (0013) had none and acted in `default`;
 * they now say so, so deleting `default` revokes them like any workspace's tokens, and a workspace made
 * again under that id does not bring them back. Tokens made since always name theirs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update api_tokens set workspace_id = 'default' where workspace_id is null`.execute(db);
}
