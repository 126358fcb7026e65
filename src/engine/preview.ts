import type { Logger } from 'pino';
import { matches, prepareExpression } from '../core/expression/index.ts';
import { compileMapping } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Store } from '../store/store.ts';
import { type ConnectorFactory, openMappingConnectors } from './open-mapping.ts';

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
  o: { log: Logger; limit?: number; connectorFactory?: ConnectorFactory },
): Promise<PreviewRow[]> {
  const limit = Math.min(o.limit ?? 10, 200);
  const filter = mapping.filter?.trim() ? prepareExpression(mapping.filter) : null;
  const map = compileMapping(mapping.fields);
  const ac = new AbortController();
  const conns = await openMappingConnectors(
    store,
    mapping,
    { log: o.log, signal: ac.signal },
    o.connectorFactory,
  );
  try {
    const rows: PreviewRow[] = [];
    const now = new Date();
    for await (const page of conns.source.read(mapping.source.object, {
      keyField: mapping.source.key,
      pageSize: limit,
    })) {
      for (const r of page.records) {
        const mapped = map(r.data);
        rows.push({
          sourceKey: r.key,
          source: r.data,
          selected: filter ? matches(filter, { record: r.data, now }) : true,
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
