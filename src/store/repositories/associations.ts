import type { Kysely } from 'kysely';
import type { AssociationLinksTable, Database } from '../schema.ts';

/** The association a mapped record should have in the target, and whether it has it. */
export interface AssociationLink {
  mappingId: string;
  sourceKey: string;
  toObject: string;
  relatedKey: string;
  fromId: string;
  toId: string | null;
  status: 'ok' | 'pending' | 'failed';
  remark: string | null;
}

const toLink = (r: AssociationLinksTable): AssociationLink => ({
  mappingId: r.mapping_id,
  sourceKey: r.source_key,
  toObject: r.to_object,
  relatedKey: r.related_key,
  fromId: r.from_id,
  toId: r.to_id,
  status: r.status as AssociationLink['status'],
  remark: r.remark,
});

/** Association state per mapping, source record and associated object. */
export function createAssociationRepository(db: Kysely<Database>) {
  return {
    /** The rows of these source keys for one mapping. */
    async getMany(mappingId: string, keys: string[]): Promise<AssociationLink[]> {
      const out: AssociationLink[] = [];
      for (let i = 0; i < keys.length; i += 500) {
        const rows = await db
          .selectFrom('association_links')
          .selectAll()
          .where('mapping_id', '=', mappingId)
          .where('source_key', 'in', keys.slice(i, i + 500))
          .execute();
        out.push(...rows.map(toLink));
      }
      return out;
    },

    /**
     * Removes the rows of an erased person: those their source records own (`owned`, per mapping and key)
     * and those that name their target record as the related one (`pointedAt`, per mapping and id).
     */
    async purge(o: {
      owned: { mappingId: string; sourceKey: string }[];
      pointedAt: { mappingId: string; toId: string }[];
    }): Promise<number> {
      let n = 0;
      for (const x of o.owned) {
        const r = await db
          .deleteFrom('association_links')
          .where('mapping_id', '=', x.mappingId)
          .where('source_key', '=', x.sourceKey)
          .executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      for (const x of o.pointedAt) {
        const r = await db
          .deleteFrom('association_links')
          .where('mapping_id', '=', x.mappingId)
          .where('to_id', '=', x.toId)
          .executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      return n;
    },

    /** Rows waiting for their related record to exist in the target. */
    async pending(mappingId: string, limit = 1000): Promise<AssociationLink[]> {
      const rows = await db
        .selectFrom('association_links')
        .selectAll()
        .where('mapping_id', '=', mappingId)
        .where('status', '=', 'pending')
        .orderBy('source_key')
        .limit(limit)
        .execute();
      return rows.map(toLink);
    },

    async upsert(links: AssociationLink[]): Promise<void> {
      const now = new Date().toISOString();
      for (let i = 0; i < links.length; i += 200) {
        const rows = links.slice(i, i + 200).map((l) => ({
          mapping_id: l.mappingId,
          source_key: l.sourceKey,
          to_object: l.toObject,
          related_key: l.relatedKey,
          from_id: l.fromId,
          to_id: l.toId,
          status: l.status,
          remark: l.remark,
          updated_at: now,
        }));
        await db
          .insertInto('association_links')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['mapping_id', 'source_key', 'to_object']).doUpdateSet((eb) => ({
              related_key: eb.ref('excluded.related_key'),
              from_id: eb.ref('excluded.from_id'),
              to_id: eb.ref('excluded.to_id'),
              status: eb.ref('excluded.status'),
              remark: eb.ref('excluded.remark'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    },
  };
}
