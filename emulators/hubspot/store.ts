/**
 * In-memory CRM records, one store per object type, with an index per unique property so that
 * upserts and `idProperty` look-ups stay fast with tens of thousands of records.
 */
import { AssociationTypes } from './association-types.ts';
import { AssociationStore } from './associations.ts';
import { OBJECT_TYPES, type ObjectTypeDef } from './object-types.ts';
import { PipelineStore } from './pipelines.ts';
import { PropertyRegistry } from './property-registry.ts';
import { normaliseUnique } from './validate-properties.ts';
import type { ObjectChange } from './webhooks.ts';

/** One record as the emulator keeps it; property values are always strings, as in HubSpot. */
export interface StoredObject {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** The records of one object type. Ids increase, so insertion order is id order. */
export class ObjectStore {
  private readonly records = new Map<string, StoredObject>();
  // property name -> normalised value -> id; active records only, built on first use.
  private readonly unique = new Map<string, Map<string, string>>();

  constructor(
    readonly def: ObjectTypeDef,
    private readonly registry: PropertyRegistry,
    private readonly nextId: () => string,
    /** Hears every change (webhook delivery, association clean-up). */
    private readonly emit: (change: ObjectChange) => void = () => {},
  ) {}

  /** A record by id, archived or not. */
  get(id: string): StoredObject | undefined {
    return this.records.get(id);
  }

  /** An active record by id or by the value of a unique property (`idProperty`). */
  find(id: string, idProperty?: string): StoredObject | undefined {
    if (idProperty === undefined || idProperty === 'hs_object_id') {
      const found = this.records.get(id);
      return found && !found.archived ? found : undefined;
    }
    // Only unique properties have a maintained index; routes reject the others before calling.
    if (!this.registry.get(this.def.name, idProperty)?.hasUniqueValue) return undefined;
    const foundId = this.index(idProperty).get(normaliseUnique(idProperty, id));
    return foundId === undefined ? undefined : this.records.get(foundId);
  }

  /** The first unique property whose new value another active record already holds. */
  conflict(
    values: Record<string, string | null>,
    exceptId?: string,
  ): { name: string; existingId: string } | undefined {
    for (const name of this.registry.uniqueNames(this.def.name)) {
      const value = values[name];
      if (value === undefined || value === null) continue;
      const existingId = this.index(name).get(normaliseUnique(name, value));
      if (existingId !== undefined && existingId !== exceptId) return { name, existingId };
    }
    return undefined;
  }

  /** Stores a new record; the caller has validated the values and checked conflicts. */
  create(values: Record<string, string | null>): StoredObject {
    const id = this.nextId();
    const at = new Date().toISOString();
    const record: StoredObject = { id, properties: {}, createdAt: at, updatedAt: at, archived: false };
    this.records.set(id, record);
    this.apply(record, values, at);
    this.setSystem(record, 'hs_object_id', id);
    this.setSystem(record, 'createdate', at);
    this.emit({ objectType: this.def.name, objectId: id, kind: 'creation' });
    return record;
  }

  /** Applies new values to a record and bumps its modification dates. */
  update(record: StoredObject, values: Record<string, string | null>): StoredObject {
    const changed = Object.entries(values).filter(([name, v]) => (record.properties[name] ?? null) !== v);
    this.apply(record, values, new Date().toISOString());
    for (const [propertyName, v] of changed) {
      this.emit({
        objectType: this.def.name,
        objectId: record.id,
        kind: 'propertyChange',
        propertyName,
        propertyValue: v ?? '',
      });
    }
    return record;
  }

  /** Archives an active record (HubSpot's delete); false when there was none. */
  archive(id: string): boolean {
    const record = this.records.get(id);
    if (!record || record.archived) return false;
    this.unindex(record);
    record.archived = true;
    record.archivedAt = new Date().toISOString();
    this.emit({ objectType: this.def.name, objectId: id, kind: 'deletion' });
    return true;
  }

  /** Removes a record for good (GDPR delete); false when there was none. HubSpot sends both events. */
  purge(id: string): boolean {
    const record = this.records.get(id);
    if (!record) return false;
    if (!record.archived) this.unindex(record);
    this.records.delete(id);
    this.emit({ objectType: this.def.name, objectId: id, kind: 'privacyDeletion' });
    this.emit({ objectType: this.def.name, objectId: id, kind: 'deletion' });
    return true;
  }

  /** All records in id order; archived ones only when asked for. */
  list(archived = false): StoredObject[] {
    return [...this.records.values()].filter((r) => r.archived === archived);
  }

  /** Drops every record. */
  clear(): void {
    this.records.clear();
    this.unique.clear();
  }

  private apply(record: StoredObject, values: Record<string, string | null>, at: string): void {
    for (const [name, value] of Object.entries(values)) {
      const index = this.registry.get(this.def.name, name)?.hasUniqueValue ? this.index(name) : undefined;
      const old = record.properties[name];
      if (index && old !== undefined) index.delete(normaliseUnique(name, old));
      if (value === null) {
        delete record.properties[name];
      } else {
        record.properties[name] = value;
        if (index && !record.archived) index.set(normaliseUnique(name, value), record.id);
      }
    }
    record.updatedAt = at;
    this.setSystem(record, 'lastmodifieddate', at);
    this.setSystem(record, 'hs_lastmodifieddate', at);
  }

  private setSystem(record: StoredObject, name: string, value: string): void {
    if (this.registry.get(this.def.name, name)) record.properties[name] = value;
  }

  private index(name: string): Map<string, string> {
    let index = this.unique.get(name);
    if (!index) {
      index = new Map();
      for (const r of this.records.values()) {
        const v = r.properties[name];
        if (!r.archived && v !== undefined) index.set(normaliseUnique(name, v), r.id);
      }
      this.unique.set(name, index);
    }
    return index;
  }

  private unindex(record: StoredObject): void {
    for (const [name, index] of this.unique) {
      const v = record.properties[name];
      if (v !== undefined && index.get(normaliseUnique(name, v)) === record.id)
        index.delete(normaliseUnique(name, v));
    }
  }
}

/** Everything the emulator holds: property definitions and the records of every object type. */
export class EmulatorState {
  /** Property definitions per object type. */
  readonly registry = new PropertyRegistry();
  /** Associations between records (v4). */
  readonly associations = new AssociationStore();
  /** Association types: HubSpot's and the labels created through the v4 labels API. */
  readonly associationTypes = new AssociationTypes();
  /** Deal pipelines and stages, starting with HubSpot's default sales pipeline. */
  readonly pipelines = new PipelineStore();
  private readonly stores = new Map<string, ObjectStore>();
  private readonly listeners = new Set<(change: ObjectChange) => void>();
  private lastId = 0;

  constructor() {
    const nextId = () => String(++this.lastId);
    const emit = (change: ObjectChange) => {
      if (change.kind === 'deletion' || change.kind === 'privacyDeletion')
        this.associations.forget(change.objectType, change.objectId);
      for (const l of this.listeners) l(change);
    };
    for (const def of Object.values(OBJECT_TYPES)) {
      this.stores.set(def.name, new ObjectStore(def, this.registry, nextId, emit));
    }
  }

  /** Calls `listener` on every record change; returns the function that stops it. */
  onChange(listener: (change: ObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The store of an object type (plural name). */
  store(type: string): ObjectStore {
    const store = this.stores.get(type);
    if (!store) throw new Error(`unknown object type ${type}`);
    return store;
  }

  /** Copies of the records of a type, for tests to inspect; active ones unless `archived` is true. */
  all(type: string, archived = false): StoredObject[] {
    return this.store(type)
      .list(archived)
      .map((r) => ({ ...r, properties: { ...r.properties } }));
  }

  /**
   * Adds a record without going through HTTP (test fixtures, demo data). Values are stored as given;
   * unique properties are indexed as for any write.
   * @example state.insert('contacts', { email: 'ada@example.com', firstname: 'Ada' })
   */
  insert(type: string, properties: Record<string, string>): StoredObject {
    return this.store(type).create(properties);
  }

  /** Forgets every record, custom property, label and pipeline; ids start again at 1. */
  reset(): void {
    for (const store of this.stores.values()) store.clear();
    this.associations.clear();
    this.associationTypes.reset();
    this.pipelines.reset();
    this.registry.reset();
    this.lastId = 0;
  }
}
