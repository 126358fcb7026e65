import type { Logger } from 'pino';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Store } from '../store/store.ts';
import { linkView } from './assignments.ts';
import { type ConnectorFactory, openMappingConnectors } from './open-mapping.ts';
import { compileFilter, inMemoryFilter, scopeOf } from './run-task.ts';
import { sourceFields, sourcePaths } from './source-fields.ts';

export interface PreviewRow {
  sourceKey: string;
  source: Record<string, unknown>;
  /** Whether the mapping's filter selects this record. */
  selected: boolean;
  payload: Record<string, unknown>;
  errors: { field: string; code: string; message: string }[];
}

/** Applies a (possibly unsaved) mapping to the first `limit` source records, without writing anything. */
export async function previewMapping(
  store: Store,
  mapping: MappingDefinition,
  o: { log: Logger; limit?: number; connectorFactory?: ConnectorFactory; params?: Record<string, unknown> },
): Promise<PreviewRow[]> {
  const limit = Math.min(o.limit ?? 10, 200);
  const filter = compileFilter(mapping);
  const map = compileMapping(mapping.fields);
  const ac = new AbortController();
  const conns = await openMappingConnectors(
    store,
    mapping,
    { log: o.log, signal: ac.signal },
    o.connectorFactory,
  );
  // The run's own selection and mapping context (links, params, job), so the preview shows what a run does.
  const ctx = {
    store,
    scope: scopeOf(mapping),
    expression: { params: o.params ?? {}, job: { last_success: null, last_run: null } },
  };
  const select = inMemoryFilter(ctx, filter);
  try {
    const rows: PreviewRow[] = [];
    const now = new Date();
    for await (const page of conns.source.read(mapping.source.object, {
      keyField: mapping.source.key,
      pageSize: limit,
      fields: sourceFields(mapping),
      paths: sourcePaths(mapping),
    })) {
      const selected = new Set((await select(page.records)).map((r) => r.key));
      const links = await store.syncLinks.getMany(
        ctx.scope,
        page.records.map((r) => r.key),
      );
      for (const r of page.records) {
        const mapped = map(r.data, { ...ctx.expression, now, link: linkView(links.get(r.key)) });
        rows.push({
          sourceKey: r.key,
          source: r.data,
          selected: selected.has(r.key),
          payload: mapped.payload,
          errors: mapped.ok
            ? []
            : mapped.errors.map((e) => ({ field: e.field, code: e.code, message: e.message })),
        });
        if (rows.length >= limit) return rows;
      }
    }
    return rows;
  } finally {
    ac.abort();
    await conns.close();
  }
}
