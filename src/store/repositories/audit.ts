import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SyncLink, SyncStatus } from '../../core/types.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from '../secret-box.ts';
import { idsIn, type Scope } from './scope.ts';

/** One audit entry; `details` must hold no personal data. */
export interface AuditEntry {
  id: string;
  at: Date;
  kind: string;
  connectionId: string;
  subject: string;
  details: Record<string, unknown>;
}

/** The audit log (deletions, erasures, confirmations, logins, configuration changes) and the webhook replay guard. */
export function createAuditRepository(db: Kysely<Database>, secretBox: SecretBox, scope?: Scope) {
  return {
    /**
     * The subject under which a person's record is audited: an HMAC of its connection, object and key
     * keyed from the installation's secret key, so the log holds no id or e-mail of a person and no one
     * without the key can confirm a guess; the same record always gives the same subject.
     */
    subjectOf(record: { connectionId: string; object: string; key: string }): string {
      return secretBox
        .mac('audit subject', `${record.connectionId}\u0000${record.object}\u0000${record.key}`)
        .slice(0, 32);
    },

    /** Appends an entry and returns it. */
    async record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
      const full: AuditEntry = { id: randomUUID(), at: new Date(), ...entry };
      await db
        .insertInto('audit_log')
        .values({
          id: full.id,
          at: full.at.toISOString(),
          kind: full.kind,
          connection_id: full.connectionId,
          subject: full.subject,
          details: JSON.stringify(full.details),
          workspace_id: scope ?? null,
        })
        .execute();
      return full;
    },

    /** Entries, newest first; `from`/`to` bound the time, `offset` pages. */
    async list(
      o: {
        kind?: string;
        from?: Date;
        to?: Date;
        limit?: number;
        offset?: number;
        /** Scoped: also the instance's own entries (logins), for the instance administrator. */
        withInstance?: boolean;
      } = {},
    ): Promise<AuditEntry[]> {
      let q = db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id')
        .limit(o.limit ?? 100)
        .offset(o.offset ?? 0);
      if (o.kind) q = q.where('kind', '=', o.kind);
      // A workspace reads the entries of its own connections; the instance's own entries only unscoped.
      if (scope !== undefined)
        q = q.where((eb) =>
          eb.or([
            eb('workspace_id', '=', scope),
            eb.and([
              eb('workspace_id', 'is', null),
              eb('connection_id', 'in', idsIn(db, 'connections', scope)),
            ]),
            ...(o.withInstance
              ? [eb.and([eb('workspace_id', 'is', null), eb('connection_id', '=', '')])]
              : []),
          ]),
        );
      if (o.from) q = q.where('at', '>=', o.from.toISOString());
      if (o.to) q = q.where('at', '<', o.to.toISOString());
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        at: new Date(r.at),
        kind: r.kind,
        connectionId: r.connection_id,
        subject: r.subject,
        details: JSON.parse(r.details),
      }));
    },

    /** Sync links that point at one target record (who was synced into it): the deletion request's way back to the source. */
    async linksToTarget(
      targetConnectionId: string,
      targetObject: string,
      externalId: string,
    ): Promise<SyncLink[]> {
      let q = db
        .selectFrom('sync_links')
        .selectAll()
        .where('target_connection_id', '=', targetConnectionId)
        .where('target_object', '=', targetObject)
        .where('external_id', '=', externalId);
      // A workspace's way back reaches only the records of its own connections.
      if (scope !== undefined) q = q.where('source_connection_id', 'in', idsIn(db, 'connections', scope));
      const rows = await q.execute();
      return rows.map((r) => ({
        sourceConnectionId: r.source_connection_id,
        sourceObject: r.source_object,
        sourceKey: r.source_key,
        targetConnectionId: r.target_connection_id,
        targetObject: r.target_object,
        externalId: r.external_id,
        lastSyncAt: r.last_sync_at ? new Date(r.last_sync_at) : null,
        lastSuccessAt: r.last_success_at ? new Date(r.last_success_at) : null,
        status: r.status as SyncStatus,
        remark: r.remark,
        payloadHash: r.payload_hash,
      }));
    },

    /** Records a receipt key; false when it was there already (a replay or a redelivered event). */
    async claimReceipt(connectionId: string, key: string): Promise<boolean> {
      const r = await db
        .insertInto('webhook_receipts')
        .values({ connection_id: connectionId, receipt_key: key, received_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(['connection_id', 'receipt_key']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /** Gives a receipt back (its event could not be processed, so a redelivery must be taken). */
    async releaseReceipt(connectionId: string, key: string): Promise<void> {
      await db
        .deleteFrom('webhook_receipts')
        .where('connection_id', '=', connectionId)
        .where('receipt_key', '=', key)
        .execute();
    },

    /**
     * Whether the connection took a webhook event at or after `since` (any time when null): its sender will
     * not deliver it again, so the work it asked for is still to do if no run started after it.
     */
    async eventTakenSince(connectionId: string, since: Date | null): Promise<boolean> {
      let q = db
        .selectFrom('webhook_receipts')
        .select('receipt_key')
        .where('connection_id', '=', connectionId)
        .where('receipt_key', 'like', 'event:%');
      if (since) q = q.where('received_at', '>=', since.toISOString());
      return (await q.limit(1).executeTakeFirst()) !== undefined;
    },

    /** Forgets receipts older than the cut-off; signatures expire after 5 minutes anyway. */
    async pruneReceipts(before: Date): Promise<number> {
      const r = await db
        .deleteFrom('webhook_receipts')
        .where('received_at', '<', before.toISOString())
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
