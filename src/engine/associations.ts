import type { SourceRecord } from '../connectors/connector.ts';
import type { AssociationSetting, MappingDefinition } from '../core/mapping-definition.ts';
import type { SyncLink } from '../core/types.ts';
import type { AssociationLink } from '../store/repositories/associations.ts';
import type { ProcessContext } from './process-records.ts';

type Ctx = Pick<ProcessContext, 'mapping' | 'target' | 'store' | 'log'>;

interface Wanted {
  sourceKey: string;
  relatedKey: string;
  fromId: string;
}

const keyText = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : v instanceof Date ? v.toISOString() : String(v);

/**
 * Associates what is wanted once both records exist: the related record's target id comes from the
 * related mapping's sync link. Rows whose related record is not in the target yet stay `pending` and
 * are tried again by `flushPendingAssociations`.
 */
async function associate(ctx: Ctx, setting: AssociationSetting, wanted: Wanted[]): Promise<void> {
  const { mapping, target, store } = ctx;
  if (!wanted.length || !target.associate) return;
  const related: MappingDefinition = await store.mappings.get(setting.mapping);
  const links = await store.syncLinks.getMany(
    {
      sourceConnectionId: related.source.connectionId,
      sourceObject: related.source.object,
      targetConnectionId: related.target.connectionId,
      targetObject: related.target.object,
    },
    [...new Set(wanted.map((w) => w.relatedKey))],
  );
  const rows: AssociationLink[] = [];
  const ready: (Wanted & { toId: string })[] = [];
  for (const w of wanted) {
    const link = links.get(w.relatedKey);
    const toId = link && link.status === 'ok' ? link.externalId : null;
    if (toId) ready.push({ ...w, toId });
    else
      rows.push({
        mappingId: mapping.id,
        toObject: setting.object,
        ...w,
        toId: null,
        status: 'pending',
        remark: 'the related record is not in the target yet',
      });
  }
  const results = ready.length
    ? await target.associate(
        mapping.target.object,
        setting.object,
        ready.map((r) => ({ fromId: r.fromId, toId: r.toId })),
      )
    : [];
  const byPair = new Map(results.map((r) => [`${r.fromId}/${r.toId}`, r]));
  for (const r of ready) {
    const res = byPair.get(`${r.fromId}/${r.toId}`);
    const ok = res?.ok === true;
    const retry = !res || (!res.ok && res.retryable);
    rows.push({
      mappingId: mapping.id,
      toObject: setting.object,
      sourceKey: r.sourceKey,
      relatedKey: r.relatedKey,
      fromId: r.fromId,
      toId: r.toId,
      status: ok ? 'ok' : retry ? 'pending' : 'failed',
      remark: res && !res.ok ? `${res.code}: ${res.message}` : null,
    });
  }
  if (results.some((r) => !r.ok))
    ctx.log.warn(
      { mappingId: mapping.id, object: setting.object, failed: results.filter((r) => !r.ok).length },
      'some associations failed',
    );
  await store.associations.upsert(rows);
}

/**
 * After a page is written: for every record that is in the target (`links` with an external id), makes
 * sure it is associated with the record its association field names. Unchanged associations cost no call.
 */
export async function syncAssociations(ctx: Ctx, records: SourceRecord[], links: SyncLink[]): Promise<void> {
  const settings = ctx.mapping.associations ?? [];
  if (!settings.length || !ctx.target.associate || !records.length) return;
  const idOf = new Map<string, string>();
  for (const l of links) if (l.status === 'ok' && l.externalId) idOf.set(l.sourceKey, l.externalId);
  const present = records.filter((r) => idOf.has(r.key));
  const known = await ctx.store.associations.getMany(
    ctx.mapping.id,
    present.map((r) => r.key),
  );
  for (const setting of settings) {
    const done = new Map(known.filter((k) => k.toObject === setting.object).map((k) => [k.sourceKey, k]));
    const wanted: Wanted[] = [];
    for (const r of present) {
      const relatedKey = keyText(r.data[setting.from]);
      const fromId = idOf.get(r.key) as string;
      if (!relatedKey) continue;
      const prior = done.get(r.key);
      if (prior && prior.status !== 'pending' && prior.relatedKey === relatedKey && prior.fromId === fromId)
        continue;
      wanted.push({ sourceKey: r.key, relatedKey, fromId });
    }
    await associate(ctx, setting, wanted);
  }
}

/** Tries the pending associations again (the related records may have reached the target since). */
export async function flushPendingAssociations(ctx: Ctx): Promise<void> {
  if (!ctx.target.associate) return;
  for (const setting of ctx.mapping.associations ?? []) {
    const pending = (await ctx.store.associations.pending(ctx.mapping.id)).filter(
      (p) => p.toObject === setting.object,
    );
    await associate(
      ctx,
      setting,
      pending.map((p) => ({ sourceKey: p.sourceKey, relatedKey: p.relatedKey, fromId: p.fromId })),
    );
  }
}
