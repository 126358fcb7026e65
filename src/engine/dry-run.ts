import type { Logger } from 'pino';
import type { Cursor } from '../connectors/connector.ts';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping } from '../core/mapper.ts';
import type { Store } from '../store/store.ts';
import { type ConnectorFactory, openMappingConnectors } from './open-mapping.ts';
import { planRecord } from './plan.ts';

export interface DryRunResult {
  counts: { read: number; filtered: number; create: number; update: number; unchanged: number; fail: number };
  items: {
    sourceKey: string;
    action: 'create' | 'update' | 'fail';
    externalId: string | null;
    payload: unknown;
    code?: string;
    message?: string;
  }[];
  /** True when `maxRecords` stopped the read before the end. */
  truncated: boolean;
}

/**
 * What the next run of a task would do — create (upsert by match key), update, leave unchanged, fail —
 * computed from the source, the filter, the mapping and the sync links, with no call to the target.
 */
export async function dryRunTask(
  store: Store,
  taskId: string,
  o: { log: Logger; maxRecords?: number; maxItems?: number; connectorFactory?: ConnectorFactory },
): Promise<DryRunResult> {
  const task = await store.tasks.get(taskId);
  const mapping = await store.mappings.get(task.mappingId);
  const checkpoint = await store.executions.checkpoint(taskId);
  const after = (checkpoint?.inProgress?.position ??
    (task.mode === 'incremental' ? checkpoint?.watermark : null) ??
    undefined) as Cursor | undefined;
  const filter = mapping.filter?.trim() ? prepareExpression(mapping.filter) : null;
  const map = compileMapping(mapping.fields);
  const maxRecords = o.maxRecords ?? 10_000;
  const maxItems = o.maxItems ?? 200;
  const result: DryRunResult = {
    counts: { read: 0, filtered: 0, create: 0, update: 0, unchanged: 0, fail: 0 },
    items: [],
    truncated: false,
  };
  const scope = {
    sourceConnectionId: mapping.source.connectionId,
    sourceObject: mapping.source.object,
    targetConnectionId: mapping.target.connectionId,
    targetObject: mapping.target.object,
  };
  const ac = new AbortController();
  const conns = await openMappingConnectors(
    store,
    mapping,
    { log: o.log, signal: ac.signal },
    o.connectorFactory,
  );
  try {
    const pages = conns.source.read(mapping.source.object, {
      keyField: mapping.source.key,
      modifiedField: mapping.source.modifiedField,
      after,
      filter: filter ?? undefined,
    });
    for await (const page of pages) {
      const now = new Date();
      result.counts.read += page.records.length;
      const records =
        filter && !page.filtered
          ? page.records.filter((r) => matches(filter, { record: r.data, now }))
          : page.records;
      result.counts.filtered += page.records.length - records.length;
      const links = await store.syncLinks.getMany(
        scope,
        records.map((r) => r.key),
      );
      for (const r of records) {
        const plan = planRecord(mapping, r, map(r.data), links.get(r.key));
        if (plan.kind === 'unchanged') {
          result.counts.unchanged++;
          continue;
        }
        const action = plan.kind === 'fail' ? 'fail' : plan.op.kind === 'update' ? 'update' : 'create';
        result.counts[action]++;
        if (result.items.length < maxItems) {
          result.items.push({
            sourceKey: r.key,
            action,
            externalId: links.get(r.key)?.externalId ?? null,
            payload: plan.payload,
            ...(plan.kind === 'fail' ? { code: plan.code, message: plan.message } : {}),
          });
        }
      }
      if (result.counts.read >= maxRecords) {
        result.truncated = true;
        break;
      }
    }
    return result;
  } finally {
    ac.abort();
    await conns.close();
  }
}
