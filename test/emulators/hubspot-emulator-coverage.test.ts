/**
 * Coverage from the specification, not from the emulator: every operation (method + path) of every
 * OpenAPI document in ../shared/specs/hubspot/ is either served — a sample request gets a status the
 * document lists (not just `default`) with a body that fits the document's schema — or listed in the
 * out-of-scope table of emulators/hubspot/README.md and answered in HubSpot's error shape. A document
 * that gains an operation fails here until the operation is served (with a sample below) or listed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { NOT_EMULATED } from '../../emulators/hubspot/server.ts';
import { HUBSPOT_SPEC_DIR, hubspotSpecsMissing } from '../helpers/requirements.ts';
import { TOKEN, UUID } from './hubspot-helpers.ts';

// The documents the emulator is known to cover; any other file in the folder is read as well.
const KNOWN_DOCS = [
  'crm-contacts-v3.json',
  'crm-companies-v3.json',
  'crm-deals-v3.json',
  'crm-properties-v3.json',
  'crm-pipelines-v3.json',
  'crm-associations-v4.json',
  'crm-associations-schema-v4.json',
  'oauth-v1.json',
  'webhooks-v3.json',
];
const specsMissing = hubspotSpecsMissing(KNOWN_DOCS);
const README = new URL('../../emulators/hubspot/README.md', import.meta.url);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const OAUTH = { clientId: 'coverage-app', clientSecret: 'coverage-secret' };

// biome-ignore lint/suspicious/noExplicitAny: walking untyped OpenAPI JSON
type Json = Record<string, any>;
interface Operation {
  doc: string;
  method: string;
  path: string;
  op: Json;
}

function loadOperations(): { docs: Record<string, Json>; operations: Operation[] } {
  const docs: Record<string, Json> = {};
  const operations: Operation[] = [];
  for (const file of readdirSync(HUBSPOT_SPEC_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const doc = JSON.parse(readFileSync(new URL(file, HUBSPOT_SPEC_DIR), 'utf8')) as Json;
    docs[file] = doc;
    for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
      for (const method of METHODS) {
        if (item[method])
          operations.push({ doc: file, method: method.toUpperCase(), path, op: item[method] });
      }
    }
  }
  return { docs, operations };
}

/** The out-of-scope table: `| METHOD | /path | reason |` rows under "## Out of scope". */
function outOfScope(): Map<string, string> {
  const text = readFileSync(README, 'utf8');
  const section = text.split(/^## Out of scope$/m)[1]?.split(/^## /m)[0];
  assert.ok(section, 'emulators/hubspot/README.md has no "## Out of scope" section');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\/\S+)\s*\|\s*(.+?)\s*\|$/.exec(line);
    if (!m) continue;
    const key = `${m[1]} ${m[2]}`;
    assert.ok(!rows.has(key), `${key} is listed twice in the out-of-scope table`);
    assert.ok((m[3] as string).length > 3, `${key} is listed out of scope without a reason`);
    rows.set(key, m[3] as string);
  }
  return rows;
}

/** A request to send: URL, JSON body (or form fields), and the status the document lists for it. */
interface Sample {
  url: string;
  status: number;
  body?: unknown;
  form?: Record<string, string>;
  token?: string | null;
}
type SampleFn = (emu: HubSpotEmulator) => Sample | Promise<Sample>;

// Every emulator starts with: contact 1, company 2, deal 3, contact 4; contact 1 associated with
// company 2 (primary) and deal 3; a unique custom property `external_id` on every type and a label
// contacts→companies "Partner" (type ids 1000/1001).
function seeded(): HubSpotEmulator {
  const emu = createHubSpotEmulator({
    tokens: [TOKEN],
    rateLimit: { max: Number.POSITIVE_INFINITY },
    oauth: OAUTH,
  });
  const s = emu.state;
  for (const type of ['contacts', 'companies', 'deals']) {
    s.registry.create(type, {
      name: 'external_id',
      label: 'External id',
      type: 'string',
      fieldType: 'text',
      groupName: `${type === 'companies' ? 'company' : type.slice(0, -1)}information`,
      hasUniqueValue: true,
    });
  }
  s.insert('contacts', { email: 'ada@example.com', firstname: 'Ada', external_id: 'p-1' });
  s.insert('companies', { name: 'Acme', domain: 'acme.example', external_id: 'c-1' });
  s.insert('deals', {
    dealname: 'Course',
    pipeline: 'default',
    dealstage: 'appointmentscheduled',
    external_id: 'd-1',
  });
  s.insert('contacts', { email: 'bob@example.com', firstname: 'Bob' });
  const t = s.associationTypes;
  s.associations.add(
    'contacts',
    '1',
    'companies',
    '2',
    t.resolve('contacts', 'companies', 'HUBSPOT_DEFINED', 1),
    t.defaultType('contacts', 'companies'),
  );
  s.associations.add('deals', '3', 'contacts', '1', t.defaultType('deals', 'contacts'));
  t.createLabel('contacts', 'companies', { name: 'partner', label: 'Partner', inverseLabel: 'Partner of' });
  return emu;
}

async function oauthGrant(emu: HubSpotEmulator) {
  const redirect = 'http://127.0.0.1:1/callback';
  const authorize = await emu.app.inject({
    method: 'GET',
    url: `/oauth/authorize?client_id=${OAUTH.clientId}&redirect_uri=${encodeURIComponent(redirect)}&scope=crm.objects.contacts.read`,
  });
  const code = new URL(authorize.headers.location as string).searchParams.get('code') as string;
  const res = await emu.app.inject({
    method: 'POST',
    url: '/oauth/v1/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
      redirect_uri: redirect,
      code,
    }).toString(),
  });
  return res.json() as { access_token: string; refresh_token: string };
}

/** Samples of the object documents, the same for contacts, companies and deals (`0-3`). */
function objectSamples(segment: string, idParam: string, id: string, props: Json): Record<string, SampleFn> {
  const base = `/crm/v3/objects/${segment}`;
  const one = `${base}/{${idParam}}`;
  return {
    [`GET ${base}`]: () => ({ url: `${base}?limit=2&associations=contacts,companies`, status: 200 }),
    [`POST ${base}`]: () => ({ url: base, status: 201, body: { properties: props, associations: [] } }),
    [`GET ${one}`]: () => ({ url: `${base}/${id}?associations=contacts,companies,deals`, status: 200 }),
    [`PATCH ${one}`]: () => ({
      url: `${base}/${id}`,
      status: 200,
      body: { properties: { external_id: 'x-9' } },
    }),
    [`DELETE ${one}`]: () => ({ url: `${base}/${id}`, status: 204 }),
    [`POST ${base}/batch/create`]: () => ({
      url: `${base}/batch/create`,
      status: 201,
      body: { inputs: [{ properties: props, associations: [] }] },
    }),
    [`POST ${base}/batch/read`]: () => ({
      url: `${base}/batch/read`,
      status: 200,
      body: { inputs: [{ id }], properties: ['external_id'], propertiesWithHistory: [] },
    }),
    [`POST ${base}/batch/update`]: () => ({
      url: `${base}/batch/update`,
      status: 200,
      body: { inputs: [{ id, properties: { external_id: 'x-8' } }] },
    }),
    [`POST ${base}/batch/upsert`]: () => ({
      url: `${base}/batch/upsert`,
      status: 200,
      body: { inputs: [{ id: 'x-7', idProperty: 'external_id', properties: props }] },
    }),
    [`POST ${base}/batch/archive`]: () => ({
      url: `${base}/batch/archive`,
      status: 204,
      body: { inputs: [{ id }] },
    }),
    [`POST ${base}/search`]: () => ({
      url: `${base}/search`,
      status: 200,
      body: {
        filterGroups: [{ filters: [{ propertyName: 'external_id', operator: 'HAS_PROPERTY' }] }],
        sorts: ['external_id'],
        properties: ['external_id'],
        limit: 10,
        after: '0',
      },
    }),
  };
}

const v4 = '/crm/v4/associations/{fromObjectType}/{toObjectType}';
const v4One = '/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}';
const labels = '/crm/associations/v4/{fromObjectType}/{toObjectType}/labels';
const pipelines = '/crm/v3/pipelines/{objectType}';
const stages = `${pipelines}/{pipelineId}/stages`;
const props = '/crm/v3/properties/{objectType}';
const pair = (id: number) => ({
  inputs: [
    {
      from: { id: '1' },
      to: { id: '2' },
      types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: id }],
    },
  ],
});
const stageInput = { label: 'Booked', displayOrder: 0, metadata: { probability: '0.5' } };
const propertyInput = {
  name: 'member_no',
  label: 'Member no',
  type: 'string',
  fieldType: 'text',
  groupName: 'contactinformation',
};

/** One sample request for every served operation, keyed `METHOD path` as the document writes it. */
const SAMPLES: Record<string, SampleFn> = {
  ...objectSamples('contacts', 'contactId', '1', { email: 'new@example.com', external_id: 'p-2' }),
  ...objectSamples('companies', 'companyId', '2', { name: 'Globex', external_id: 'c-2' }),
  ...objectSamples('0-3', 'dealId', '3', { dealname: 'D', dealstage: 'closedwon', external_id: 'd-2' }),
  'POST /crm/v3/objects/contacts/gdpr-delete': () => ({
    url: '/crm/v3/objects/contacts/gdpr-delete',
    status: 204,
    body: { objectId: 'ada@example.com', idProperty: 'email' },
  }),

  [`POST ${v4}/batch/create`]: () => ({
    url: '/crm/v4/associations/contacts/companies/batch/create',
    status: 201,
    body: pair(1),
  }),
  [`POST ${v4}/batch/read`]: () => ({
    url: '/crm/v4/associations/contacts/companies/batch/read',
    status: 200,
    body: { inputs: [{ id: '1' }] },
  }),
  [`POST ${v4}/batch/archive`]: () => ({
    url: '/crm/v4/associations/contacts/companies/batch/archive',
    status: 204,
    body: { inputs: [{ from: { id: '1' }, to: [{ id: '2' }] }] },
  }),
  [`POST ${v4}/batch/labels/archive`]: () => ({
    url: '/crm/v4/associations/contacts/companies/batch/labels/archive',
    status: 204,
    body: pair(1),
  }),
  [`POST ${v4}/batch/associate/default`]: () => ({
    url: '/crm/v4/associations/deals/companies/batch/associate/default',
    status: 200,
    body: { inputs: [{ from: { id: '3' }, to: { id: '2' } }] },
  }),
  'PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}':
    () => ({
      url: '/crm/v4/objects/deals/3/associations/default/companies/2',
      status: 200,
    }),
  [`GET ${v4One}`]: () => ({
    url: '/crm/v4/objects/contacts/1/associations/companies?limit=10',
    status: 200,
  }),
  [`PUT ${v4One}/{toObjectId}`]: () => ({
    url: '/crm/v4/objects/contacts/4/associations/companies/2',
    status: 201,
    body: [{ associationCategory: 'USER_DEFINED', associationTypeId: 1000 }],
  }),
  [`DELETE ${v4One}/{toObjectId}`]: () => ({
    url: '/crm/v4/objects/contacts/1/associations/companies/2',
    status: 204,
  }),

  [`GET ${labels}`]: () => ({ url: '/crm/associations/v4/contacts/companies/labels', status: 200 }),
  [`POST ${labels}`]: () => ({
    url: '/crm/associations/v4/contacts/deals/labels',
    status: 200,
    body: { name: 'mentor', label: 'Mentor', inverseLabel: 'Mentee' },
  }),
  [`PUT ${labels}`]: () => ({
    url: '/crm/associations/v4/contacts/companies/labels',
    status: 204,
    body: { associationTypeId: 1000, label: 'Key partner' },
  }),
  [`DELETE ${labels}/{associationTypeId}`]: () => ({
    url: '/crm/associations/v4/contacts/companies/labels/1000',
    status: 204,
  }),

  [`GET ${pipelines}`]: () => ({ url: '/crm/v3/pipelines/deals', status: 200 }),
  [`POST ${pipelines}`]: () => ({
    url: '/crm/v3/pipelines/deals',
    status: 201,
    body: { label: 'Courses', displayOrder: 1, stages: [stageInput] },
  }),
  [`GET ${pipelines}/{pipelineId}`]: () => ({ url: '/crm/v3/pipelines/deals/default', status: 200 }),
  [`PUT ${pipelines}/{pipelineId}`]: () => ({
    url: '/crm/v3/pipelines/0-3/default',
    status: 200,
    body: { label: 'Sales', displayOrder: 0, stages: [{ ...stageInput, stageId: 'appointmentscheduled' }] },
  }),
  [`PATCH ${pipelines}/{pipelineId}`]: () => ({
    url: '/crm/v3/pipelines/deals/default',
    status: 200,
    body: { label: 'Sales' },
  }),
  [`DELETE ${pipelines}/{pipelineId}`]: (emu) => {
    const created = emu.state.pipelines.create({ label: 'Empty', displayOrder: 2, stages: [stageInput] });
    return { url: `/crm/v3/pipelines/deals/${created.id}?validateReferencesBeforeDelete=true`, status: 204 };
  },
  [`GET ${stages}`]: () => ({ url: '/crm/v3/pipelines/deals/default/stages', status: 200 }),
  [`POST ${stages}`]: () => ({
    url: '/crm/v3/pipelines/deals/default/stages',
    status: 201,
    body: stageInput,
  }),
  [`GET ${stages}/{stageId}`]: () => ({
    url: '/crm/v3/pipelines/deals/default/stages/closedwon',
    status: 200,
  }),
  [`PUT ${stages}/{stageId}`]: () => ({
    url: '/crm/v3/pipelines/deals/default/stages/closedwon',
    status: 200,
    body: { label: 'Won', displayOrder: 5, metadata: { probability: '1.0', isClosed: 'true' } },
  }),
  [`PATCH ${stages}/{stageId}`]: () => ({
    url: '/crm/v3/pipelines/deals/default/stages/closedwon',
    status: 200,
    body: { label: 'Won', metadata: { probability: '1.0' } },
  }),
  [`DELETE ${stages}/{stageId}`]: () => ({
    url: '/crm/v3/pipelines/deals/default/stages/qualifiedtobuy',
    status: 204,
  }),

  [`GET ${props}`]: () => ({ url: '/crm/v3/properties/contacts', status: 200 }),
  [`POST ${props}`]: () => ({ url: '/crm/v3/properties/contacts', status: 201, body: propertyInput }),
  [`GET ${props}/{propertyName}`]: () => ({ url: '/crm/v3/properties/contacts/email', status: 200 }),
  [`PATCH ${props}/{propertyName}`]: () => ({
    url: '/crm/v3/properties/contacts/external_id',
    status: 200,
    body: { label: 'External key' },
  }),
  [`DELETE ${props}/{propertyName}`]: () => ({
    url: '/crm/v3/properties/companies/external_id',
    status: 204,
  }),
  [`POST ${props}/batch/read`]: () => ({
    url: '/crm/v3/properties/contacts/batch/read',
    status: 200,
    body: { archived: false, dataSensitivity: 'non_sensitive', inputs: [{ name: 'email' }] },
  }),
  [`POST ${props}/batch/create`]: () => ({
    url: '/crm/v3/properties/deals/batch/create',
    status: 201,
    body: { inputs: [{ ...propertyInput, groupName: 'dealinformation' }] },
  }),
  [`POST ${props}/batch/archive`]: () => ({
    url: '/crm/v3/properties/deals/batch/archive',
    status: 204,
    body: { inputs: [{ name: 'external_id' }] },
  }),
  [`GET ${props}/groups`]: () => ({ url: '/crm/v3/properties/companies/groups', status: 200 }),
  [`POST ${props}/groups`]: () => ({
    url: '/crm/v3/properties/contacts/groups',
    status: 201,
    body: { name: 'courses', label: 'Courses', displayOrder: 5 },
  }),
  [`PATCH ${props}/groups/{groupName}`]: (emu) => {
    emu.state.registry.createGroup('contacts', { name: 'courses', label: 'Courses' });
    return { url: '/crm/v3/properties/contacts/groups/courses', status: 200, body: { label: 'Kurse' } };
  },
  [`DELETE ${props}/groups/{groupName}`]: (emu) => {
    emu.state.registry.createGroup('contacts', { name: 'courses', label: 'Courses' });
    return { url: '/crm/v3/properties/contacts/groups/courses', status: 204 };
  },
  [`GET ${props}/groups/{groupName}`]: () => ({
    url: '/crm/v3/properties/contacts/groups/contactinformation',
    status: 200,
  }),

  'POST /oauth/v1/token': async (emu) => ({
    url: '/oauth/v1/token',
    status: 200,
    token: null,
    form: {
      grant_type: 'refresh_token',
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
      refresh_token: (await oauthGrant(emu)).refresh_token,
    },
  }),
  'GET /oauth/v1/access-tokens/{token}': async (emu) => ({
    url: `/oauth/v1/access-tokens/${(await oauthGrant(emu)).access_token}`,
    status: 200,
    token: null,
  }),
  'GET /oauth/v1/refresh-tokens/{token}': async (emu) => ({
    url: `/oauth/v1/refresh-tokens/${(await oauthGrant(emu)).refresh_token}`,
    status: 200,
    token: null,
  }),
  'DELETE /oauth/v1/refresh-tokens/{token}': async (emu) => ({
    url: `/oauth/v1/refresh-tokens/${(await oauthGrant(emu)).refresh_token}`,
    status: 204,
    token: null,
  }),
};

/** A path of the document with its parameters filled (for operations that are out of scope). */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => (/objecttype/i.test(name) ? 'contacts' : '1'));
}

/**
 * HubSpot answers `null` for a property that was asked for and has no value, though the documents type
 * property values as strings; the emulator follows the service, so the check leaves those nulls out.
 */
function withoutNullProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullProperties);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    out[k] =
      k === 'properties' && v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null))
        : withoutNullProperties(v);
  }
  return out;
}

async function send(emu: HubSpotEmulator, method: string, sample: Sample) {
  const headers: Record<string, string> = {};
  const token = sample.token === undefined ? TOKEN : sample.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: string | undefined;
  if (sample.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(sample.form).toString();
  } else if (sample.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(sample.body);
  }
  const res = await emu.app.inject({
    method: method as 'GET',
    url: sample.url,
    headers,
    ...(payload === undefined ? {} : { payload }),
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Json) : undefined };
}

describe('HubSpot emulator: every operation of the official documents is served or listed out of scope', {
  skip: specsMissing,
}, () => {
  const { docs, operations } = specsMissing ? { docs: {}, operations: [] } : loadOperations();
  const listed = specsMissing ? new Map<string, string>() : outOfScope();
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('int32', true);
  ajv.addFormat('int64', true);
  for (const [file, doc] of Object.entries(docs)) ajv.addSchema(doc, file);

  // The schema (as an ajv reference) of a request body or of the answer for one status.
  const schemaOf = (doc: string, holder: Json | undefined): string | Json | undefined => {
    if (!holder) return undefined;
    let node = holder;
    if (typeof node.$ref === 'string')
      node = docs[doc]?.components.responses[node.$ref.split('/').pop() as string] as Json;
    const schema = node.content?.['application/json']?.schema as Json | undefined;
    if (!schema) return undefined;
    return typeof schema.$ref === 'string' ? `${doc}${schema.$ref}` : schema;
  };
  const check = (doc: string, schema: string | Json, data: unknown, what: string) => {
    const validate =
      typeof schema === 'string' ? ajv.getSchema(schema) : ajv.compile(inlineWithRefs(doc, schema));
    assert.ok(validate, `no schema ${String(schema)}`);
    assert.ok(validate(data), `${what} does not fit the document: ${ajv.errorsText(validate.errors)}`);
  };
  // Inline schemas (an array of `$ref` items) point into their document.
  const inlineWithRefs = (doc: string, schema: Json): Json =>
    JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, `"${doc}#/components/`));

  test('the documents list operations and every out-of-scope row names one of them', () => {
    assert.ok(operations.length > 50, `only ${operations.length} operations found in ${HUBSPOT_SPEC_DIR}`);
    const all = new Set(operations.map((o) => `${o.method} ${o.path}`));
    for (const key of listed.keys()) assert.ok(all.has(key), `out-of-scope row ${key} is in no document`);
  });

  for (const { doc, method, path, op } of operations) {
    const key = `${method} ${path}`;
    const reason = listed.get(key);
    if (reason !== undefined) {
      test(`${key} (${doc}) is out of scope and answers in HubSpot's error shape`, async () => {
        const emu = seeded();
        const body = op.requestBody ? {} : undefined;
        const res = await send(emu, method, { url: concrete(path), status: 404, body });
        assert.equal(res.status, 404, `${key} answered ${res.status}: is it served now? Remove its row.`);
        assert.equal(res.body?.status, 'error');
        assert.match(String(res.body?.correlationId), UUID);
        assert.equal(res.body?.category, 'OBJECT_NOT_FOUND');
        assert.ok(String(res.body?.message).startsWith(NOT_EMULATED), res.body?.message);
        check(doc, `${doc}#/components/schemas/Error`, res.body, `${key} error answer`);
      });
      continue;
    }
    test(`${key} (${doc}) is served as the document says`, async () => {
      const make = SAMPLES[key];
      assert.ok(
        make,
        `${key} of ${doc} is neither served with a sample request here nor listed out of scope in emulators/hubspot/README.md`,
      );
      const emu = seeded();
      const sample = await make(emu);
      const requestSchema = schemaOf(doc, op.requestBody);
      if (requestSchema && sample.body !== undefined)
        check(doc, requestSchema, sample.body, `${key} sample request`);
      const res = await send(emu, method, sample);
      assert.ok(
        !String(res.body?.message ?? '').startsWith(NOT_EMULATED),
        `${key} is not served: ${res.body?.message}`,
      );
      assert.equal(res.status, sample.status, `${key} answered ${res.status}: ${JSON.stringify(res.body)}`);
      assert.ok(op.responses[String(res.status)], `${res.status} is not a status ${doc} lists for ${key}`);
      const responseSchema = schemaOf(doc, op.responses[String(res.status)]);
      if (responseSchema)
        check(doc, responseSchema, withoutNullProperties(res.body), `${key} ${res.status} answer`);
      else assert.equal(res.body, undefined, `${key} ${res.status} has a body the document does not declare`);
    });
  }
});
