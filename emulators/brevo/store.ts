/**
 * In-memory Brevo account: contacts (with e-mail and EXT_ID indexes), attribute definitions, lists and folders.
 * Ids are numeric and grow with creation, as in Brevo.
 */

/** One contact as the emulator keeps it. */
export interface StoredContact {
  id: number;
  email: string | null;
  /** Brevo keeps this as the EXT_ID attribute; answers show it under `attributes.EXT_ID`. */
  extId: string | null;
  emailBlacklisted: boolean;
  smsBlacklisted: boolean;
  listIds: number[];
  attributes: Record<string, string | number | boolean>;
  createdAt: string;
  modifiedAt: string;
}

/** Brevo's attribute value types (`GET /v3/contacts/attributes`). */
export type AttributeType = 'text' | 'date' | 'float' | 'boolean' | 'id' | 'category';

/** One attribute definition. */
export interface AttributeDef {
  name: string;
  category: 'normal' | 'transactional' | 'category' | 'calculated' | 'global';
  type?: AttributeType;
  enumeration?: { value: number; label: string }[];
}

/** One folder of lists. */
export interface StoredFolder {
  id: number;
  name: string;
}

/** One contact list. */
export interface StoredList {
  id: number;
  name: string;
  folderId: number;
}

/** The attributes a fresh Brevo account has. */
export const DEFAULT_ATTRIBUTES: readonly AttributeDef[] = [
  { name: 'FIRSTNAME', category: 'normal', type: 'text' },
  { name: 'LASTNAME', category: 'normal', type: 'text' },
  { name: 'SMS', category: 'normal', type: 'text' },
];

/** The changes a create or update applies; the routes have validated them. */
export interface ContactChanges {
  email?: string;
  extId?: string;
  emailBlacklisted?: boolean;
  smsBlacklisted?: boolean;
  listIds?: number[];
  unlinkListIds?: number[];
  attributes?: Record<string, string | number | boolean | null>;
}

const lower = (email: string) => email.trim().toLowerCase();

/** Everything the emulator holds; tests use it to set up fixtures and inspect results. */
export class BrevoState {
  private readonly contacts = new Map<number, StoredContact>();
  private readonly byEmail = new Map<string, number>();
  private readonly byExtId = new Map<string, number>();
  private readonly attributeDefs = new Map<string, AttributeDef>();
  private readonly listMap = new Map<number, StoredList>();
  private readonly folderMap = new Map<number, StoredFolder>();
  private lastContactId = 0;
  private lastListId = 0;
  private lastFolderId = 0;
  // Strictly increasing modification times, so "modified since" never misses two writes in one millisecond.
  private lastStamp = 0;

  constructor() {
    this.reset();
  }

  /** A contact by id. */
  get(id: number): StoredContact | undefined {
    return this.contacts.get(id);
  }

  /** A contact by e-mail address (case-insensitive). */
  findByEmail(email: string): StoredContact | undefined {
    const id = this.byEmail.get(lower(email));
    return id === undefined ? undefined : this.contacts.get(id);
  }

  /** A contact by its EXT_ID. */
  findByExtId(extId: string): StoredContact | undefined {
    const id = this.byExtId.get(extId);
    return id === undefined ? undefined : this.contacts.get(id);
  }

  /** Contacts in creation (= id) order. */
  list(): StoredContact[] {
    return [...this.contacts.values()];
  }

  /** Deep copies of every contact, for assertions. */
  all(): StoredContact[] {
    return this.list().map((c) => ({ ...c, listIds: [...c.listIds], attributes: { ...c.attributes } }));
  }

  /** Stores a new contact; the caller has checked for duplicates. */
  create(changes: ContactChanges): StoredContact {
    const at = this.stamp();
    const contact: StoredContact = {
      id: ++this.lastContactId,
      email: null,
      extId: null,
      emailBlacklisted: false,
      smsBlacklisted: false,
      listIds: [],
      attributes: {},
      createdAt: at,
      modifiedAt: at,
    };
    this.contacts.set(contact.id, contact);
    this.apply(contact, changes, at);
    return contact;
  }

  /** Applies changes to a contact and bumps `modifiedAt`. */
  update(contact: StoredContact, changes: ContactChanges): StoredContact {
    this.apply(contact, changes, this.stamp());
    return contact;
  }

  /** Deletes a contact; false when there was none. */
  delete(id: number): boolean {
    const contact = this.contacts.get(id);
    if (!contact) return false;
    if (contact.email) this.byEmail.delete(lower(contact.email));
    if (contact.extId) this.byExtId.delete(contact.extId);
    this.contacts.delete(id);
    return true;
  }

  /**
   * Adds a contact without HTTP (fixtures, demo data).
   * @example state.insert({ email: 'ada@example.com', attributes: { FIRSTNAME: 'Ada' } })
   */
  insert(changes: ContactChanges): StoredContact {
    return this.create(changes);
  }

  /** The contact unsubscribes in Brevo (sets `emailBlacklisted`), as a click on an unsubscribe link does. */
  unsubscribe(email: string): StoredContact {
    const contact = this.findByEmail(email);
    if (!contact) throw new Error(`no Brevo contact with e-mail ${email}`);
    return this.update(contact, { emailBlacklisted: true });
  }

  /** Attribute definitions in creation order. */
  attributes(): AttributeDef[] {
    return [...this.attributeDefs.values()];
  }

  /** An attribute definition by (upper-case) name. */
  attribute(name: string): AttributeDef | undefined {
    return this.attributeDefs.get(name.toUpperCase());
  }

  /** Adds or replaces an attribute definition. */
  defineAttribute(def: AttributeDef): void {
    this.attributeDefs.set(def.name.toUpperCase(), { ...def, name: def.name.toUpperCase() });
  }

  /** Lists in id order. */
  lists(): StoredList[] {
    return [...this.listMap.values()];
  }

  /** A list by id. */
  getList(id: number): StoredList | undefined {
    return this.listMap.get(id);
  }

  /** Creates a list and returns it. */
  createList(name: string, folderId = 1): StoredList {
    const list = { id: ++this.lastListId, name, folderId };
    this.listMap.set(list.id, list);
    return list;
  }

  /** Renames a list or moves it to another folder. */
  updateList(list: StoredList, changes: { name?: string | undefined; folderId?: number | undefined }): void {
    if (changes.name !== undefined) list.name = changes.name;
    if (changes.folderId !== undefined) list.folderId = changes.folderId;
  }

  /** Deletes a list; its contacts stay, without it in their `listIds`. */
  deleteList(id: number): void {
    this.listMap.delete(id);
    for (const c of this.contacts.values()) c.listIds = c.listIds.filter((l) => l !== id);
  }

  /** Folders in id order. */
  folders(): StoredFolder[] {
    return [...this.folderMap.values()];
  }

  /** A folder by id. */
  getFolder(id: number): StoredFolder | undefined {
    return this.folderMap.get(id);
  }

  /** Creates a folder and returns it. */
  createFolder(name: string): StoredFolder {
    const folder = { id: ++this.lastFolderId, name };
    this.folderMap.set(folder.id, folder);
    return folder;
  }

  /** Deletes a folder and every list in it, as Brevo does. */
  deleteFolder(id: number): void {
    for (const list of this.lists().filter((l) => l.folderId === id)) this.deleteList(list.id);
    this.folderMap.delete(id);
  }

  /** Forgets everything; ids start again at 1 and only the default attributes remain. */
  reset(): void {
    this.contacts.clear();
    this.byEmail.clear();
    this.byExtId.clear();
    this.attributeDefs.clear();
    this.listMap.clear();
    this.folderMap.clear();
    this.lastContactId = 0;
    // A fresh account's clock is the wall clock again: stamps of a busy earlier test must not run ahead.
    this.lastStamp = 0;
    this.lastListId = 0;
    this.lastFolderId = 0;
    // A new Brevo account has one folder, which lists created without a folderId land in.
    this.createFolder('Your first folder');
    for (const def of DEFAULT_ATTRIBUTES) this.defineAttribute(def);
  }

  private stamp(): string {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return new Date(this.lastStamp).toISOString();
  }

  private apply(contact: StoredContact, changes: ContactChanges, at: string): void {
    if (changes.email !== undefined && changes.email !== contact.email) {
      if (contact.email) {
        this.byEmail.delete(lower(contact.email));
        // Brevo: changing a blocklisted contact's address removes the blocklisting.
        contact.emailBlacklisted = false;
      }
      contact.email = changes.email;
      this.byEmail.set(lower(changes.email), contact.id);
    }
    if (changes.extId !== undefined && changes.extId !== contact.extId) {
      if (contact.extId) this.byExtId.delete(contact.extId);
      contact.extId = changes.extId;
      this.byExtId.set(changes.extId, contact.id);
    }
    if (changes.emailBlacklisted !== undefined) contact.emailBlacklisted = changes.emailBlacklisted;
    if (changes.smsBlacklisted !== undefined) contact.smsBlacklisted = changes.smsBlacklisted;
    for (const id of changes.listIds ?? []) if (!contact.listIds.includes(id)) contact.listIds.push(id);
    if (changes.unlinkListIds)
      contact.listIds = contact.listIds.filter((id) => !changes.unlinkListIds?.includes(id));
    for (const [name, value] of Object.entries(changes.attributes ?? {})) {
      if (value === null || value === '') delete contact.attributes[name];
      else contact.attributes[name] = value;
    }
    contact.modifiedAt = at;
  }
}
