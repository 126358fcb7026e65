import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.ts';
import {
  DEFAULT_LIMITS,
  WORKSPACE_ROLES,
  type Workspace,
  type WorkspaceLimits,
  WorkspaceNotEmptyError,
  type WorkspaceRole,
} from '../../core/workspaces.ts';
import type { Database, WorkspacesTable } from '../schema.ts';
import type { Dialect } from '../store.ts';

const toWorkspace = (r: Selectable<WorkspacesTable>): Workspace => ({
  id: r.id,
  name: r.name,
  limits: {
    minIntervalMinutes: Number(r.min_interval_minutes),
    maxIntervalMinutes: Number(r.max_interval_minutes),
    maxConcurrentRuns: r.max_concurrent_runs === null ? null : Number(r.max_concurrent_runs),
    rateShare: r.rate_share === null ? null : Number(r.rate_share),
  },
});

const isRole = (r: string): r is WorkspaceRole => (WORKSPACE_ROLES as readonly string[]).includes(r);

/** A member of a workspace as the administrator sees them. */
export interface Member {
  userId: string;
  username: string;
  name: string;
  role: WorkspaceRole;
}

/** Workspaces, their limits and who may do what in each. */
export function createWorkspaceRepository(db: Kysely<Database>, dialect?: Dialect) {
  return {
    async list(): Promise<Workspace[]> {
      return (await db.selectFrom('workspaces').selectAll().orderBy('id').execute()).map(toWorkspace);
    },

    async get(id: string): Promise<Workspace> {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError(`workspace '${id}' does not exist`);
      return toWorkspace(row);
    },

    /** Creates or changes a workspace; limits left out keep their value (new: 10–45 min, no run limit). */
    async save(w: { id: string; name: string; limits?: Partial<WorkspaceLimits> }): Promise<Workspace> {
      const now = new Date().toISOString();
      const existing = await db
        .selectFrom('workspaces')
        .selectAll()
        .where('id', '=', w.id)
        .executeTakeFirst();
      const limits = { ...(existing ? toWorkspace(existing).limits : DEFAULT_LIMITS), ...w.limits };
      const row = {
        name: w.name,
        min_interval_minutes: limits.minIntervalMinutes,
        max_interval_minutes: limits.maxIntervalMinutes,
        max_concurrent_runs: limits.maxConcurrentRuns,
        rate_share: limits.rateShare,
        updated_at: now,
      };
      await db
        .insertInto('workspaces')
        .values({ id: w.id, ...row, created_at: now })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
      return this.get(w.id);
    },

    /**
     * Deletes an empty workspace with its memberships and API tokens, in one transaction: the check that it
     * owns nothing and the deletion see the same rows (PostgreSQL: its row is locked against a save of the
     * workspace itself; a connection, task or token saved into it meanwhile is not stopped, as no foreign key
     * names the workspace), and a workspace made again under the same id starts without members or tokens.
     */
    async delete(id: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const q = trx.selectFrom('workspaces').select('id').where('id', '=', id);
        const found = await (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
        if (!found) throw new NotFoundError(`workspace '${id}' does not exist`);
        const owned = await Promise.all(
          (['connections', 'mapping_definitions', 'tasks'] as const).map(async (t) =>
            Number(
              (
                await trx
                  .selectFrom(t)
                  .select((eb) => eb.fn.countAll<number>().as('n'))
                  .where('workspace_id', '=', id)
                  .executeTakeFirstOrThrow()
              ).n,
            ),
          ),
        );
        if (owned.some((n) => n > 0))
          throw new WorkspaceNotEmptyError(
            `workspace '${id}' still has ${owned[0]} connections, ${owned[1]} mappings and ${owned[2]} tasks`,
            { details: { connections: owned[0], mappings: owned[1], tasks: owned[2] } },
          );
        await trx.deleteFrom('workspace_members').where('workspace_id', '=', id).execute();
        await trx.deleteFrom('api_tokens').where('workspace_id', '=', id).execute();
        await trx.deleteFrom('workspaces').where('id', '=', id).execute();
      });
    },

    /** The workspaces a user is a member of, with their role, in id order. */
    async membershipsOf(userId: string): Promise<(Workspace & { role: WorkspaceRole })[]> {
      const rows = await db
        .selectFrom('workspace_members as m')
        .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
        .selectAll('w')
        .select('m.role')
        .where('m.user_id', '=', userId)
        .orderBy('w.id')
        .execute();
      return rows
        .filter((r) => isRole(r.role))
        .map((r) => ({ ...toWorkspace(r), role: r.role as WorkspaceRole }));
    },

    async members(workspaceId: string): Promise<Member[]> {
      await this.get(workspaceId);
      const rows = await db
        .selectFrom('workspace_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.id', 'u.username', 'u.name', 'm.role'])
        .where('m.workspace_id', '=', workspaceId)
        .orderBy('u.username')
        .execute();
      return rows
        .filter((r) => isRole(r.role))
        .map((r) => ({ userId: r.id, username: r.username, name: r.name, role: r.role as WorkspaceRole }));
    },

    async setMember(workspaceId: string, userId: string, role: WorkspaceRole): Promise<void> {
      await this.get(workspaceId);
      await db
        .insertInto('workspace_members')
        .values({ workspace_id: workspaceId, user_id: userId, role })
        .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
        .execute();
    },

    /** Removes a membership (and the user's tokens for that workspace); false when there was none. */
    async removeMember(workspaceId: string, userId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('workspace_members')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      await db
        .deleteFrom('api_tokens')
        .where('workspace_id', '=', workspaceId)
        .where('user_id', '=', userId)
        .execute();
      return Number(r.numDeletedRows) > 0;
    },

    /** The workspace of a task (its limits apply to the task's runs and schedule). */
    async ofTask(taskId: string): Promise<Workspace> {
      const row = await db
        .selectFrom('tasks')
        .innerJoin('workspaces as w', 'w.id', 'tasks.workspace_id')
        .selectAll('w')
        .where('tasks.id', '=', taskId)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`task '${taskId}' does not exist`);
      return toWorkspace(row);
    },

    /** The tasks of a workspace that run now (an execution `running`), for its concurrent-run limit. */
    async runningTasks(workspaceId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('executions')
        .select('task_id')
        .distinct()
        .where('status', '=', 'running')
        .where('task_id', 'in', db.selectFrom('tasks').select('id').where('workspace_id', '=', workspaceId))
        .execute();
      return rows.map((r) => r.task_id);
    },

    /** The ids of a workspace's tasks. */
    async taskIds(workspaceId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('tasks')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
