/**
 * The HubSpot-defined properties each object type starts with. A short, representative subset of
 * the real portal's list: enough for mappings of people, companies and deals.
 */

/** Property data types HubSpot uses (`type` in the properties API). */
export type PropertyType =
  | 'string'
  | 'number'
  | 'date'
  | 'datetime'
  | 'enumeration'
  | 'bool'
  | 'phone_number';

/** The seed of one property definition; the registry fills in the rest of HubSpot's shape. */
export interface PropertySeed {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  /** HubSpot sets the value itself; writes to it are rejected. */
  readOnly?: boolean;
  hasUniqueValue?: boolean;
  options?: string[];
}

const text = (name: string, label: string, groupName: string): PropertySeed => ({
  name,
  label,
  type: 'string',
  fieldType: 'text',
  groupName,
});

const system = (name: string, label: string, type: PropertyType, groupName: string): PropertySeed => ({
  name,
  label,
  type,
  fieldType: type === 'number' ? 'number' : 'text',
  groupName,
  readOnly: true,
});

const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

const CONTACT_PROPERTIES: PropertySeed[] = [
  {
    name: 'email',
    label: 'Email',
    type: 'string',
    fieldType: 'text',
    groupName: 'contactinformation',
    hasUniqueValue: true,
  },
  text('firstname', 'First Name', 'contactinformation'),
  text('lastname', 'Last Name', 'contactinformation'),
  {
    name: 'phone',
    label: 'Phone Number',
    type: 'string',
    fieldType: 'phonenumber',
    groupName: 'contactinformation',
  },
  {
    name: 'mobilephone',
    label: 'Mobile Phone Number',
    type: 'string',
    fieldType: 'phonenumber',
    groupName: 'contactinformation',
  },
  text('company', 'Company Name', 'contactinformation'),
  text('jobtitle', 'Job Title', 'contactinformation'),
  text('address', 'Street Address', 'contactinformation'),
  text('city', 'City', 'contactinformation'),
  text('zip', 'Postal Code', 'contactinformation'),
  text('state', 'State/Region', 'contactinformation'),
  text('country', 'Country/Region', 'contactinformation'),
  text('website', 'Website URL', 'contactinformation'),
  {
    name: 'hs_language',
    label: 'Preferred language',
    type: 'enumeration',
    fieldType: 'select',
    groupName: 'contactinformation',
    options: ['de', 'en', 'fr', 'it'],
  },
  {
    name: 'lifecyclestage',
    label: 'Lifecycle Stage',
    type: 'enumeration',
    fieldType: 'radio',
    groupName: 'contactinformation',
    options: LIFECYCLE_STAGES,
  },
  {
    name: 'date_of_birth',
    label: 'Date of birth',
    type: 'date',
    fieldType: 'date',
    groupName: 'contactinformation',
  },
  system('createdate', 'Create Date', 'datetime', 'contactinformation'),
  system('lastmodifieddate', 'Last Modified Date', 'datetime', 'contactinformation'),
  system('hs_lastmodifieddate', 'Object last modified date/time', 'datetime', 'contactinformation'),
  system('hs_object_id', 'Record ID', 'number', 'contactinformation'),
];

const COMPANY_PROPERTIES: PropertySeed[] = [
  text('name', 'Company name', 'companyinformation'),
  text('domain', 'Company Domain Name', 'companyinformation'),
  text('website', 'Website URL', 'companyinformation'),
  {
    name: 'phone',
    label: 'Phone Number',
    type: 'string',
    fieldType: 'phonenumber',
    groupName: 'companyinformation',
  },
  text('address', 'Street Address', 'companyinformation'),
  text('city', 'City', 'companyinformation'),
  text('zip', 'Postal Code', 'companyinformation'),
  text('state', 'State/Region', 'companyinformation'),
  text('country', 'Country/Region', 'companyinformation'),
  text('industry', 'Industry', 'companyinformation'),
  {
    name: 'numberofemployees',
    label: 'Number of Employees',
    type: 'number',
    fieldType: 'number',
    groupName: 'companyinformation',
  },
  {
    name: 'lifecyclestage',
    label: 'Lifecycle Stage',
    type: 'enumeration',
    fieldType: 'radio',
    groupName: 'companyinformation',
    options: LIFECYCLE_STAGES,
  },
  system('createdate', 'Create Date', 'datetime', 'companyinformation'),
  system('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'companyinformation'),
  system('hs_object_id', 'Record ID', 'number', 'companyinformation'),
];

const DEAL_PROPERTIES: PropertySeed[] = [
  text('dealname', 'Deal Name', 'dealinformation'),
  { name: 'amount', label: 'Amount', type: 'number', fieldType: 'number', groupName: 'dealinformation' },
  {
    name: 'closedate',
    label: 'Close Date',
    type: 'datetime',
    fieldType: 'date',
    groupName: 'dealinformation',
  },
  text('dealstage', 'Deal Stage', 'dealinformation'),
  text('pipeline', 'Pipeline', 'dealinformation'),
  system('createdate', 'Create Date', 'datetime', 'dealinformation'),
  system('hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'dealinformation'),
  system('hs_object_id', 'Record ID', 'number', 'dealinformation'),
];

/** Default property seeds by object type name. */
export const DEFAULT_PROPERTIES: Readonly<Record<string, readonly PropertySeed[]>> = {
  contacts: CONTACT_PROPERTIES,
  companies: COMPANY_PROPERTIES,
  deals: DEAL_PROPERTIES,
};
