/**
 * Checks the emulator against HubSpot's official OpenAPI documents (shared/specs/hubspot): each
 * request sent must fit the operation's request schema, each answer the schema the operation
 * declares for its status code (or its `default` error response).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { HUBSPOT_SPEC_DIR, hubspotSpecsMissing } from '../helpers/requirements.ts';
import { type Harness, startEmulator } from './hubspot-helpers.ts';

const SPEC_DIR = HUBSPOT_SPEC_DIR;
const DOCS = {
  contacts: 'crm-contacts-v3.json',
  companies: 'crm-companies-v3.json',
  properties: 'crm-properties-v3.json',
};
type DocKey = keyof typeof DOCS;
const specsMissing = hubspotSpecsMissing(Object.values(DOCS));

// biome-ignore lint/suspicious/noExplicitAny: walking untyped OpenAPI JSON
type Json = Record<string, any>;
const docs = {} as Record<DocKey, Json>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
// OpenAPI's integer formats say nothing JSON Schema can check beyond `type: integer`.
ajv.addFormat('int32', true);
ajv.addFormat('int64', true);

if (!specsMissing) {
  for (const [key, file] of Object.entries(DOCS) as [DocKey, string][]) {
    docs[key] = JSON.parse(readFileSync(new URL(file, SPEC_DIR), 'utf8'));
    ajv.addSchema(docs[key], key);
  }
}

// Resolves `#/components/...` pointers of one document, one level at a time.
function deref(doc: DocKey, node: Json): Json {
  if (typeof node.$ref !== 'string' || !node.$ref.startsWith('#/components/responses/')) return node;
  return docs[doc].components.responses[node.$ref.split('/').pop() as string];
}

function schemaRef(doc: DocKey, holder: Json | undefined, what: string): string {
  assert.ok(holder, `${what} not in ${DOCS[doc]}`);
  const content = deref(doc, holder).content as Json;
  const schema = (content['application/json'] ?? Object.values(content)[0]).schema as Json;
  assert.match(schema.$ref, /^#\/components\/schemas\//, `${what} has an inline schema`);
  return `${doc}${schema.$ref}`;
}

function check(ref: string, data: unknown, what: string): void {
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `no schema ${ref}`);
  assert.ok(validate(data), `${what} does not match ${ref}: ${ajv.errorsText(validate.errors)}`);
}

describe('HubSpot emulator: answers match the official OpenAPI documents', {
  skip: specsMissing,
}, () => {
  let h: Harness;
  before(async () => {
    h = await startEmulator({
      rateLimit: { max: Number.POSITIVE_INFINITY },
      faults: { rejectEmails: ['bounce@example.com'] },
    });
  });
  after(() => h.close());

  // Sends a request and checks request and answer against the operation the spec defines for it.
  async function exchange(doc: DocKey, method: string, specPath: string, url: string, body?: unknown) {
    const op = docs[doc].paths[specPath]?.[method.toLowerCase()] as Json | undefined;
    assert.ok(op, `${method} ${specPath} is not in ${DOCS[doc]}`);
    if (body !== undefined)
      check(schemaRef(doc, op.requestBody, 'request body'), body, `${method} ${specPath} request`);
    const res = await h.call(method, url, body);
    const declared = op.responses[String(res.status)] ?? op.responses.default;
    if (res.body !== undefined) {
      check(
        schemaRef(doc, declared, `${res.status} answer`),
        res.body,
        `${method} ${specPath} ${res.status}`,
      );
    } else {
      assert.ok(op.responses[String(res.status)], `${res.status} is not a status of ${method} ${specPath}`);
    }
    return res;
  }

  const person = (n: string) => ({ email: `${n}@example.com`, firstname: n, lastname: 'Test' });

  test('single create, read, list and the default error answer of contacts', async () => {
    const created = await exchange(
      'contacts',
      'POST',
      '/crm/v3/objects/contacts',
      '/crm/v3/objects/contacts',
      {
        properties: person('ada'),
        associations: [],
      },
    );
    assert.equal(created.status, 201);
    const read = await exchange(
      'contacts',
      'GET',
      '/crm/v3/objects/contacts/{contactId}',
      `/crm/v3/objects/contacts/${created.body.id}`,
    );
    assert.equal(read.status, 200);
    const list = await exchange(
      'contacts',
      'GET',
      '/crm/v3/objects/contacts',
      '/crm/v3/objects/contacts?limit=1',
    );
    assert.equal(list.status, 200);
    const bad = await exchange('contacts', 'POST', '/crm/v3/objects/contacts', '/crm/v3/objects/contacts', {
      properties: { nope: 'x' },
      associations: [],
    });
    assert.equal(bad.status, 400);
  });

  test('batch upsert answers (200 and 207) and batch read with missing ids (207)', async () => {
    const path = '/crm/v3/objects/contacts/batch/upsert';
    const ok = await exchange('contacts', 'POST', path, path, {
      inputs: [{ id: 'bob@example.com', idProperty: 'email', properties: { firstname: 'Bob' } }],
    });
    assert.equal(ok.status, 200);
    const partial = await exchange('contacts', 'POST', path, path, {
      inputs: [
        { id: 'cy@example.com', idProperty: 'email', properties: { firstname: 'Cy' } },
        { id: 'bounce@example.com', idProperty: 'email', properties: { firstname: 'B' } },
      ],
    });
    assert.equal(partial.status, 207);
    const readPath = '/crm/v3/objects/contacts/batch/read';
    const read = await exchange('contacts', 'POST', readPath, readPath, {
      inputs: [{ id: ok.body.results[0].id }, { id: '424242' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    assert.equal(read.status, 207);
  });

  test('companies batch create (201) and search with total and paging', async () => {
    const create = '/crm/v3/objects/companies/batch/create';
    const res = await exchange('companies', 'POST', create, create, {
      inputs: ['Acme', 'Globex', 'Initech'].map((name) => ({
        properties: { name, domain: `${name.toLowerCase()}.example` },
        associations: [],
      })),
    });
    assert.equal(res.status, 201);
    const search = '/crm/v3/objects/companies/search';
    const found = await exchange('companies', 'POST', search, search, {
      filterGroups: [
        { filters: [{ propertyName: 'domain', operator: 'CONTAINS_TOKEN', value: '*.example' }] },
      ],
      sorts: ['name'],
      properties: ['name', 'domain'],
      limit: 2,
      after: '0',
    });
    assert.equal(found.status, 200);
    assert.equal(found.body.total, 3);
  });

  test('property list, create and read', async () => {
    const list = await exchange(
      'properties',
      'GET',
      '/crm/v3/properties/{objectType}',
      '/crm/v3/properties/contacts',
    );
    assert.equal(list.status, 200);
    const created = await exchange(
      'properties',
      'POST',
      '/crm/v3/properties/{objectType}',
      '/crm/v3/properties/contacts',
      {
        name: 'member_no',
        label: 'Member number',
        type: 'string',
        fieldType: 'text',
        groupName: 'contactinformation',
        hasUniqueValue: true,
      },
    );
    assert.equal(created.status, 201);
    const one = await exchange(
      'properties',
      'GET',
      '/crm/v3/properties/{objectType}/{propertyName}',
      '/crm/v3/properties/contacts/member_no',
    );
    assert.equal(one.body.hasUniqueValue, true);
  });
});
