import type { Kysely } from 'kysely';
import { IdTakenError } from '../../core/workspaces.ts';
import type { Database } from '../schema.ts';

/**
 * Which workspace a repository answers for: a workspace's id (the API, per request) or undefined — the whole
 * instance (scheduler, run service, CLI, retention), which knows objects by their hub-wide ids.
 */
export type Scope = string | undefined;

/** Tables whose rows belong to a workspace directly; everything else belongs through one of them. */
type Owned = 'connections' | 'mapping_definitions' | 'tasks';

/** The ids of a workspace's rows of `table`, as a sub-select (runs and errors belong through their task). */
export const idsIn = (db: Kysely<Database>, table: Owned, workspaceId: string) =>
  db.selectFrom(table).select(`${table}.id`).where(`${table}.workspace_id`, '=', workspaceId);

/**
 * Before a scoped create-or-replace: an id used by another workspace is refused. Ids stay unique in the hub
 * (runs, links and webhooks name objects by id alone); the refusal says only that the id is taken.
 */
export async function refuseForeignId(
  db: Kysely<Database>,
  table: Owned,
  id: string,
  scope: Scope,
): Promise<void> {
  if (scope === undefined) return;
  const row = await db.selectFrom(table).select('workspace_id').where('id', '=', id).executeTakeFirst();
  if (row && row.workspace_id !== scope)
    throw new IdTakenError(`the id '${id}' is taken; choose another`, { details: { field: 'id' } });
}

/**
 * `refuseForeignId` for several ids at once, before any of them is saved: a batch (`junction apply`, an
 * import of several) is refused whole when one id is taken, instead of keeping the objects saved before it.
 */
export async function refuseForeignIds(
  db: Kysely<Database>,
  table: Owned,
  ids: string[],
  scope: Scope,
): Promise<void> {
  if (scope === undefined || !ids.length) return;
  const taken = await db
    .selectFrom(table)
    .select('id')
    .where('id', 'in', ids)
    .where('workspace_id', '!=', scope)
    .orderBy('id')
    .executeTakeFirst();
  if (taken)
    throw new IdTakenError(`the id '${taken.id}' is taken; choose another`, { details: { field: 'id' } });
}

/**
 * Any Kysely builder that filters: the scope's condition is added to select, update and delete queries
 * alike, whose `where` signatures Kysely types per table.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one place a query of any table is filtered generically
export type Filterable = { where: (...args: any[]) => any };
