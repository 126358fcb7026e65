/**
 * The CRM entities the emulator serves, with the property names, types and lengths of the Abacus entity
 * API as far as they are public (the `ch.abacus.adre` CSDL of Abacus' entity-api-guide and the 2024
 * answers quoted by integrators): `Subjects`, `Addresses`, `Communications`. Where the documents say
 * nothing (which properties are required, the enum members of `Category`) the choices are ours.
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from './errors.ts';

/** Edm types the emulator distinguishes. */
export type PropType = 'int' | 'string' | 'guid' | 'date' | 'datetime' | 'boolean' | 'enum' | 'complex';

/** One structural property of an entity or complex type. */
export interface PropDef {
  type: PropType;
  maxLength?: number;
  /** Must be present on create. */
  required?: boolean;
  /** Set by the server; a client may not write it. */
  readOnly?: boolean;
  nullable?: boolean;
  members?: readonly string[];
  /** Value on create when the client sends none. */
  default?: () => unknown;
  props?: Record<string, PropDef>;
}

/** Names of the entity sets. */
export const ENTITY_SETS = ['Subjects', 'Addresses', 'Communications'] as const;
export type EntitySetName = (typeof ENTITY_SETS)[number];

/** An entity set: its key, properties and navigation properties (all children by `SubjectId`). */
export interface EntityDef {
  set: EntitySetName;
  typeName: string;
  keyType: 'int' | 'guid';
  props: Record<string, PropDef>;
  navigation: Partial<Record<string, EntitySetName>>;
}

const str = (maxLength: number, extra: Partial<PropDef> = {}): PropDef => ({
  type: 'string',
  maxLength,
  default: () => '',
  ...extra,
});
const today = () => new Date().toISOString().slice(0, 10);

/** Abacus configures which user fields a mandant has; the emulator offers five text fields. */
export const USER_FIELD_COUNT = 5;
const userFields: Record<string, PropDef> = Object.fromEntries(
  Array.from({ length: USER_FIELD_COUNT }, (_, i) => [`UserField${i + 1}`, str(100)]),
);

/** A person or organisation (`ch.abacus.adre.Subject`). */
export const SUBJECT: EntityDef = {
  set: 'Subjects',
  typeName: 'ch.abacus.adre.Subject',
  keyType: 'int',
  props: {
    // Abacus assigns the Id from the mandant's number range; a client may propose one on create.
    Id: { type: 'int' },
    Name: str(100, { required: true }),
    FirstName: str(50),
    Title: str(50),
    NameSupplement: str(50),
    Language: str(6, { default: () => 'de' }),
    SalutationId: { type: 'int', default: () => 0 },
    Status: { type: 'enum', members: ['Active', 'Inactive'], default: () => 'Active' },
    Type: { type: 'enum', members: ['Person', 'Organisation'], default: () => 'Person' },
    Remark: str(80),
    Source: str(100),
    DateOfBirth: { type: 'date', nullable: true, default: () => null },
    Key: { type: 'guid', readOnly: true, default: () => randomUUID() },
    UserFields: { type: 'complex', props: userFields, default: () => ({}) },
    ChangeInformation: {
      type: 'complex',
      readOnly: true,
      props: {
        CreatedBy: { type: 'guid' },
        CreatedOn: { type: 'datetime' },
        ChangedBy: { type: 'guid' },
        ChangedOn: { type: 'datetime' },
      },
    },
  },
  navigation: { Addresses: 'Addresses', Communications: 'Communications' },
};

/** One entry of a subject's address history. */
export const ADDRESS: EntityDef = {
  set: 'Addresses',
  typeName: 'ch.abacus.adre.Address',
  keyType: 'guid',
  props: {
    Id: { type: 'guid', readOnly: true },
    SubjectId: { type: 'int', required: true },
    // An address change is a new row with a later ValidFrom; the history stays.
    ValidFrom: { type: 'date', default: today },
    Street: str(50),
    HouseNumber: str(9),
    PostCode: str(15),
    City: str(50),
    CountryId: str(4, { default: () => 'CH' }),
    State: str(50),
    AddressSupplement: str(60),
    PostOfficeBoxText: str(20),
  },
  navigation: {},
};

/** An e-mail address, phone number or web address of a subject. */
export const COMMUNICATION: EntityDef = {
  set: 'Communications',
  typeName: 'ch.abacus.adre.Communication',
  keyType: 'guid',
  props: {
    Id: { type: 'guid', readOnly: true },
    SubjectId: { type: 'int', required: true },
    Type: { type: 'enum', required: true, members: ['EMail', 'Phone', 'Phone2', 'Fax', 'Mobile', 'WWW'] },
    Value: str(65, { required: true }),
    Category: {
      type: 'enum',
      members: ['Standard', 'Business', 'Private', 'Others'],
      default: () => 'Private',
    },
    Standard: { type: 'boolean', default: () => true },
    Note: str(100),
    LinkId: { type: 'guid', nullable: true, default: () => null },
  },
  navigation: {},
};

/** Every entity set by name. */
export const ENTITIES: Record<EntitySetName, EntityDef> = {
  Subjects: SUBJECT,
  Addresses: ADDRESS,
  Communications: COMMUNICATION,
};

/** An entity as stored: plain JSON values. */
export type EntityRecord = Record<string, unknown>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Edm type name of a property, for error messages. */
export function edmName(p: PropDef): string {
  return {
    int: 'Edm.Int64',
    string: 'Edm.String',
    guid: 'Edm.Guid',
    date: 'Edm.Date',
    datetime: 'Edm.DateTimeOffset',
    boolean: 'Edm.Boolean',
    enum: 'Edm.Enum',
    complex: 'Complex',
  }[p.type];
}

function checkValue(p: PropDef, value: unknown, path: string): unknown {
  if (value === null) {
    if (p.nullable) return null;
    throw badRequest(`The property '${path}' cannot be null.`, path);
  }
  const wrong = () =>
    badRequest(`Cannot convert the value of property '${path}' to the expected type '${edmName(p)}'.`, path);
  switch (p.type) {
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong();
      return value;
    case 'string':
      if (typeof value !== 'string') throw wrong();
      if (p.maxLength !== undefined && value.length > p.maxLength) {
        throw badRequest(
          `The value of property '${path}' is longer than the maximum length of ${p.maxLength}.`,
          path,
        );
      }
      return value;
    case 'enum':
      if (typeof value !== 'string' || !p.members?.includes(value)) {
        throw badRequest(
          `The value '${String(value)}' is not a member of the enum of property '${path}' (${p.members?.join(', ')}).`,
          path,
        );
      }
      return value;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) throw wrong();
      return value;
    case 'datetime':
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw wrong();
      return value;
    case 'guid':
      if (typeof value !== 'string' || !GUID.test(value)) throw wrong();
      return value.toLowerCase();
    case 'complex': {
      if (typeof value !== 'object' || Array.isArray(value)) throw wrong();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const sub = p.props?.[k];
        if (!sub) throw badRequest(`The property '${k}' does not exist on '${path}'.`, `${path}/${k}`);
        out[k] = checkValue(sub, v, `${path}/${k}`);
      }
      return out;
    }
  }
}

function complexDefaults(p: PropDef, given: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, sub] of Object.entries(p.props ?? {})) out[k] = given[k] ?? sub.default?.() ?? null;
  return out;
}

/**
 * Checks a POST or PATCH body against the entity's properties: unknown, read-only and mistyped
 * properties, lengths, enum members, and (on create) required ones. Answers the values to store.
 */
export function validateBody(def: EntityDef, body: unknown, mode: 'create' | 'patch'): EntityRecord {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  const out: EntityRecord = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name.startsWith('@odata.')) continue;
    const p = def.props[name];
    if (!p) {
      const hint = def.navigation[name] ? ` Create ${def.navigation[name]} with their own POST.` : '';
      throw badRequest(`The property '${name}' does not exist on type '${def.typeName}'.${hint}`, name);
    }
    if (name === 'Id' && mode === 'patch') throw badRequest(`The key property 'Id' cannot be changed.`, name);
    // Integer keys may be proposed on create (integrators do); server-made GUID keys may not.
    const proposableId = name === 'Id' && def.keyType === 'int' && mode === 'create';
    if (p.readOnly || (name === 'Id' && !proposableId))
      throw badRequest(`The property '${name}' is read-only.`, name);
    out[name] = checkValue(p, value, name);
  }
  if (mode === 'create') {
    for (const [name, p] of Object.entries(def.props)) {
      if (p.required && (out[name] === undefined || out[name] === '')) {
        throw badRequest(`The property '${name}' is required.`, name);
      }
    }
  }
  return out;
}

/** A new entity: the validated values over the defaults of every property. */
export function withDefaults(def: EntityDef, values: EntityRecord): EntityRecord {
  const out: EntityRecord = {};
  for (const [name, p] of Object.entries(def.props)) {
    if (p.type === 'complex')
      out[name] = complexDefaults(p, values[name] as Record<string, unknown> | undefined);
    else out[name] = values[name] !== undefined ? values[name] : (p.default?.() ?? null);
  }
  return out;
}

/** PATCH semantics: top-level properties replace, complex properties merge (OData 4.01 §11.4.3). */
export function applyPatch(current: EntityRecord, values: EntityRecord): EntityRecord {
  const out = { ...current };
  for (const [k, v] of Object.entries(values)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && cur && typeof cur === 'object'
        ? { ...(cur as object), ...(v as object) }
        : v;
  }
  return out;
}
