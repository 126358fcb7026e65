import type { Kysely, Transaction } from 'kysely';
import type { SyncLink, SyncStatus } from '../../core/types.ts';
import type { Database, SyncLinksTable } from '../schema.ts';
import type { Dialect } from '../store.ts';
import { type Filterable, idsIn, type Scope } from './scope.ts';

/** Which source object is linked to which target object: the pair every link query is scoped to. */
export interface LinkScope {
  sourceConnectionId: string;
  sourceObject: string;
  targetConnectionId: string;
  targetObject: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

function toLink(r: SyncLinksTable): SyncLink {
  return {
    sourceConnectionId: r.source_connection_id,
    sourceObject: r.source_object,
    sourceKey: r.source_key,
    targetConnectionId: r.target_connection_id,
    targetObject: r.target_object,
    externalId: r.external_id,
    lastSyncAt: date(r.last_sync_at),
    lastSuccessAt: date(r.last_success_at),
    status: r.status as SyncStatus,
    remark: r.remark,
    payloadHash: r.payload_hash,
    externalNumber: r.external_number ?? null,
  };
}

/** Writes links in one statement per chunk; used inside the page-commit transaction. */
export async function upsertLinks(
  db: Kysely<Database> | Transaction<Database>,
  links: SyncLink[],
): Promise<void> {
  for (let i = 0; i < links.length; i += 200) {
    const rows = links.slice(i, i + 200).map((l) => ({
      source_connection_id: l.sourceConnectionId,
      source_object: l.sourceObject,
      source_key: l.sourceKey,
      target_connection_id: l.targetConnectionId,
      target_object: l.targetObject,
      external_id: l.externalId,
      last_sync_at: iso(l.lastSyncAt),
      last_success_at: iso(l.lastSuccessAt),
      status: l.status,
      remark: l.remark,
      payload_hash: l.payloadHash,
      external_number: l.externalNumber ?? null,
    }));
    await db
      .insertInto('sync_links')
      .values(rows)
      .onConflict((oc) =>
        oc
          .columns([
            'source_connection_id',
            'source_object',
            'source_key',
            'target_connection_id',
            'target_object',
          ])
          .doUpdateSet((eb) => ({
            external_id: eb.ref('excluded.external_id'),
            last_sync_at: eb.ref('excluded.last_sync_at'),
            last_success_at: eb.ref('excluded.last_success_at'),
            status: eb.ref('excluded.status'),
            remark: eb.ref('excluded.remark'),
            payload_hash: eb.ref('excluded.payload_hash'),
            // A write that read nothing back keeps the number read before.
            external_number: eb.fn.coalesce('excluded.external_number', 'sync_links.external_number'),
          })),
      )
      .execute();
  }
}

/** Sync links: one row per source record and target; the identity map and change detector. */
export function createSyncLinkRepository(db: Kysely<Database>, _dialect: Dialect, workspace?: Scope) {
  /**
   * Scoped to a workspace, a link is seen when its source connection is the workspace's — in every read and
   * change below, also those the engine calls with a mapping's ids it has already checked.
   */
  const ownSource = <Q extends Filterable>(q: Q): Q =>
    workspace === undefined ? q : q.where('source_connection_id', 'in', idsIn(db, 'connections', workspace));
  const scoped = (scope: LinkScope) =>
    ownSource(db.selectFrom('sync_links').selectAll())
      .where('source_connection_id', '=', scope.sourceConnectionId)
      .where('source_object', '=', scope.sourceObject)
      .where('target_connection_id', '=', scope.targetConnectionId)
      .where('target_object', '=', scope.targetObject);

  return {
    /** The links of these source keys, by key (one query per 500 keys). */
    async getMany(scope: LinkScope, keys: string[]): Promise<Map<string, SyncLink>> {
      const out = new Map<string, SyncLink>();
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await scoped(scope)
          .where('source_key', 'in', keys.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(r.source_key, toLink(r));
      }
      return out;
    },

    /**
     * Source keys whose last sync failed retryably (before `syncedBefore`, so not again in this run):
     * an incremental run retries them even if unchanged.
     */
    async retryKeys(scope: LinkScope, o: { syncedBefore?: Date; limit?: number } = {}): Promise<string[]> {
      let q = ownSource(db.selectFrom('sync_links').select('source_key'))
        .where('source_connection_id', '=', scope.sourceConnectionId)
        .where('source_object', '=', scope.sourceObject)
        .where('target_connection_id', '=', scope.targetConnectionId)
        .where('target_object', '=', scope.targetObject)
        .where('status', '=', 'retry')
        .orderBy('source_key')
        .limit(o.limit ?? 10_000);
      const before = o.syncedBefore;
      if (before)
        q = q.where((eb) =>
          eb.or([eb('last_sync_at', '<', before.toISOString()), eb('last_sync_at', 'is', null)]),
        );
      return (await q.execute()).map((r) => r.source_key);
    },

    /**
     * The links of a scope that hold a live target record (`ok`, `failed`, `retry` with an external id):
     * what a full run compares with the keys it read to find records deleted in the source.
     */
    async live(scope: LinkScope): Promise<SyncLink[]> {
      const rows = await scoped(scope)
        .where('status', 'in', ['ok', 'failed', 'retry'])
        .where('external_id', 'is not', null)
        .execute();
      return rows.map(toLink);
    },

    /** Every target a source record is linked to (the record view). */
    async forSourceRecord(
      sourceConnectionId: string,
      sourceObject: string,
      sourceKey: string,
    ): Promise<SyncLink[]> {
      const rows = await ownSource(
        db
          .selectFrom('sync_links')
          .selectAll()
          .where('source_connection_id', '=', sourceConnectionId)
          .where('source_object', '=', sourceObject)
          .where('source_key', '=', sourceKey),
      ).execute();
      return rows.map(toLink);
    },

    async count(scope: LinkScope, status?: SyncStatus): Promise<number> {
      let q = ownSource(db.selectFrom('sync_links').select((eb) => eb.fn.countAll<number>().as('n')))
        .where('source_connection_id', '=', scope.sourceConnectionId)
        .where('source_object', '=', scope.sourceObject)
        .where('target_connection_id', '=', scope.targetConnectionId)
        .where('target_object', '=', scope.targetObject);
      if (status) q = q.where('status', '=', status);
      const row = await q.executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Every link of a source key, whatever the source connection (the record view by key alone). */
    async forSourceKey(sourceKey: string): Promise<SyncLink[]> {
      const rows = await ownSource(
        db
          .selectFrom('sync_links')
          .selectAll()
          .where('source_key', '=', sourceKey)
          .orderBy('target_connection_id'),
      ).execute();
      return rows.map(toLink);
    },

    /** How many links are failing now, across every mapping: `failed` for good, `retry` for the next run. */
    async failingCounts(): Promise<{ failed: number; retry: number }> {
      const rows = await ownSource(
        db
          .selectFrom('sync_links')
          .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
          .where('status', 'in', ['failed', 'retry'])
          .groupBy('status'),
      ).execute();
      const of = (status: SyncStatus) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { failed: of('failed'), retry: of('retry') };
    },

    /** Marks these records for another try by the next incremental run ("retry failed"). */
    async markForRetry(scope: LinkScope, keys: string[]): Promise<number> {
      let n = 0;
      for (let i = 0; i < keys.length; i += 500) {
        const r = await ownSource(
          db
            .updateTable('sync_links')
            .set({ status: 'retry', payload_hash: null })
            .where('source_connection_id', '=', scope.sourceConnectionId)
            .where('source_object', '=', scope.sourceObject)
            .where('target_connection_id', '=', scope.targetConnectionId)
            .where('target_object', '=', scope.targetObject)
            .where('source_key', 'in', keys.slice(i, i + 500)),
        ).executeTakeFirst();
        n += Number(r.numUpdatedRows);
      }
      return n;
    },

    upsert: (links: SyncLink[]) => upsertLinks(db, links),
  };
}
