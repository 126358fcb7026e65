import { prepareExpression } from '../core/expression/index.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { Store } from '../store/store.ts';
import { expressionPaths } from './assignments.ts';

/**
 * The source fields a mapping reads (`from` paths, template placeholders, association fields, key and
 * modified field), for systems that return only default fields unless asked (HubSpot).
 */
export function sourceFields(mapping: MappingDefinition): string[] {
  const out = new Set<string>([mapping.source.key]);
  if (mapping.source.modifiedField) out.add(mapping.source.modifiedField);
  for (const f of mapping.fields) {
    if (f.from) out.add(f.from.split('.')[0] as string);
    for (const m of f.template?.matchAll(/\{([^{}]+)\}/g) ?? [])
      out.add((m[1] as string).trim().split('.')[0] as string);
  }
  for (const a of mapping.associations ?? []) out.add(a.from);
  for (const p of [...sourcePaths(mapping), ...filterPaths(mapping)]) out.add(p.split('.')[0] as string);
  return [...out];
}

function addPaths(text: string | undefined, out: Set<string>): void {
  if (!text?.trim()) return;
  try {
    expressionPaths(prepareExpression(text), [], out);
  } catch {
    // An invalid expression is reported where it is compiled.
  }
}

/** The dotted source paths the mapping's filter reads. */
export function filterPaths(mapping: MappingDefinition): string[] {
  const out = new Set<string>();
  addPaths(mapping.filter, out);
  return [...out];
}

/** Every dotted source path the mapping's formulas, `from` paths and templates read (the filter aside). */
export function sourcePaths(mapping: MappingDefinition): string[] {
  const out = new Set<string>();
  const add = (text: string | undefined) => addPaths(text, out);
  for (const f of mapping.fields) {
    if (f.from) out.add(f.from);
    add(f.formula);
    for (const m of f.template?.matchAll(/\{([^{}]+)\}/g) ?? []) out.add((m[1] as string).trim());
  }
  return [...out];
}

/** Persists a connection's renewed secret (OAuth tokens) for connectors, which never touch the store. */
export function secretSaver(
  store: Store,
): (connectionId: string, secret: Record<string, unknown>) => Promise<void> {
  return async (connectionId, secret) => {
    const connection = await store.connections.get(connectionId);
    await store.connections.save({ ...connection, secret });
  };
}
