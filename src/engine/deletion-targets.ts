import type { Logger } from 'pino';
import { createConnector } from '../connectors/registry.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import { limitersFor } from '../runs/limiters.ts';
import type { Store } from '../store/store.ts';
import { assignmentsOf } from './assignments.ts';
import type { ConnectorFactory } from './open-mapping.ts';

/** The mappings (assignments included) that write into one object of a connection. */
export async function mappingsInto(store: Store, connectionId: string, object: string) {
  return (await store.mappings.list())
    .flatMap(assignmentsOf)
    .filter((m) => m.target.connectionId === connectionId && m.target.object === object);
}

/** The source field a mapping matches a target property with: `matchKey.source`, else the field mapped to it. */
function sourceFieldFor(m: MappingDefinition, property: string): string | undefined {
  if (m.matchKey?.target !== property) return undefined;
  return m.matchKey.source ?? m.fields.find((f) => f.target === property && f.from)?.from;
}

/**
 * The ids of the target records that a deleted record named only by a unique value was linked as (Brevo
 * names a deleted contact by its e-mail; the contact, and with it its id, is gone from Brevo). Each mapping
 * into that object that matches by the property asks its *source* which records have the value (lookups are
 * trimmed and case-insensitive), and their links into the target give the ids. Empty when no one knows it.
 */
export async function targetIdsByValue(
  store: Store,
  target: { connectionId: string; object: string; property: string; value: string },
  o: { log: Logger; connectorFactory?: ConnectorFactory; signal?: AbortSignal },
): Promise<string[]> {
  const make = o.connectorFactory ?? createConnector;
  const signal = o.signal ?? new AbortController().signal;
  const ids = new Set<string>();
  for (const m of await mappingsInto(store, target.connectionId, target.object)) {
    const field = sourceFieldFor(m, target.property);
    if (!field) continue;
    const source = make(await store.connections.get(m.source.connectionId), {
      log: o.log,
      signal,
      limiters: limitersFor(store),
    });
    try {
      if (!source.lookup) continue;
      for (const hit of await source.lookup(m.source.object, field, [target.value])) {
        const key = String(hit.properties[m.source.key] ?? hit.id);
        for (const l of await store.syncLinks.forSourceRecord(m.source.connectionId, m.source.object, key))
          if (
            l.targetConnectionId === target.connectionId &&
            l.targetObject === target.object &&
            l.externalId
          )
            ids.add(l.externalId);
      }
    } finally {
      await source.close?.();
    }
  }
  return [...ids];
}
