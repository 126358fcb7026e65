import type { Kysely } from 'kysely';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Connection, SystemName } from '../../core/types.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import { refuseForeignId, refuseForeignIds, type Scope } from './scope.ts';

/**
 * What is sealed: the secret together with the destination it was entered for, so neither can be
 * swapped without the key. Secrets sealed before destinations existed are the bare secret object.
 */
interface SealedSecret {
  v: 2;
  destination: string | null;
  secret: Record<string, unknown>;
}

function sealable(c: Connection): SealedSecret | Record<string, unknown> {
  return c.secretDestination === undefined
    ? c.secret
    : { v: 2, destination: c.secretDestination, secret: c.secret };
}

function opened(value: unknown): Pick<Connection, 'secret' | 'secretDestination'> {
  const v = value as Partial<SealedSecret> & Record<string, unknown>;
  return v.v === 2 && typeof v.secret === 'object' && v.secret !== null
    ? { secret: v.secret, secretDestination: v.destination ?? null }
    : { secret: v };
}

/** Connections with their secrets sealed at rest; `get` opens them, `list` never does. */
export function createConnectionRepository(db: Kysely<Database>, box: SecretBox, scope?: Scope) {
  return {
    /** Refuses the batch when one of these ids belongs to another workspace (checked before any is saved). */
    async refuseTaken(ids: string[]): Promise<void> {
      await refuseForeignIds(db, 'connections', ids, scope);
    },

    /** Creates or replaces a connection (by id). */
    async save(connection: Connection): Promise<void> {
      await refuseForeignId(db, 'connections', connection.id, scope);
      const now = new Date().toISOString();
      const row = {
        id: connection.id,
        name: connection.name,
        system: connection.system,
        config: JSON.stringify(connection.config),
        secret_sealed: Object.keys(connection.secret).length ? box.seal(sealable(connection)) : null,
        updated_at: now,
      };
      await db
        .insertInto('connections')
        .values({ ...row, created_at: now, ...(scope !== undefined ? { workspace_id: scope } : {}) })
        .onConflict((oc) =>
          scope === undefined
            ? oc.column('id').doUpdateSet(row)
            : oc.column('id').doUpdateSet(row).where('connections.workspace_id', '=', scope),
        )
        .execute();
    },

    /** The connection with its secret opened; throws NotFoundError. */
    async get(id: string): Promise<Connection> {
      let q = db.selectFrom('connections').selectAll().where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const row = await q.executeTakeFirst();
      if (!row) throw new NotFoundError(`connection '${id}' does not exist`);
      return {
        id: row.id,
        name: row.name,
        system: row.system as SystemName,
        config: JSON.parse(row.config),
        ...(row.secret_sealed ? opened(box.open(row.secret_sealed)) : { secret: {} }),
        workspaceId: row.workspace_id,
      };
    },

    /** All connections, secrets reduced to whether they are set. */
    async list(): Promise<(Omit<Connection, 'secret'> & { secretSet: boolean })[]> {
      let q = db.selectFrom('connections').selectAll().orderBy('id');
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        system: r.system as SystemName,
        config: JSON.parse(r.config),
        secretSet: r.secret_sealed !== null,
      }));
    },

    /** Deletes a connection; refused while a mapping uses it. */
    async delete(id: string): Promise<void> {
      if (scope !== undefined) await this.get(id);
      let all = db.selectFrom('mapping_definitions').select(['id', 'definition']);
      if (scope !== undefined) all = all.where('workspace_id', '=', scope);
      const mappings = await all.execute();
      // A mapping names connections at its top and in each further assignment.
      const users = mappings.filter((m) => {
        type Ends = { source?: { connectionId?: string }; target?: { connectionId?: string } };
        const d = JSON.parse(m.definition) as Ends & { assignments?: Ends[] };
        return [d, ...(d.assignments ?? [])].some(
          (a) => a.source?.connectionId === id || a.target?.connectionId === id,
        );
      });
      if (users.length) {
        throw new ValidationError(
          `connection '${id}' is used by mapping ${users.map((m) => `'${m.id}'`).join(', ')}`,
          {
            details: { mappings: users.map((m) => m.id) },
          },
        );
      }
      let q = db.deleteFrom('connections').where('id', '=', id);
      if (scope !== undefined) q = q.where('workspace_id', '=', scope);
      await q.execute();
      // Its sync links go with it: a connection made later under the same id (in any workspace) starts
      // without another's keys and statuses.
      await db
        .deleteFrom('sync_links')
        .where((eb) => eb.or([eb('source_connection_id', '=', id), eb('target_connection_id', '=', id)]))
        .execute();
    },
  };
}
