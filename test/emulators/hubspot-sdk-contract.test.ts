/**
 * HubSpot's official Node client (`@hubspot/api-client`) drives the emulator exactly as a new user's
 * integration would drive api.hubapi.com: only `basePath` points elsewhere. Every call is the SDK's own;
 * a call the SDK cannot make against the emulator (an unknown route, an answer it cannot parse) fails.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AssociationTypes, Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum as Category } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec.js';
import { FilterOperatorEnum as Op } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter.js';
import { HUBSPOT_DEFINED_TYPES } from '../../emulators/hubspot/association-types.ts';
import { type Harness, startEmulator, TOKEN, UUID } from './hubspot-helpers.ts';

/** What the SDK throws for a non-2xx answer (`ApiException`). */
interface SdkError {
  code: number;
  // biome-ignore lint/suspicious/noExplicitAny: the SDK types the body per operation
  body: any;
  headers: Record<string, string>;
}

async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  try {
    await call;
  } catch (error) {
    const e = error as Partial<SdkError>;
    assert.equal(
      typeof e.code,
      'number',
      `the SDK threw something other than an ApiException: ${String(error)}`,
    );
    return e as SdkError;
  }
  assert.fail('the SDK call succeeded where it should have failed');
}

function errorShape(e: SdkError, status: number, category: string): void {
  assert.equal(e.code, status, JSON.stringify(e.body));
  assert.equal(e.body.category, category);
  assert.match(String(e.body.correlationId), UUID);
  assert.ok(String(e.body.message).length > 0);
}

describe('HubSpot emulator through the official SDK (@hubspot/api-client)', () => {
  let h: Harness;
  let hubspot: Client;
  before(async () => {
    h = await startEmulator({
      rateLimit: { max: Number.POSITIVE_INFINITY },
      faults: { rejectEmails: ['bounce@example.com'] },
    });
    // No limiter and no retries: each SDK call is exactly one request.
    hubspot = new Client({ accessToken: TOKEN, basePath: h.baseUrl, numberOfApiCallRetries: 0 });
  });
  after(() => h.close());

  test('contacts: create, read, update, list through pages, archive; 409 for a taken e-mail, 404 after archive', async () => {
    const contacts = hubspot.crm.contacts.basicApi;
    const ada = await contacts.create({
      properties: { email: 'ada@example.com', firstname: 'Ada' },
      associations: [],
    });
    assert.equal(ada.properties.email, 'ada@example.com');
    const read = await contacts.getById(ada.id, ['email', 'firstname']);
    assert.equal(read.properties.firstname, 'Ada');
    const byEmail = await contacts.getById(
      'ADA@example.com',
      ['firstname'],
      undefined,
      undefined,
      false,
      'email',
    );
    assert.equal(byEmail.id, ada.id);
    const updated = await contacts.update(ada.id, { properties: { lastname: 'Lovelace' } });
    assert.equal(updated.properties.lastname, 'Lovelace');

    errorShape(
      await sdkError(contacts.create({ properties: { email: 'ada@example.com' }, associations: [] })),
      409,
      'CONFLICT',
    );

    for (const n of [1, 2, 3, 4])
      await contacts.create({ properties: { email: `p${n}@example.com` }, associations: [] });
    const first = await contacts.getPage(2);
    assert.equal(first.results.length, 2);
    assert.ok(first.paging?.next?.after);
    // The SDK's own pager walks every page by the cursor.
    const all = await hubspot.crm.contacts.getAll(2);
    assert.equal(all.length, 5);

    await contacts.archive(ada.id);
    errorShape(await sdkError(contacts.getById(ada.id)), 404, 'OBJECT_NOT_FOUND');
    const archived = await contacts.getById(ada.id, undefined, undefined, undefined, true);
    assert.equal(archived.archived, true);
  });

  test('400 names the invalid property; an unknown property is refused the same way', async () => {
    const e = await sdkError(
      hubspot.crm.contacts.basicApi.create({ properties: { email: 'not-an-address' }, associations: [] }),
    );
    errorShape(e, 400, 'VALIDATION_ERROR');
    assert.match(e.body.message, /"name":"email"/);
    assert.equal(e.body.errors[0].context.propertyName[0], 'email');
    const unknown = await sdkError(
      hubspot.crm.companies.basicApi.create({ properties: { no_such_field: 'x' }, associations: [] }),
    );
    assert.equal(unknown.body.errors[0].code, 'PROPERTY_DOESNT_EXIST');
    assert.equal(unknown.body.errors[0].context.propertyName[0], 'no_such_field');
  });

  test('batch: create, upsert by e-mail (new flag), read with a missing id as a 207, update, archive', async () => {
    const batch = hubspot.crm.contacts.batchApi;
    const created = await batch.create({
      inputs: ['b1', 'b2'].map((n) => ({ properties: { email: `${n}@example.com` }, associations: [] })),
    });
    assert.equal(created.results.length, 2);
    const upsert = await batch.upsert({
      inputs: [
        { id: 'b1@example.com', idProperty: 'email', properties: { firstname: 'Existing' } },
        { id: 'b3@example.com', idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    const byEmail = new Map(upsert.results.map((r) => [r.properties.email, r]));
    assert.equal(byEmail.get('b1@example.com')?._new, false);
    assert.equal(byEmail.get('b3@example.com')?._new, true);

    const partial = await batch.upsert({
      inputs: [
        { id: 'b4@example.com', idProperty: 'email', properties: { firstname: 'Fine' } },
        { id: 'bounce@example.com', idProperty: 'email', properties: { firstname: 'Refused' } },
      ],
    });
    assert.ok('errors' in partial, 'a 207 reaches the SDK as a response with errors');
    assert.equal(partial.numErrors, 1);
    assert.equal(partial.results.length, 1);

    const ids = created.results.map((r) => r.id);
    const read = await batch.read({
      inputs: [{ id: ids[0] as string }, { id: '999999' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    assert.equal(read.results.length, 1);
    assert.ok('errors' in read && read.errors?.[0]?.category === 'OBJECT_NOT_FOUND');
    assert.deepEqual(read.errors?.[0]?.context.ids, ['999999']);

    const updated = await batch.update({
      inputs: [{ id: ids[1] as string, properties: { lastname: 'Batch' } }],
    });
    assert.equal(updated.results[0]?.properties.lastname, 'Batch');
    await batch.archive({ inputs: ids.map((id) => ({ id })) });
    errorShape(
      await sdkError(hubspot.crm.contacts.basicApi.getById(ids[0] as string)),
      404,
      'OBJECT_NOT_FOUND',
    );
  });

  test('search: IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, BETWEEN, CONTAINS_TOKEN and sorts as objects', async () => {
    await hubspot.crm.companies.batchApi.create({
      inputs: [
        ['Alpha Schule', 'alpha.example', '10'],
        ['Beta Akademie', 'beta.example', '250'],
        ['Gamma Schule', 'gamma.example', undefined],
        ['Delta Institut', 'delta.example', '40'],
      ].map(([name, domain, employees]) => ({
        properties: { name, domain, ...(employees ? { numberofemployees: employees } : {}) } as Record<
          string,
          string
        >,
        associations: [],
      })),
    });
    const names = async (
      filters: {
        propertyName: string;
        operator: Op;
        value?: string;
        highValue?: string;
        values?: string[];
      }[],
      sorts: unknown[] = ['name'],
    ) => {
      const res = await hubspot.crm.companies.searchApi.doSearch({
        filterGroups: [{ filters }],
        // HubSpot's guides send sorts as objects; the SDK types them as strings and passes objects through.
        sorts: sorts as string[],
        properties: ['name'],
        limit: 100,
        after: '0',
      });
      return res.results.map((r) => r.properties.name);
    };
    assert.deepEqual(
      await names([{ propertyName: 'domain', operator: Op.In, values: ['alpha.example', 'delta.example'] }]),
      ['Alpha Schule', 'Delta Institut'],
    );
    assert.deepEqual(
      await names([
        {
          propertyName: 'domain',
          operator: Op.NotIn,
          values: ['alpha.example', 'delta.example', 'beta.example'],
        },
      ]),
      ['Gamma Schule'],
    );
    assert.equal((await names([{ propertyName: 'numberofemployees', operator: Op.HasProperty }])).length, 3);
    assert.deepEqual(await names([{ propertyName: 'numberofemployees', operator: Op.NotHasProperty }]), [
      'Gamma Schule',
    ]);
    assert.deepEqual(
      await names(
        [{ propertyName: 'numberofemployees', operator: Op.Between, value: '20', highValue: '300' }],
        [{ propertyName: 'numberofemployees', direction: 'DESCENDING' }],
      ),
      ['Beta Akademie', 'Delta Institut'],
    );
    assert.deepEqual(
      await names(
        [{ propertyName: 'name', operator: Op.ContainsToken, value: 'schule' }],
        [{ propertyName: 'name', direction: 'DESCENDING' }],
      ),
      ['Gamma Schule', 'Alpha Schule'],
    );
  });

  test('associations v4: HubSpot-defined type ids match the SDK’s own AssociationTypes enum', () => {
    const sdk = AssociationTypes as unknown as Record<string, number>;
    const name = (t: (typeof HUBSPOT_DEFINED_TYPES)[number]) => {
      const s = (x: string) => ({ contacts: 'Contact', companies: 'Company', deals: 'Deal' })[x] as string;
      const key = `${s(t.from).toLowerCase()}To${s(t.to)}`;
      return t.label === 'Primary' ? `primary${key[0]?.toUpperCase()}${key.slice(1)}` : key;
    };
    for (const t of HUBSPOT_DEFINED_TYPES) assert.equal(sdk[name(t)], t.typeId, `${name(t)}`);
  });

  test('associations v4 per record: PUT with a label, list with labels, default association, read ?associations=, archive', async () => {
    const contact = await hubspot.crm.contacts.basicApi.create({
      properties: { email: 'assoc@example.com' },
      associations: [],
    });
    const company = await hubspot.crm.companies.basicApi.create({
      properties: { name: 'Assoc AG' },
      associations: [],
    });
    const deal = await hubspot.crm.deals.basicApi.create({
      properties: { dealname: 'Kurs', dealstage: 'appointmentscheduled' },
      associations: [],
    });
    const v4 = hubspot.crm.associations.v4.basicApi;
    const labelled = await v4.create('contacts', contact.id, 'companies', company.id, [
      {
        associationCategory: Category.HubspotDefined,
        associationTypeId: AssociationTypes.primaryContactToCompany,
      },
    ]);
    assert.deepEqual(labelled.labels, ['Primary']);
    const page = await v4.getPage('contacts', contact.id, 'companies');
    assert.equal(page.results[0]?.toObjectId, company.id);
    const types = page.results[0]?.associationTypes.map((t) => [t.typeId, t.label ?? null]);
    assert.deepEqual(types, [
      [1, 'Primary'],
      [279, null],
    ]);
    // From the company's side the reverse types show.
    const back = await v4.getPage('companies', company.id, 'contacts');
    assert.deepEqual(
      back.results[0]?.associationTypes.map((t) => t.typeId),
      [2, 280],
    );

    const dflt = await v4.createDefault('deals', deal.id, 'contacts', contact.id);
    assert.deepEqual(
      dflt.results.map((r) => r.associationSpec.associationTypeId),
      [AssociationTypes.dealToContact, AssociationTypes.contactToDeal],
    );
    const withAssociations = await hubspot.crm.contacts.basicApi.getById(contact.id, undefined, undefined, [
      'companies',
      'deals',
    ]);
    assert.deepEqual(
      withAssociations.associations?.deals?.results.map((r) => [r.id, r.type]),
      [[deal.id, 'contact_to_deal']],
    );
    assert.ok(withAssociations.associations?.companies?.results.some((r) => r.type === 'contact_to_company'));

    const wrong = await sdkError(
      v4.create('contacts', contact.id, 'companies', company.id, [
        { associationCategory: Category.HubspotDefined, associationTypeId: AssociationTypes.dealToContact },
      ]),
    );
    errorShape(wrong, 400, 'VALIDATION_ERROR');

    await v4.archive('contacts', contact.id, 'companies', company.id);
    assert.equal((await v4.getPage('contacts', contact.id, 'companies')).results.length, 0);
    assert.equal((await v4.getPage('companies', company.id, 'contacts')).results.length, 0);
  });

  test('associations v4 batch and labels: custom label created, used, renamed, its associations archived', async () => {
    const [c1, c2] = (
      await hubspot.crm.contacts.batchApi.create({
        inputs: ['l1', 'l2'].map((n) => ({ properties: { email: `${n}@example.com` }, associations: [] })),
      })
    ).results;
    const company = await hubspot.crm.companies.basicApi.create({
      properties: { name: 'Label AG' },
      associations: [],
    });
    const labels = hubspot.crm.associations.v4.schema.definitionsApi;
    const created = await labels.create('contacts', 'companies', {
      name: 'trainer',
      label: 'Trainer',
      inverseLabel: 'Trains at',
    });
    const trainer = created.results.find((t) => t.label === 'Trainer');
    assert.equal(trainer?.category, 'USER_DEFINED');
    const listed = await labels.getAll('contacts', 'companies');
    assert.deepEqual(
      listed.results.filter((t) => t.category === 'HUBSPOT_DEFINED').map((t) => t.typeId),
      [279, 1],
    );

    const batch = hubspot.crm.associations.v4.batchApi;
    const made = await batch.create('contacts', 'companies', {
      inputs: [c1, c2].map((c) => ({
        _from: { id: c?.id as string },
        to: { id: company.id },
        types: [{ associationCategory: Category.UserDefined, associationTypeId: trainer?.typeId as number }],
      })),
    });
    assert.deepEqual(
      made.results.map((r) => r.labels),
      [['Trainer'], ['Trainer']],
    );
    await labels.update('contacts', 'companies', {
      associationTypeId: trainer?.typeId as number,
      label: 'Coach',
    });
    const read = await batch.getPage('contacts', 'companies', { inputs: [{ id: c1?.id as string }] });
    assert.ok(read.results[0]?.to[0]?.associationTypes.some((t) => t.label === 'Coach'));

    await batch.archiveLabels('contacts', 'companies', {
      inputs: [
        {
          _from: { id: c1?.id as string },
          to: { id: company.id },
          types: [
            { associationCategory: Category.UserDefined, associationTypeId: trainer?.typeId as number },
          ],
        },
      ],
    });
    const left = await batch.getPage('contacts', 'companies', { inputs: [{ id: c1?.id as string }] });
    assert.deepEqual(
      left.results[0]?.to[0]?.associationTypes.map((t) => t.typeId),
      [279],
    );
    await batch.archive('contacts', 'companies', {
      inputs: [{ _from: { id: c2?.id as string }, to: [{ id: company.id }] }],
    });
    const none = await batch.getPage('contacts', 'companies', { inputs: [{ id: c2?.id as string }] });
    assert.equal(none.results[0]?.to.length, 0);
    await labels.remove('contacts', 'companies', trainer?.typeId as number);
    assert.ok(
      !(await labels.getAll('contacts', 'companies')).results.some((t) => t.category === 'USER_DEFINED'),
    );
  });

  test('properties: list, create (409 when taken), read, update, archive; groups created, renamed, archived (HubSpot’s stay)', async () => {
    const core = hubspot.crm.properties.coreApi;
    const all = await core.getAll('contacts');
    assert.ok(all.results.some((p) => p.name === 'email' && p.hasUniqueValue));
    const input = {
      name: 'member_no',
      label: 'Member number',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'contactinformation',
      hasUniqueValue: true,
    };
    const created = await core.create('contacts', input);
    assert.equal(created.hasUniqueValue, true);
    errorShape(await sdkError(core.create('contacts', input)), 409, 'OBJECT_ALREADY_EXISTS');
    assert.equal((await core.getByName('contacts', 'member_no')).label, 'Member number');
    assert.equal((await core.update('contacts', 'member_no', { label: 'Member no.' })).label, 'Member no.');
    const groupsApi = hubspot.crm.properties.groupsApi;
    await groupsApi.create('contacts', { name: 'courses', label: 'Courses', displayOrder: 5 });
    assert.equal((await groupsApi.update('contacts', 'courses', { label: 'Kurse' })).label, 'Kurse');
    const groups = await groupsApi.getAll('contacts');
    assert.deepEqual(
      groups.results.map((g) => g.name),
      ['contactinformation', 'courses'],
    );
    await groupsApi.archive('contacts', 'courses');
    errorShape(await sdkError(groupsApi.getByName('contacts', 'courses')), 404, 'OBJECT_NOT_FOUND');
    errorShape(await sdkError(groupsApi.archive('contacts', 'contactinformation')), 400, 'VALIDATION_ERROR');
    await core.archive('contacts', 'member_no');
    errorShape(await sdkError(core.getByName('contacts', 'member_no')), 404, 'OBJECT_NOT_FOUND');
  });

  test('pipelines: the default sales pipeline with HubSpot’s stage ids; a new pipeline and stage; deal stages checked against the pipeline', async () => {
    const pipelines = hubspot.crm.pipelines.pipelinesApi;
    const sales = await pipelines.getById('deals', 'default');
    assert.deepEqual(
      sales.stages.map((s) => s.id),
      [
        'appointmentscheduled',
        'qualifiedtobuy',
        'presentationscheduled',
        'decisionmakerboughtin',
        'contractsent',
        'closedwon',
        'closedlost',
      ],
    );
    const courses = await pipelines.create('deals', {
      label: 'Kurse',
      displayOrder: 1,
      stages: [{ label: 'Angemeldet', displayOrder: 0, metadata: { probability: '0.5' } }],
    });
    const stage = await hubspot.crm.pipelines.pipelineStagesApi.create('deals', courses.id, {
      label: 'Abgeschlossen',
      displayOrder: 1,
      metadata: { probability: '1.0', isClosed: 'true' },
    });
    assert.deepEqual(
      (await hubspot.crm.pipelines.pipelineStagesApi.getAll('deals', courses.id)).results.map((s) => s.label),
      ['Angemeldet', 'Abgeschlossen'],
    );
    assert.equal((await pipelines.getAll('deals')).results.length, 2);

    const deals = hubspot.crm.deals.basicApi;
    const inCourses = await deals.create({
      properties: { dealname: 'Excel Kurs', pipeline: courses.id, dealstage: stage.id },
      associations: [],
    });
    const wrongStage = await sdkError(
      deals.create({
        properties: { dealname: 'X', pipeline: courses.id, dealstage: 'closedwon' },
        associations: [],
      }),
    );
    errorShape(wrongStage, 400, 'VALIDATION_ERROR');
    assert.equal(wrongStage.body.errors[0].context.propertyName[0], 'dealstage');
    assert.match(wrongStage.body.message, /closedwon/);
    // An update is checked against the pipeline the deal is in.
    const moved = await sdkError(deals.update(inCourses.id, { properties: { dealstage: 'contractsent' } }));
    assert.equal(moved.body.errors[0].context.propertyName[0], 'dealstage');
    const noPipeline = await sdkError(
      deals.create({
        properties: { dealname: 'Y', pipeline: 'nope', dealstage: 'closedwon' },
        associations: [],
      }),
    );
    assert.equal(noPipeline.body.errors[0].context.propertyName[0], 'pipeline');
    // Without a pipeline a deal lands in the default one, where HubSpot's stage ids are valid.
    const plain = await deals.create({
      properties: { dealname: 'Z', dealstage: 'contractsent' },
      associations: [],
    });
    assert.equal(plain.properties.pipeline, 'default');
    const batch = await sdkError(
      hubspot.crm.deals.batchApi.create({
        inputs: [{ properties: { dealname: 'B', dealstage: 'angemeldet' }, associations: [] }],
      }),
    );
    assert.equal(batch.code, 400);
    assert.equal(batch.body.errors[0].context.propertyName[0], 'dealstage');

    await pipelines.archive('deals', courses.id);
    errorShape(
      await sdkError(
        deals.create({
          properties: { dealname: 'W', pipeline: courses.id, dealstage: stage.id },
          associations: [],
        }),
      ),
      400,
      'VALIDATION_ERROR',
    );
  });
});

describe('HubSpot emulator through the official SDK: authentication and rate limits', () => {
  let h: Harness;
  before(async () => {
    h = await startEmulator({ rateLimit: { max: 2, intervalMs: 60_000 } });
  });
  after(() => h.close());

  test('401 INVALID_AUTHENTICATION for a token the portal does not know', async () => {
    const stranger = new Client({ accessToken: 'pat-unknown', basePath: h.baseUrl });
    errorShape(await sdkError(stranger.crm.contacts.basicApi.getPage()), 401, 'INVALID_AUTHENTICATION');
  });

  test('429 with policyName TEN_SECONDLY_ROLLING and the rate-limit headers once the window is used up', async () => {
    const hubspot = new Client({ accessToken: TOKEN, basePath: h.baseUrl, numberOfApiCallRetries: 0 });
    await hubspot.crm.contacts.basicApi.getPage();
    await hubspot.crm.contacts.basicApi.getPage();
    const e = await sdkError(hubspot.crm.contacts.basicApi.getPage());
    errorShape(e, 429, 'RATE_LIMITS');
    assert.equal(e.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.equal(e.headers['x-hubspot-ratelimit-max'], '2');
    assert.equal(e.headers['x-hubspot-ratelimit-remaining'], '0');
  });
});
