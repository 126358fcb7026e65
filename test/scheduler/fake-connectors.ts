import { setTimeout as sleep } from 'node:timers/promises';
import type { Connector, WriteOp, WriteResult } from '../../src/connectors/connector.ts';
import type { Connection } from '../../src/core/types.ts';

/** A two-connection setup whose connectors are made in memory by `fakeConnectors`. */
export const FAKE_CONFIG = `
connections:
  - { id: src, system: sql, config: { url: "sqlite::memory:" } }
  - { id: dst, system: hubspot, config: { baseUrl: "http://127.0.0.1:9" }, secret: { accessToken: x } }
mappings:
  - id: m
    name: People
    source: { connectionId: src, object: people, key: id }
    target: { connectionId: dst, object: contacts }
    matchKey: { target: email }
    fields:
      - { target: email, from: email }
`;

export interface FakeBehaviour {
  /** Records the source returns (ids 1..n). */
  records?: number;
  /** Delay before each page of 10 records. */
  pageDelayMs?: number;
  /** Source keys the target rejects. */
  reject?: string[];
  /** The source throws after this many pages. */
  failAfterPages?: number;
}

/** A connector factory: an in-memory source of people and a target that accepts (or rejects) them. */
export function fakeConnectors(b: FakeBehaviour = {}) {
  return (connection: Connection): Connector => {
    const base = {
      limits: { batchSize: 100 },
      describe: async () => [],
      check: async () => ({ ok: true, message: 'ok' }),
    };
    if (connection.id === 'src') {
      return {
        ...base,
        system: 'sql',
        async *read() {
          const n = b.records ?? 20;
          for (let page = 0; page * 10 < n; page++) {
            if (b.failAfterPages !== undefined && page >= b.failAfterPages)
              throw new Error('the business database went away');
            if (b.pageDelayMs) await sleep(b.pageDelayMs);
            const records = Array.from({ length: Math.min(10, n - page * 10) }, (_, i) => {
              const id = page * 10 + i + 1;
              return { key: String(id), data: { id, email: `p${id}@example.ch` } };
            });
            yield { records, cursor: { id: page * 10 + records.length } };
          }
        },
        write: async () => [],
      };
    }
    return {
      ...base,
      system: 'hubspot',
      read: async function* () {},
      async write(_object: string, ops: WriteOp[]): Promise<WriteResult[]> {
        return ops.map((op) =>
          b.reject?.includes(op.ref)
            ? {
                ref: op.ref,
                ok: false,
                code: 'hubspot_invalid_email',
                message: `Email address ${op.ref} is invalid`,
                retryable: false,
              }
            : { ref: op.ref, ok: true, externalId: `hs-${op.ref}`, created: true },
        );
      },
    };
  };
}
