/**
 * The property definitions of every object type: HubSpot's defaults plus custom properties created
 * through `POST /crm/v3/properties/{objectType}`. Shapes follow `Property` in crm-properties-v3.json.
 */
import { DEFAULT_PROPERTIES, type PropertySeed, type PropertyType } from './default-properties.ts';
import { HubSpotHttpError, notFound, validationError } from './errors.ts';
import { OBJECT_TYPES } from './object-types.ts';

/** A property definition as the properties API returns it. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  description: string;
  groupName: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  displayOrder: number;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  hidden: boolean;
  hubspotDefined: boolean;
  formField: boolean;
  archived: boolean;
  createdAt: string;
  updatedAt: string;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
}

/** Body of a property creation request (`PropertyCreate`), as far as the emulator uses it. */
export interface PropertyCreateInput {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description?: string;
  hasUniqueValue?: boolean;
  hidden?: boolean;
  formField?: boolean;
  displayOrder?: number;
  options?: { label: string; value: string; displayOrder?: number; hidden?: boolean }[];
}

/** A property group as the properties API returns it (`PropertyGroup`). */
export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

// HubSpot's labels of the default groups the emulated types use.
const DEFAULT_GROUP_LABELS: Record<string, string> = {
  contactinformation: 'Contact information',
  companyinformation: 'Company information',
  dealinformation: 'Deal information',
};

/** Body of a property update (`PropertyUpdate`), as far as the emulator uses it. */
export type PropertyUpdateInput = Partial<Omit<PropertyCreateInput, 'name' | 'hasUniqueValue'>>;

const PROPERTY_TYPES: readonly PropertyType[] = [
  'string',
  'number',
  'date',
  'datetime',
  'enumeration',
  'bool',
  'phone_number',
];
const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

function fromSeed(seed: PropertySeed, hubspotDefined: boolean, at: string): PropertyDefinition {
  const readOnly = seed.readOnly === true;
  return {
    name: seed.name,
    label: seed.label,
    type: seed.type,
    fieldType: seed.fieldType,
    description: '',
    groupName: seed.groupName,
    options: (seed.options ?? []).map((value, i) => ({
      label: value,
      value,
      displayOrder: i,
      hidden: false,
    })),
    displayOrder: -1,
    calculated: false,
    externalOptions: false,
    hasUniqueValue: seed.hasUniqueValue === true,
    hidden: false,
    hubspotDefined,
    formField: !readOnly,
    archived: false,
    createdAt: at,
    updatedAt: at,
    modificationMetadata: {
      archivable: !hubspotDefined,
      readOnlyDefinition: hubspotDefined,
      readOnlyValue: readOnly,
    },
  };
}

/** Property definitions of every object type, defaults first, custom ones after. */
export class PropertyRegistry {
  private readonly byType = new Map<string, Map<string, PropertyDefinition>>();
  private readonly archivedByType = new Map<string, PropertyDefinition[]>();
  private readonly groupsByType = new Map<string, Map<string, PropertyGroup & { hubspotDefined: boolean }>>();

  constructor() {
    this.reset();
  }

  /** Drops custom properties and restores HubSpot's defaults. */
  reset(): void {
    this.byType.clear();
    this.archivedByType.clear();
    this.groupsByType.clear();
    const at = new Date(0).toISOString();
    for (const type of Object.keys(OBJECT_TYPES)) {
      const seeds = DEFAULT_PROPERTIES[type] ?? [];
      this.byType.set(type, new Map(seeds.map((s) => [s.name, fromSeed(s, true, at)])));
      const names = [...new Set(seeds.map((s) => s.groupName))];
      this.groupsByType.set(
        type,
        new Map(
          names.map((name, displayOrder) => [
            name,
            {
              name,
              label: DEFAULT_GROUP_LABELS[name] ?? name,
              displayOrder,
              archived: false,
              hubspotDefined: true,
            },
          ]),
        ),
      );
    }
  }

  /** All definitions of an object type, in registration order. */
  list(type: string): PropertyDefinition[] {
    return [...this.props(type).values()];
  }

  /** One definition, or undefined when the type has no such property. */
  get(type: string, name: string): PropertyDefinition | undefined {
    return this.props(type).get(name);
  }

  /** Names of the properties whose values must be unique (e.g. contact `email`). */
  uniqueNames(type: string): string[] {
    return this.list(type)
      .filter((p) => p.hasUniqueValue)
      .map((p) => p.name);
  }

  /** Creates a custom property; 409 CONFLICT when the name is taken, 400 when the input is invalid. */
  create(type: string, input: PropertyCreateInput): PropertyDefinition {
    const props = this.props(type);
    if (!NAME_PATTERN.test(input.name)) {
      throw validationError(
        `Property name '${input.name}' is invalid: use lower-case letters, digits and underscores.`,
      );
    }
    if (!PROPERTY_TYPES.includes(input.type as PropertyType)) {
      throw validationError(`Property type '${input.type}' is not one of ${PROPERTY_TYPES.join(', ')}.`);
    }
    if (props.has(input.name)) {
      throw new HubSpotHttpError(
        409,
        'OBJECT_ALREADY_EXISTS',
        `Property named '${input.name}' already exists.`,
      );
    }
    const at = new Date().toISOString();
    const def = fromSeed(
      {
        name: input.name,
        label: input.label,
        type: input.type as PropertyType,
        fieldType: input.fieldType,
        groupName: input.groupName,
        hasUniqueValue: input.hasUniqueValue === true,
      },
      false,
      at,
    );
    def.description = input.description ?? '';
    def.hidden = input.hidden === true;
    def.formField = input.formField === true;
    def.displayOrder = input.displayOrder ?? -1;
    def.options = (input.options ?? []).map((o, i) => ({
      label: o.label,
      value: o.value,
      displayOrder: o.displayOrder ?? i,
      hidden: o.hidden === true,
    }));
    props.set(def.name, def);
    return def;
  }

  /** Changes a custom property's definition; HubSpot's own definitions are read-only (400). */
  update(type: string, name: string, input: PropertyUpdateInput): PropertyDefinition {
    const def = this.custom(type, name, 'changed');
    if (input.type !== undefined && !PROPERTY_TYPES.includes(input.type as PropertyType)) {
      throw validationError(`Property type '${input.type}' is not one of ${PROPERTY_TYPES.join(', ')}.`);
    }
    if (input.type !== undefined) def.type = input.type as PropertyType;
    for (const key of ['label', 'fieldType', 'groupName', 'description'] as const) {
      const v = input[key];
      if (v !== undefined) def[key] = v;
    }
    if (input.hidden !== undefined) def.hidden = input.hidden;
    if (input.formField !== undefined) def.formField = input.formField;
    if (input.displayOrder !== undefined) def.displayOrder = input.displayOrder;
    if (input.options !== undefined) {
      def.options = input.options.map((o, i) => ({
        label: o.label,
        value: o.value,
        displayOrder: o.displayOrder ?? i,
        hidden: o.hidden === true,
      }));
    }
    def.updatedAt = new Date().toISOString();
    return def;
  }

  /** Archives a custom property: it leaves the list and frees its name; HubSpot's own cannot be (400). */
  archive(type: string, name: string): void {
    const def = this.custom(type, name, 'archived');
    this.props(type).delete(name);
    const archived = this.archivedByType.get(type) ?? [];
    archived.push({ ...def, archived: true, updatedAt: new Date().toISOString() });
    this.archivedByType.set(type, archived);
  }

  /** Archived custom properties of a type (`?archived=true`). */
  archivedList(type: string): PropertyDefinition[] {
    this.props(type);
    return [...(this.archivedByType.get(type) ?? [])];
  }

  /** The property groups of a type, in display order. */
  groups(type: string): PropertyGroup[] {
    this.props(type);
    return [...(this.groupsByType.get(type)?.values() ?? [])]
      .sort((a, b) => a.displayOrder - b.displayOrder)
      .map(({ hubspotDefined: _, ...g }) => g);
  }

  /** One group; 404 when the type has none of that name. */
  group(type: string, name: string): PropertyGroup {
    const found = this.groups(type).find((g) => g.name === name);
    if (!found) throw notFound(`Unable to find property group ${name} for object type ${type}`, name);
    return found;
  }

  /** Creates a group; 409 when the name is taken. */
  createGroup(
    type: string,
    input: { name: string; label: string; displayOrder?: number | undefined },
  ): PropertyGroup {
    this.props(type);
    const groups = this.groupsByType.get(type) ?? new Map();
    if (groups.has(input.name))
      throw new HubSpotHttpError(
        409,
        'OBJECT_ALREADY_EXISTS',
        `Property group named '${input.name}' already exists.`,
      );
    if (!NAME_PATTERN.test(input.name))
      throw validationError(
        `Property group name '${input.name}' is invalid: use lower-case letters, digits and underscores.`,
      );
    groups.set(input.name, {
      ...input,
      displayOrder: input.displayOrder ?? -1,
      archived: false,
      hubspotDefined: false,
    });
    this.groupsByType.set(type, groups);
    return this.group(type, input.name);
  }

  /** Changes a group's label or order. */
  updateGroup(
    type: string,
    name: string,
    input: { label?: string | undefined; displayOrder?: number | undefined },
  ) {
    this.group(type, name);
    const g = this.groupsByType.get(type)?.get(name);
    if (g && input.label !== undefined) g.label = input.label;
    if (g && input.displayOrder !== undefined) g.displayOrder = input.displayOrder;
    return this.group(type, name);
  }

  /** Archives a custom group that no property uses; HubSpot's own groups stay (400). */
  archiveGroup(type: string, name: string): void {
    this.group(type, name);
    const g = this.groupsByType.get(type)?.get(name);
    if (g?.hubspotDefined)
      throw validationError(`${name} is a HubSpot-defined property group and cannot be archived.`);
    const used = this.list(type).filter((p) => p.groupName === name);
    if (used.length > 0)
      throw validationError(
        `Property group ${name} still holds properties: ${used.map((p) => p.name).join(', ')}.`,
      );
    this.groupsByType.get(type)?.delete(name);
  }

  private custom(type: string, name: string, what: string): PropertyDefinition {
    const def = this.props(type).get(name);
    if (!def) throw notFound(`Unable to find property ${name} for object type ${type}`, name);
    if (def.hubspotDefined)
      throw validationError(`${name} is a HubSpot-defined property and cannot be ${what}.`);
    return def;
  }

  private props(type: string): Map<string, PropertyDefinition> {
    const props = this.byType.get(type);
    if (!props) throw validationError(`Unable to infer object type from: ${type}`);
    return props;
  }
}
