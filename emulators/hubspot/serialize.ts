/** Turns stored records into the JSON objects HubSpot answers with (`SimplePublicObject`). */

import type { ObjectTypeDef } from './object-types.ts';
import type { PropertyRegistry } from './property-registry.ts';
import type { StoredObject } from './store.ts';

/** A record as HubSpot returns it. */
export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  objectWriteTraceId?: string;
  new?: boolean;
}

/**
 * The record with the properties a read asked for: the type's defaults when none were named, plus
 * the ones HubSpot always adds. Named properties without a value come back as null; names the type
 * does not know are left out, as HubSpot does.
 */
export function toReadObject(
  record: StoredObject,
  def: ObjectTypeDef,
  registry: PropertyRegistry,
  requested?: readonly string[],
): PublicObject {
  const names = new Set([
    ...(requested && requested.length > 0 ? requested : def.defaultProperties),
    ...def.alwaysProperties,
  ]);
  const properties: Record<string, string | null> = {};
  for (const name of [...names].sort()) {
    if (registry.get(def.name, name)) properties[name] = record.properties[name] ?? null;
  }
  return envelope(record, properties);
}

/** The record as a write answers with it: every property that holds a value. */
export function toWriteObject(record: StoredObject): PublicObject {
  return envelope(record, { ...record.properties });
}

function envelope(record: StoredObject, properties: Record<string, string | null>): PublicObject {
  const out: PublicObject = {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
  };
  if (record.archivedAt) out.archivedAt = record.archivedAt;
  return out;
}

/** Reads `properties` from a query string: repeated parameters and/or comma-separated lists. */
export function parseNameList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const names = parts.map((p) => p.trim()).filter((p) => p.length > 0);
  return names.length > 0 ? names : undefined;
}
