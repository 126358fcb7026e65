import { pino } from 'pino';
import type { ObjectDescription } from '../connectors/connector.ts';
import { CONNECTORS, createConnector } from '../connectors/registry.ts';
import { ExpressionError, ExpressionSyntaxError } from '../core/errors.ts';
import { prepareExpression, schemaOf, typeCheck } from '../core/expression/index.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Connection } from '../core/types.ts';
import { assignmentsOf } from './assignments.ts';
import type { ConnectorFactory } from './open-mapping.ts';

/** One problem of a mapping, at the field it is about. */
export interface MappingIssue {
  field: string;
  message: string;
  position?: number;
}

const silent = pino({ level: 'silent' });

/**
 * The objects of a source connection whose system describes itself cheaply (a SQL database, with its
 * foreign-key relations), made by `make` (the caller's, e.g. confined to the files folders); null for
 * remote APIs — describing them on every save would make saving depend on them — and unreachable databases.
 */
export async function describeSourceForCheck(
  connection: Connection | undefined,
  make: ConnectorFactory = createConnector,
): Promise<ObjectDescription[] | null> {
  if (!connection || !CONNECTORS[connection.system]?.describeOnSave) return null;
  const connector = make(connection, { log: silent, signal: AbortSignal.timeout(10_000) });
  try {
    return await connector.describe();
  } catch {
    return null;
  } finally {
    // Closing a connector whose database never opened may fail; nothing is left open then.
    await connector.close?.().catch(() => {});
  }
}

function positionOf(err: unknown): number | undefined {
  if (err instanceof ExpressionSyntaxError) return err.position;
  const p = err instanceof ExpressionError ? err.details?.position : undefined;
  return typeof p === 'number' ? p : undefined;
}

/**
 * Type-checks every filter, formula and relation path of every assignment against its source object,
 * so an unknown field or a type error is reported with its position when the mapping is saved.
 * `describe` gives a source connection's objects, or null when they are unknown (then nothing is checked).
 */
export async function checkMappingTypes(
  mapping: MappingDefinition,
  describe: (connectionId: string) => Promise<ObjectDescription[] | null>,
): Promise<MappingIssue[]> {
  const issues: MappingIssue[] = [];
  const described = new Map<string, Promise<ObjectDescription[] | null>>();
  for (const [i, a] of assignmentsOf(mapping).entries()) {
    const prefix = i === 0 ? '' : `assignments.${i - 1}.`;
    let objects = described.get(a.source.connectionId);
    if (!objects) {
      objects = describe(a.source.connectionId);
      described.set(a.source.connectionId, objects);
    }
    const list = await objects;
    if (!list) continue;
    // A table that does not exist yet (created after the configuration) is reported when a run reads it.
    if (!list.some((o) => o.name === a.source.object)) continue;
    const context = { schema: schemaOf(list), object: a.source.object };
    const check = (field: string, text: string | undefined) => {
      if (!text?.trim()) return;
      try {
        typeCheck(prepareExpression(text), context);
      } catch (err) {
        const position = positionOf(err);
        issues.push({
          field,
          message: (err as Error).message,
          ...(position === undefined ? {} : { position }),
        });
      }
    };
    check(`${prefix}filter`, a.filter);
    for (const [j, f] of a.fields.entries()) {
      check(`${prefix}fields.${j}.formula`, f.formula);
      // A dotted `from` may walk relations; a plain one may name a field the engine adds (left alone).
      if (f.from?.includes('.'))
        check(
          `${prefix}fields.${j}.from`,
          f.from
            .split('.')
            .map((s) => `"${s.replaceAll('"', '""')}"`)
            .join('.'),
        );
    }
  }
  return issues;
}
