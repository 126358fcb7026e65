/**
 * Contract check of every endpoint the HubSpot connector uses: the connector's requests and the
 * emulator's answers, captured on the wire, must fit HubSpot's official OpenAPI documents.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { pino } from 'pino';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import { createConnector } from '../../src/connectors/registry.ts';
import { HUBSPOT_SPEC_DIR, hubspotSpecsMissing } from '../helpers/requirements.ts';

const FILES = [
  'crm-contacts-v3.json',
  'crm-companies-v3.json',
  'crm-deals-v3.json',
  'crm-properties-v3.json',
  'crm-associations-v4.json',
  'oauth-v1.json',
];
const SPEC_DIR = HUBSPOT_SPEC_DIR;
const specsMissing = hubspotSpecsMissing(FILES);

// biome-ignore lint/suspicious/noExplicitAny: walking untyped OpenAPI JSON
type Json = Record<string, any>;
interface Exchange {
  method: string;
  path: string;
  contentType: string;
  body: unknown;
  status: number;
  answer: unknown;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addFormat('int32', true);
ajv.addFormat('int64', true);
const docs = new Map<string, Json>();
if (!specsMissing) {
  for (const f of FILES) {
    const doc = JSON.parse(readFileSync(new URL(f, SPEC_DIR), 'utf8')) as Json;
    docs.set(f, doc);
    ajv.addSchema(doc, f);
  }
}

/** The spec operation of a concrete request, from whichever document defines its path. */
function operationOf(method: string, path: string): { file: string; op: Json } | null {
  for (const [file, doc] of docs) {
    for (const [template, ops] of Object.entries(doc.paths as Json)) {
      const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const op = (ops as Json)[method.toLowerCase()];
      if (op && re.test(path) && !(template.includes('{') && literalElsewhere(method, path, template)))
        return { file, op };
    }
  }
  return null;
}
// `/crm/v3/objects/contacts/search` also matches `/crm/v3/objects/contacts/{contactId}` (GET only); prefer literal templates.
function literalElsewhere(method: string, path: string, template: string): boolean {
  for (const doc of docs.values())
    for (const [t, ops] of Object.entries(doc.paths as Json))
      if (t !== template && t === path && (ops as Json)[method.toLowerCase()]) return true;
  return false;
}

function check(file: string, holder: Json, data: unknown, what: string, contentType?: string): void {
  let h = holder;
  if (typeof h.$ref === 'string') h = docs.get(file)?.components.responses[h.$ref.split('/').pop() as string];
  const content = h.content as Json;
  const schema = (
    (contentType && content[contentType]) ||
    content['application/json'] ||
    Object.values(content)[0]
  ).schema as Json;
  const validate = schema.$ref ? ajv.getSchema(`${file}${schema.$ref}`) : ajv.compile(schema);
  assert.ok(validate, `no schema for ${what}`);
  assert.ok(validate(data), `${what} does not match ${file}: ${ajv.errorsText(validate.errors)}`);
}

describe("HubSpot contract: the connector's requests and the emulator's answers fit the official documents", {
  skip: specsMissing,
}, () => {
  let hs: HubSpotEmulator;
  let hubspot: Connector;
  let baseUrl: string;
  const seen: Exchange[] = [];

  before(async () => {
    hs = createHubSpotEmulator({
      tokens: [],
      oauth: { clientId: 'app', clientSecret: 'sec', accessTokenTtlSeconds: 1800 },
      rateLimit: { max: Number.POSITIVE_INFINITY },
      faults: { rejectEmails: ['bounce@example.com'] },
    });
    hs.app.addHook('onSend', async (req, reply, payload) => {
      const text = typeof payload === 'string' ? payload : '';
      seen.push({
        method: req.method,
        path: req.url.split('?')[0] as string,
        contentType: String(req.headers['content-type'] ?? '').split(';')[0] as string,
        body: req.body,
        status: reply.statusCode,
        answer: text ? JSON.parse(text) : undefined,
      });
      return payload;
    });
    baseUrl = await hs.listen();
    // An OAuth connection whose access token is gone: the first call renews it at the token endpoint.
    const authorize = await fetch(
      `${baseUrl}/oauth/authorize?client_id=app&redirect_uri=${encodeURIComponent('http://cb.example/x')}&scope=crm`,
      { redirect: 'manual' },
    );
    const code = new URL(String(authorize.headers.get('location'))).searchParams.get('code') as string;
    const tokenRes = await fetch(`${baseUrl}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'app',
        client_secret: 'sec',
        redirect_uri: 'http://cb.example/x',
        code,
      }).toString(),
    });
    const tokens = (await tokenRes.json()) as { refresh_token: string };
    hubspot = createConnector(
      {
        id: 'contract',
        name: 'HubSpot',
        system: 'hubspot',
        config: { baseUrl, clientId: 'app' },
        secret: { clientSecret: 'sec', refreshToken: tokens.refresh_token },
      },
      { log: pino({ level: 'silent' }), signal: new AbortController().signal },
    );
  });
  after(() => hs?.close());

  test('every call of a sync (token, properties, upserts with a 207, associations, search, batch read) conforms', async () => {
    await hubspot.describe();
    const contacts = await hubspot.write('contacts', [
      {
        kind: 'upsert',
        ref: 'a',
        match: { property: 'email', value: 'ada@example.com' },
        properties: { firstname: 'Ada' },
      },
      {
        kind: 'upsert',
        ref: 'b',
        match: { property: 'email', value: 'bounce@example.com' },
        properties: { firstname: 'B' },
      },
    ]);
    assert.deepEqual(
      contacts.map((r) => r.ok),
      [true, false],
    );
    // Every default property set: the documents type property values as strings and do not allow the null
    // HubSpot really sends for an empty requested property.
    const company = hs.state.insert('companies', { name: 'Acme', domain: 'acme.example' });
    const contactId = (contacts[0] as { externalId: string }).externalId;
    const made = await hubspot.associate?.('contacts', 'companies', [
      { fromId: contactId, toId: company.id },
      { fromId: contactId, toId: '999999' },
    ]);
    assert.deepEqual(
      made?.map((r) => r.ok),
      [true, false],
    );
    await hubspot.write('contacts', [
      { kind: 'update', ref: 'a', externalId: contactId, properties: { lastname: 'Lovelace' } },
    ]);
    for await (const _ of hubspot.read('contacts', {
      keyField: 'id',
      modifiedField: 'hs_lastmodifieddate',
      fields: ['email', 'firstname'],
    }));
    for await (const _ of hubspot.read('companies', { keyField: 'id' }));
    await hubspot.readByKeys?.('contacts', 'id', [contactId, '424242']);
    await fetch(`${baseUrl}/crm/v4/associations/contacts/companies/batch/read`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(hs.oauth as unknown as { access: Map<string, number> }).access.keys().next().value}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ inputs: [{ id: contactId }] }),
    });
    await hubspot.write('contacts', [{ kind: 'delete', ref: 'a', externalId: contactId }]);
    const bad = await fetch(`${baseUrl}/oauth/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=app&client_secret=sec&refresh_token=nope',
    });
    assert.equal(bad.status, 400);

    const checked = new Set<string>();
    for (const x of seen.filter((e) => !e.path.startsWith('/oauth/authorize'))) {
      const found = operationOf(x.method, x.path);
      assert.ok(found, `${x.method} ${x.path} is in none of the documents`);
      const what = `${x.method} ${x.path}`;
      if (x.body !== undefined && x.body !== null && found.op.requestBody)
        check(found.file, found.op.requestBody, x.body, `${what} request`, x.contentType);
      const declared = found.op.responses[String(x.status)] ?? found.op.responses.default;
      assert.ok(declared, `${x.status} is not a status of ${what}`);
      if (x.answer !== undefined) check(found.file, declared, x.answer, `${what} ${x.status} answer`);
      checked.add(`${x.method} ${x.path.replace(/\/\d+$/, '/{id}')} ${x.status}`);
    }
    for (const must of [
      'POST /oauth/v1/token 200',
      'POST /oauth/v1/token 400',
      'GET /crm/v3/properties/deals 200',
      'POST /crm/v3/objects/contacts/batch/upsert 207',
      'POST /crm/v4/associations/contacts/companies/batch/create 207',
      'POST /crm/v4/associations/contacts/companies/batch/read 200',
      'POST /crm/v3/objects/contacts/search 200',
      'GET /crm/v3/objects/companies 200',
      'POST /crm/v3/objects/contacts/batch/read 207',
      'POST /crm/v3/objects/contacts/batch/update 200',
      'POST /crm/v3/objects/contacts/batch/archive 204',
    ]) {
      assert.ok(checked.has(must), `${must} was exercised (${[...checked].join(', ')})`);
    }
  });
});
