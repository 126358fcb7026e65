// Shared pieces of the mapping tests (not a test file): a SQL connector with its queries captured, and
// an in-memory target that records writes and can look records up.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type {
  Connector,
  LookupHit,
  Page,
  ReadOptions,
  WriteOp,
  WriteResult,
} from '../../src/connectors/connector.ts';
import { UNCONFINED_FILES } from '../../src/connectors/file-access.ts';
import { sqlConnector } from '../../src/connectors/sql/index.ts';

/** A pino logger at debug level that keeps every SQL statement the business database ran. */
export function queryLog() {
  const statements: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as { sql?: string };
        if (entry.sql) statements.push(entry.sql);
      }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), statements };
}

/** A SQL source connector on `url` whose statements land in `log`. */
export function sqlSource(url: string, log: pino.Logger, pageSize = 100): Connector {
  return sqlConnector.create({
    connectionId: 'erp',
    config: { url, pageSize, overlapSeconds: 0 },
    secret: {},
    http: undefined as never,
    log,
    signal: new AbortController().signal,
    files: UNCONFINED_FILES,
  });
}

/** Reads every page of an object; returns the records' data and whether every page was filtered in SQL. */
export async function readAll(source: Connector, object: string, o: Omit<ReadOptions, 'keyField'> = {}) {
  const rows: Record<string, unknown>[] = [];
  let filtered = true;
  for await (const page of source.read(object, { keyField: 'id', ...o }) as AsyncIterable<Page>) {
    rows.push(...page.records.map((r) => r.data));
    filtered &&= page.filtered === true;
  }
  return { rows, filtered };
}

/** An in-memory target: upserts by match property, updates by id, lookups by any property. */
export function memoryTarget(system: Connector['system'] = 'abacus') {
  const records = new Map<string, Record<string, unknown>>();
  const writes: WriteOp[] = [];
  let next = 1;
  const target: Connector = {
    system,
    limits: { batchSize: 100 },
    describe: async () => [],
    read: () => {
      throw new Error('not a source');
    },
    async write(_object, ops) {
      writes.push(...ops);
      return ops.map((op): WriteResult => {
        if (op.kind === 'update') {
          const r = records.get(op.externalId);
          if (!r)
            return { ref: op.ref, ok: false, code: 'missing', message: 'no such record', retryable: false };
          Object.assign(r, op.properties);
          return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
        }
        if (op.kind === 'delete' || op.kind === 'archive')
          return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
        const found = [...records.entries()].find(([, r]) => String(r[op.match.property]) === op.match.value);
        if (found) {
          Object.assign(found[1], op.properties);
          return { ref: op.ref, ok: true, externalId: found[0], created: false };
        }
        const id = String(next++);
        records.set(id, {
          ...op.properties,
          [op.match.property]: op.match.value,
          id,
          assigned_number: `D-${id}`,
        });
        return { ref: op.ref, ok: true, externalId: id, created: true };
      });
    },
    async lookup(_object, property, values): Promise<LookupHit[]> {
      const wanted = new Set(values.map((v) => v.toLowerCase()));
      return [...records.entries()]
        .filter(([, r]) => r[property] !== undefined && wanted.has(String(r[property]).toLowerCase()))
        .map(([id, r]) => ({ value: String(r[property]), id, properties: { ...r } }));
    },
    check: async () => ({ ok: true, message: 'memory' }),
  };
  return { target, records, writes };
}
