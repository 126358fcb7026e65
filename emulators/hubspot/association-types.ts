/**
 * Association types (v4) between the emulated object types: HubSpot's HUBSPOT_DEFINED ids as its
 * "Associations v4" guide lists them, plus the USER_DEFINED labels created through
 * `POST /crm/associations/v4/{from}/{to}/labels`. Every type has a reverse type for the other direction.
 */
import { HubSpotHttpError, notFound, validationError } from './errors.ts';
import { OBJECT_TYPES } from './object-types.ts';

/** The categories of the spec's `AssociationSpec`. */
export type AssociationCategory = 'HUBSPOT_DEFINED' | 'INTEGRATOR_DEFINED' | 'USER_DEFINED' | 'WORK';

/** One association type in one direction. */
export interface AssociationType {
  from: string;
  to: string;
  category: AssociationCategory;
  typeId: number;
  /** The label ("Primary", or a user's); unlabelled types have none. */
  label?: string;
  /** The type id of the same association seen from the other side. */
  reverseTypeId: number;
  /** Whether this is the unlabelled type every association of the pair has. */
  isDefault: boolean;
}

const hubspot = (
  from: string,
  to: string,
  typeId: number,
  reverseTypeId: number,
  label?: string,
): AssociationType => ({
  from,
  to,
  category: 'HUBSPOT_DEFINED',
  typeId,
  reverseTypeId,
  isDefault: label === undefined,
  ...(label === undefined ? {} : { label }),
});

/**
 * HubSpot's documented ids: contact→company 279 (unlabelled) and 1 (primary company), company→contact
 * 280 and 2; deal→contact 3, contact→deal 4; deal→company 341 and 5 (primary), company→deal 342 and 6.
 */
export const HUBSPOT_DEFINED_TYPES: readonly AssociationType[] = [
  hubspot('contacts', 'companies', 279, 280),
  hubspot('contacts', 'companies', 1, 2, 'Primary'),
  hubspot('companies', 'contacts', 280, 279),
  hubspot('companies', 'contacts', 2, 1, 'Primary'),
  hubspot('deals', 'contacts', 3, 4),
  hubspot('contacts', 'deals', 4, 3),
  hubspot('deals', 'companies', 341, 342),
  hubspot('deals', 'companies', 5, 6, 'Primary'),
  hubspot('companies', 'deals', 342, 341),
  hubspot('companies', 'deals', 6, 5, 'Primary'),
];

// USER_DEFINED ids start well above HubSpot's own, as on a real portal (where they are in the hundreds).
const FIRST_USER_TYPE_ID = 1000;

/** The object type id HubSpot uses in association answers (`0-1`, `0-2`, `0-3`). */
export function objectTypeId(name: string): string {
  return OBJECT_TYPES[name]?.aliases.find((a) => /^\d+-\d+$/.test(a)) ?? name;
}

/** The association types of a portal: HubSpot's and the labels created since the last reset. */
export class AssociationTypes {
  private custom: AssociationType[] = [];
  private nextId = FIRST_USER_TYPE_ID;

  /** Every type from one object type to another, HubSpot's first. */
  between(from: string, to: string): AssociationType[] {
    return [...HUBSPOT_DEFINED_TYPES, ...this.custom].filter((t) => t.from === from && t.to === to);
  }

  /** The unlabelled type of a pair; 400 when HubSpot has none for it. */
  defaultType(from: string, to: string): AssociationType {
    const found = this.between(from, to).find((t) => t.isDefault);
    if (!found) throw validationError(`No default association type exists between ${from} and ${to}.`);
    return found;
  }

  /** The type a write names, checked against the pair; 400 naming the id when it does not fit. */
  resolve(from: string, to: string, category: AssociationCategory, typeId: number): AssociationType {
    const found = this.between(from, to).find((t) => t.typeId === typeId);
    if (!found || found.category !== category) {
      throw validationError(
        `${category} association type ${typeId} is not valid from ${objectTypeId(from)} to ${objectTypeId(to)}.`,
        [{ message: `invalid associationTypeId ${typeId}`, in: 'associationTypeId' }],
      );
    }
    return found;
  }

  /** Any type by id (HubSpot's ids are unique across pairs). */
  byId(typeId: number): AssociationType | undefined {
    return [...HUBSPOT_DEFINED_TYPES, ...this.custom].find((t) => t.typeId === typeId);
  }

  /** Creates a USER_DEFINED label for both directions; 409 when the name is taken for the pair. */
  createLabel(from: string, to: string, input: { name: string; label: string; inverseLabel?: string }) {
    if (this.custom.some((t) => t.from === from && t.to === to && t.label === input.label)) {
      throw new HubSpotHttpError(409, 'CONFLICT', `An association label '${input.label}' already exists.`);
    }
    const id = this.nextId;
    this.nextId += 2;
    const forward: AssociationType = {
      from,
      to,
      category: 'USER_DEFINED',
      typeId: id,
      label: input.label,
      reverseTypeId: id + 1,
      isDefault: false,
    };
    const back: AssociationType = {
      from: to,
      to: from,
      category: 'USER_DEFINED',
      typeId: id + 1,
      label: input.inverseLabel ?? input.label,
      reverseTypeId: id,
      isDefault: false,
    };
    this.custom.push(forward, back);
    return [forward, back];
  }

  /** Renames a USER_DEFINED label (and its inverse when given). */
  updateLabel(
    from: string,
    to: string,
    input: { associationTypeId: number; label: string; inverseLabel?: string },
  ) {
    const type = this.userDefined(from, to, input.associationTypeId);
    type.label = input.label;
    const back = this.custom.find((t) => t.typeId === type.reverseTypeId);
    if (back && input.inverseLabel !== undefined) back.label = input.inverseLabel;
  }

  /** Deletes a USER_DEFINED label and its inverse. */
  deleteLabel(from: string, to: string, typeId: number): void {
    const type = this.userDefined(from, to, typeId);
    this.custom = this.custom.filter((t) => t.typeId !== type.typeId && t.typeId !== type.reverseTypeId);
  }

  /** Forgets every USER_DEFINED label. */
  reset(): void {
    this.custom = [];
    this.nextId = FIRST_USER_TYPE_ID;
  }

  private userDefined(from: string, to: string, typeId: number): AssociationType {
    const type = this.custom.find((t) => t.from === from && t.to === to && t.typeId === typeId);
    if (type) return type;
    if (this.byId(typeId)?.category === 'HUBSPOT_DEFINED') {
      throw validationError(`Association type ${typeId} is HUBSPOT_DEFINED and cannot be changed.`);
    }
    throw notFound(`No association label ${typeId} from ${objectTypeId(from)} to ${objectTypeId(to)}.`);
  }
}

/** A type as v4 answers show it (`AssociationSpecWithLabel`). */
export function specWithLabel(type: AssociationType): Record<string, unknown> {
  return {
    category: type.category,
    typeId: type.typeId,
    ...(type.label === undefined ? {} : { label: type.label }),
  };
}

/**
 * The name a v3 read (`?associations=`) gives a type: `contact_to_company` for HubSpot's labelled
 * primary, `contact_to_company_unlabeled` for the default where a primary exists, `deal_to_contact` where
 * the pair has only the default; a user's label by its text.
 */
export function v3TypeName(type: AssociationType): string {
  const singular = (name: string) => OBJECT_TYPES[name]?.aliases[0] ?? name;
  const base = `${singular(type.from)}_to_${singular(type.to)}`;
  if (type.category !== 'HUBSPOT_DEFINED') return (type.label ?? base).toLowerCase().replace(/\W+/g, '_');
  const hasPrimary = HUBSPOT_DEFINED_TYPES.some(
    (t) => t.from === type.from && t.to === type.to && !t.isDefault,
  );
  return type.isDefault && hasPrimary ? `${base}_unlabeled` : base;
}
