/**
 * In-memory data of every mandant (tenant) of one Abacus installation. Mandants share nothing: each has
 * its own subjects, addresses, communications and its own subject number range, so the same person
 * synced into two mandants gets two different Ids.
 */
import { randomUUID } from 'node:crypto';
import { ENTITIES, type EntityRecord, type EntitySetName } from './entities.ts';
import { badRequest, conflict, notFound } from './errors.ts';

/** Options of one mandant. */
export interface MandantOptions {
  /** First Id of the subject number range (Abacus ranges are configured per mandant). Default 1. */
  firstSubjectId?: number;
}

// The emulator does not model users; every change is made by this service user.
const SERVICE_USER = '00000000-0000-4000-8000-00000000abac';

/** The entities of one mandant. */
export class MandantData {
  private readonly sets: Record<EntitySetName, Map<string, EntityRecord>> = {
    Subjects: new Map(),
    Addresses: new Map(),
    Communications: new Map(),
  };
  private nextSubjectId: number;

  constructor(
    readonly mandant: string,
    private readonly options: MandantOptions = {},
  ) {
    this.nextSubjectId = options.firstSubjectId ?? 1;
  }

  /** Every entity of a set, ordered by key. */
  all(set: EntitySetName): EntityRecord[] {
    const rows = [...this.sets[set].values()];
    return ENTITIES[set].keyType === 'int' ? rows.sort((a, b) => (a.Id as number) - (b.Id as number)) : rows;
  }

  /** One entity by key (the key as it appears in the URL). */
  get(set: EntitySetName, key: string): EntityRecord | undefined {
    return this.sets[set].get(normaliseKey(set, key));
  }

  /** The children of a subject in a child set (Addresses, Communications). */
  childrenOf(set: EntitySetName, subjectId: number): EntityRecord[] {
    return this.all(set).filter((r) => r.SubjectId === subjectId);
  }

  /** Stores a new entity (already validated and completed with defaults); answers it. */
  insert(set: EntitySetName, record: EntityRecord): EntityRecord {
    const now = new Date().toISOString();
    const row = { ...record };
    if (set === 'Subjects') {
      if (typeof row.Id === 'number') {
        if (this.sets.Subjects.has(String(row.Id))) {
          throw conflict(`A subject with Id ${row.Id} already exists.`, 'Id');
        }
      } else {
        while (this.sets.Subjects.has(String(this.nextSubjectId))) this.nextSubjectId++;
        row.Id = this.nextSubjectId++;
      }
      row.ChangeInformation = {
        CreatedBy: SERVICE_USER,
        CreatedOn: now,
        ChangedBy: SERVICE_USER,
        ChangedOn: now,
      };
    } else {
      this.checkChild(set, row);
      row.Id = randomUUID();
    }
    this.sets[set].set(String(row.Id), row);
    return row;
  }

  /** Replaces an entity's values; touches the subject's change information. */
  replace(set: EntitySetName, key: string, record: EntityRecord): EntityRecord {
    const k = normaliseKey(set, key);
    if (!this.sets[set].has(k)) throw notFound(`No ${set} entity with key ${key}.`);
    const row = { ...record };
    if (set !== 'Subjects') this.checkChild(set, row, k);
    this.sets[set].set(k, row);
    this.touch(set === 'Subjects' ? (row.Id as number) : (row.SubjectId as number));
    return row;
  }

  /** Deletes an entity; a subject takes its addresses and communications with it. */
  delete(set: EntitySetName, key: string): void {
    const k = normaliseKey(set, key);
    const row = this.sets[set].get(k);
    if (!row) throw notFound(`No ${set} entity with key ${key}.`);
    this.sets[set].delete(k);
    if (set === 'Subjects') {
      for (const child of ['Addresses', 'Communications'] as const) {
        for (const c of this.childrenOf(child, row.Id as number)) this.sets[child].delete(String(c.Id));
      }
    } else this.touch(row.SubjectId as number);
  }

  /** Forgets everything and restarts the number range. */
  reset(): void {
    for (const set of Object.values(this.sets)) set.clear();
    this.nextSubjectId = this.options.firstSubjectId ?? 1;
  }

  private checkChild(set: EntitySetName, row: EntityRecord, exceptKey?: string): void {
    if (!this.sets.Subjects.has(String(row.SubjectId))) {
      throw badRequest(
        `The subject ${String(row.SubjectId)} referenced by SubjectId does not exist.`,
        'SubjectId',
      );
    }
    // Assumption: the address history is keyed by date, so one subject has one address per ValidFrom.
    const clash = this.childrenOf(set, row.SubjectId as number).some(
      (a) => a.ValidFrom === row.ValidFrom && a.Id !== exceptKey,
    );
    if (set === 'Addresses' && clash) {
      throw conflict(
        `Subject ${String(row.SubjectId)} already has an address valid from ${String(row.ValidFrom)}.`,
        'ValidFrom',
      );
    }
  }

  // A change to an address or communication is a change of the subject (incremental reads rely on it).
  private touch(subjectId: number): void {
    const s = this.sets.Subjects.get(String(subjectId));
    if (!s) return;
    const info = (s.ChangeInformation ?? {}) as Record<string, unknown>;
    s.ChangeInformation = { ...info, ChangedBy: SERVICE_USER, ChangedOn: new Date().toISOString() };
  }
}

function normaliseKey(set: EntitySetName, key: string): string {
  return ENTITIES[set].keyType === 'guid' ? key.toLowerCase() : String(Number(key));
}

/** All mandants of the emulated installation. */
export class EmulatorState {
  private readonly mandants = new Map<string, MandantData>();

  constructor(
    /** Mandants that exist; undefined: any numeric mandant exists on first use. */
    private readonly known: Record<string, MandantOptions> | undefined,
  ) {}

  /** The data of a mandant, or undefined when the installation has no such mandant. */
  mandant(id: string | number): MandantData | undefined {
    const key = String(id);
    let data = this.mandants.get(key);
    if (!data) {
      if (this.known ? !(key in this.known) : !/^\d+$/.test(key)) return undefined;
      data = new MandantData(key, this.known?.[key]);
      this.mandants.set(key, data);
    }
    return data;
  }

  /** Clears every mandant. */
  reset(): void {
    for (const m of this.mandants.values()) m.reset();
  }
}
