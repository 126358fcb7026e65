/**
 * The CRM object types the emulator serves. Adding a standard object (deals, tickets, …) is one entry
 * here plus its default properties in `default-properties.ts`.
 */

/** What the emulator needs to know about one CRM object type. */
export interface ObjectTypeDef {
  /** Plural path segment, e.g. `contacts`. */
  readonly name: string;
  /** Other names HubSpot accepts in paths: the singular and the object type id (`0-1`). */
  readonly aliases: readonly string[];
  /** Word used in conflict messages ("Contact already exists. Existing ID: 5"). */
  readonly label: string;
  /** Properties returned when the caller names none (HubSpot's documented defaults). */
  readonly defaultProperties: readonly string[];
  /** Properties HubSpot returns whatever the caller asks for. */
  readonly alwaysProperties: readonly string[];
  /** Properties the free-text `query` of a search looks in. */
  readonly queryProperties: readonly string[];
  /** Whether `POST /crm/v3/objects/{type}/gdpr-delete` exists for this type. */
  readonly gdprDelete: boolean;
}

/** Every object type the emulator serves, keyed by plural name. */
export const OBJECT_TYPES: Readonly<Record<string, ObjectTypeDef>> = {
  contacts: {
    name: 'contacts',
    aliases: ['contact', '0-1'],
    label: 'Contact',
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    alwaysProperties: ['createdate', 'hs_object_id', 'lastmodifieddate'],
    queryProperties: ['firstname', 'lastname', 'email', 'phone', 'company'],
    gdprDelete: true,
  },
  companies: {
    name: 'companies',
    aliases: ['company', '0-2'],
    label: 'Company',
    defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    queryProperties: ['name', 'domain', 'phone', 'website'],
    gdprDelete: false,
  },
  deals: {
    name: 'deals',
    aliases: ['deal', '0-3'],
    label: 'Deal',
    defaultProperties: [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ],
    alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    queryProperties: ['dealname', 'pipeline', 'dealstage'],
    gdprDelete: false,
  },
};

/** Finds the object type a path segment names (plural, singular or type id), or undefined. */
export function resolveObjectType(segment: string): ObjectTypeDef | undefined {
  const key = segment.toLowerCase();
  return OBJECT_TYPES[key] ?? Object.values(OBJECT_TYPES).find((t) => t.aliases.includes(key));
}
