/**
 * What expressions are checked and compiled against: the objects of a source system with their fields
 * and relations, as a connector's `describe()` reports them.
 */

/** Field types as connectors describe them. */
export type FieldType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'enum' | 'json';

/**
 * A relation of one object to another, named for use in paths: `current_address.city.zip` walks the
 * to-one relations `current_address` and `city`; `count(contracts where …)` counts a to-many relation.
 * @example { name: 'contracts', object: 'contracts', kind: 'many', from: 'id', to: 'address_id' }
 */
export interface RelationDescription {
  name: string;
  /** The related object (table). */
  object: string;
  /** `one`: at most one related record (a foreign key here); `many`: any number (a foreign key there). */
  kind: 'one' | 'many';
  /** The column of this object the relation joins on. */
  from: string;
  /** The column of the related object it joins to. */
  to: string;
}

/** One object as expressions see it. */
export interface SchemaObject {
  name: string;
  fields: ReadonlyArray<{ name: string; type: FieldType }>;
  relations?: readonly RelationDescription[] | undefined;
}

/** Looks objects up by name. */
export interface SourceSchema {
  object(name: string): SchemaObject | undefined;
}

/** A SourceSchema over a describe() result. */
export function schemaOf(objects: readonly SchemaObject[]): SourceSchema {
  const byName = new Map(objects.map((o) => [o.name, o]));
  return { object: (name) => byName.get(name) };
}

/** The relation `name` of `object`, if it has one. */
export function relationOf(object: SchemaObject | undefined, name: string): RelationDescription | undefined {
  return object?.relations?.find((r) => r.name === name);
}
