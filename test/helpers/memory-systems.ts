// In-memory source and target systems for engine tests that run the real pipeline over a temp SQLite store:
// one copy here, so every such test drives the same fakes (and a fix to them reaches every test).
import type {
  Connector,
  Cursor,
  LookupHit,
  Page,
  ReadOptions,
  SourceRecord,
  WriteOp,
  WriteResult,
} from '../../src/connectors/connector.ts';

/**
 * A business system in memory: rows by key, read in pages by key or by a modified column. `released` counts
 * reads that ended (read to the end or given up by the reader), `closed` the connector's closes.
 */
export function memorySource(rows: Record<string, unknown>[], pageSize = 2) {
  const reads: ReadOptions[] = [];
  const byKeys: string[][] = [];
  const state = { released: 0, closed: 0 };
  const source: Connector = {
    system: 'sql',
    limits: { batchSize: 100 },
    describe: async () => [],
    async *read(_object, o): AsyncIterable<Page> {
      reads.push(o);
      const m = o.modifiedField;
      const sortKey = (r: Record<string, unknown>) =>
        m
          ? `${String(r[m]).padStart(12, '0')}|${String(r[o.keyField]).padStart(6, '0')}`
          : String(r[o.keyField]).padStart(6, '0');
      const from = o.after ? String(o.after.at) : '';
      const sorted = rows.filter((r) => sortKey(r) > from).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      try {
        for (let i = 0; i < sorted.length; i += pageSize) {
          const slice = sorted.slice(i, i + pageSize);
          const last = slice[slice.length - 1] as Record<string, unknown>;
          yield {
            records: slice.map((r) => ({ key: String(r[o.keyField]), data: { ...r } })),
            cursor: { at: sortKey(last) } as Cursor,
          };
        }
      } finally {
        state.released += 1;
      }
    },
    write: () => {
      throw new Error('not a target');
    },
    async readByKeys(_object, keyField, keys): Promise<SourceRecord[]> {
      byKeys.push(keys);
      return rows
        .filter((r) => keys.includes(String(r[keyField])))
        .map((r) => ({ key: String(r[keyField]), data: { ...r } }));
    },
    check: async () => ({ ok: true, message: 'memory' }),
    close: async () => {
      state.closed += 1;
    },
  };
  return { source, rows, reads, byKeys, state };
}

/**
 * A target in memory: upserts by the match property, updates and deletes by id; `refuse` fails e-mails;
 * `state.closed` counts the connector's closes.
 */
export function memoryTarget() {
  const records = new Map<string, Record<string, unknown>>();
  const writes: WriteOp[][] = [];
  const refuse = new Set<string>();
  const state = { closed: 0 };
  let next = 1;
  const target: Connector = {
    system: 'abacus',
    limits: { batchSize: 100 },
    describe: async () => [],
    read: () => {
      throw new Error('not a source');
    },
    async write(_object, ops) {
      writes.push(ops);
      return ops.map((op): WriteResult => {
        if (op.kind === 'delete' || op.kind === 'archive') {
          records.delete(op.externalId);
          return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
        }
        if (refuse.has(String(op.properties.email)))
          return { ref: op.ref, ok: false, code: 'busy', message: 'try later', retryable: true };
        if (op.kind === 'update') {
          Object.assign(records.get(op.externalId) ?? {}, op.properties);
          return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
        }
        const found = [...records].find(([, r]) => String(r[op.match.property]) === op.match.value);
        if (found) {
          Object.assign(found[1], op.properties);
          return { ref: op.ref, ok: true, externalId: found[0], created: false };
        }
        const id = `c${next++}`;
        records.set(id, { ...op.properties });
        return { ref: op.ref, ok: true, externalId: id, created: true };
      });
    },
    async lookup(_object, property, values): Promise<LookupHit[]> {
      return [...records]
        .filter(([, r]) => values.includes(String(r[property])))
        .map(([id, r]) => ({ id, value: String(r[property]), properties: { ...r } }));
    },
    check: async () => ({ ok: true, message: 'memory' }),
    close: async () => {
      state.closed += 1;
    },
  };
  return { target, records, writes, refuse, state };
}
