import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { ValidationError } from '../../src/core/errors.ts';
import type { MappingIssue } from '../../src/core/mapping-issues.ts';
import type { Store } from '../../src/store/store.ts';
import { runJunction } from '../cli/junction-process.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

const TOKEN = 'pat-na1-mapping-check-TOKEN';

const MAPPING = {
  name: 'People → HubSpot',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: 'hubspot', object: 'contacts' },
  matchKey: { target: 'email' },
  filter: "status = 'active'",
  fields: [
    { target: 'email', from: 'email', transform: [{ type: 'email' }], required: true },
    { target: 'firstname', from: 'first_name' },
    { target: 'lastname', from: 'last_name' },
  ],
  writeBack: { externalId: 'hubspot_id', status: 'sync_status' },
};

type Mapping = typeof MAPPING & Record<string, unknown>;
const withField = (i: number, f: Record<string, unknown>): Mapping => ({
  ...MAPPING,
  fields: MAPPING.fields.map((x, j) => (j === i ? f : x)) as Mapping['fields'],
});

/** Each mistake the issue names, with where the answer must point and the code it must carry. */
const MISTAKES: {
  name: string;
  mapping: Mapping;
  field: string;
  code: string;
  params: Record<string, unknown>;
}[] = [
  {
    name: 'an unknown source field (from: emial)',
    mapping: withField(0, { target: 'email', from: 'emial', transform: [{ type: 'email' }] }),
    field: 'fields.0.from',
    code: 'unknown_source_field',
    params: { field: 'emial', object: 'people' },
  },
  {
    name: 'an unknown HubSpot property',
    mapping: withField(1, { target: 'nonexistent_hs_prop', from: 'first_name' }),
    field: 'fields.1.target',
    code: 'unknown_target_property',
    params: { property: 'nonexistent_hs_prop', object: 'contacts' },
  },
  {
    name: 'a misspelt transform option (from: instead of input:)',
    mapping: withField(1, {
      target: 'firstname',
      from: 'first_name',
      transform: [{ type: 'date', from: 'dd.MM.yyyy' }],
    }),
    field: 'fields.1.transform.0',
    code: 'unknown_option',
    params: { transform: 'date', option: 'from', known: 'input, output' },
  },
  {
    name: 'an unknown field in the filter',
    mapping: { ...MAPPING, filter: "status = 'active' and cantn = 'ZH'" },
    field: 'filter',
    code: 'unknown_source_field',
    params: { field: 'cantn', object: 'people', position: 22 },
  },
  {
    name: 'a match key no field maps',
    mapping: { ...MAPPING, fields: MAPPING.fields.slice(1) },
    field: 'matchKey.target',
    code: 'match_key_unmapped',
    params: { matchKey: 'email', field: 'email' },
  },
  {
    name: 'an unknown write-back column',
    mapping: { ...MAPPING, writeBack: { externalId: 'hubspot_key' } } as Mapping,
    field: 'writeBack.externalId',
    code: 'unknown_source_field',
    params: { field: 'hubspot_key', object: 'people' },
  },
];

describe('mappings are checked against their systems on save and on apply', () => {
  let business: TempDatabase;
  let storeDb: TempDatabase;
  let store: Store;
  let hs: HubSpotEmulator;
  let app: FastifyInstance;
  let admin: Client;
  let hubspotUrl: string;

  before(async () => {
    business = await createTempSqlite();
    storeDb = await createTempSqlite();
    await createPeopleTable(business, generatePeople(20));
    store = await openTestStore(storeDb);
    hs = createHubSpotEmulator({ tokens: [TOKEN] });
    hubspotUrl = await hs.listen();
    ({ app, admin } = await createTestServer(store));
    const put = async (id: string, body: unknown) =>
      assert.equal((await admin.send('PUT', `/api/connections/${id}`, body)).statusCode, 200);
    await put('erp', { name: 'ERP', system: 'sql', config: { url: business.url } });
    await put('hubspot', {
      name: 'HubSpot',
      system: 'hubspot',
      config: { baseUrl: hubspotUrl },
      secret: { accessToken: TOKEN },
    });
    // A HubSpot nobody answers at: saving against it must not be refused, only warned about.
    await put('hubspot-down', {
      name: 'HubSpot (down)',
      system: 'hubspot',
      config: { baseUrl: 'http://127.0.0.1:9' },
      secret: { accessToken: TOKEN },
    });
  });
  after(async () => {
    await app?.close();
    await hs?.close();
    await store?.close();
    await business?.drop();
    await storeDb?.drop();
  });

  test('a mapping that fits its systems is saved and answered with no warnings', async () => {
    const res = await admin.send('PUT', '/api/mappings/people', MAPPING);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().warnings, []);
  });

  for (const m of MISTAKES) {
    test(`the API refuses ${m.name} at ${m.field} with code ${m.code}`, async () => {
      const res = await admin.send('PUT', '/api/mappings/bad', m.mapping);
      assert.equal(res.statusCode, 400, res.body);
      const issues = res.json().error.details.issues as MappingIssue[];
      // Schema issues are named at their place in the request (`body.…`), the system check's in the mapping.
      const found = issues.find((i) => i.field.replace(/^body\./, '') === m.field && i.code === m.code);
      assert.ok(found, `expected ${m.code} at ${m.field}, got ${JSON.stringify(issues)}`);
      for (const [k, v] of Object.entries(m.params)) assert.equal(found.params[k], v, `params.${k}`);
      assert.equal((await admin.get('/api/mappings/bad')).statusCode, 404, 'nothing was saved');
    });
  }

  test('the filter with an unknown field says so with one position, not a syntax error', async () => {
    const res = await admin.send('PUT', '/api/mappings/bad', {
      ...MAPPING,
      filter: "status = 'active' and cantn = 'ZH'",
    });
    const [issue] = res.json().error.details.issues as MappingIssue[];
    assert.equal(issue?.message, "unknown field 'cantn' of people at position 23");
    assert.equal(issue?.position, 22);
  });

  test('the preview refuses the same mistakes with the same places', async () => {
    const res = await admin.send('POST', '/api/mappings/preview', {
      mapping: { id: 'p', ...MISTAKES[2]?.mapping },
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.details.issues[0].field, 'body.mapping.fields.1.transform.0');
    assert.equal(res.json().error.details.issues[0].code, 'unknown_option');
  });

  test('a read-only property is a warning: the mapping is saved and the answer says why', async () => {
    const res = await admin.send('PUT', '/api/mappings/ro', {
      ...MAPPING,
      fields: [...MAPPING.fields, { target: 'createdate', from: 'modified_at' }],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      (res.json().warnings as MappingIssue[]).map((w) => [w.field, w.code, w.params.property]),
      [['fields.3.target', 'read_only_property', 'createdate']],
    );
  });

  test('a target that cannot be reached to describe it is a warning, not a refusal', async () => {
    const res = await admin.send('PUT', '/api/mappings/down', {
      ...MAPPING,
      target: { connectionId: 'hubspot-down', object: 'contacts' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const warnings = res.json().warnings as MappingIssue[];
    assert.deepEqual(
      warnings.map((w) => [w.field, w.code, w.params.connection]),
      [['target.connectionId', 'describe_failed', 'hubspot-down']],
    );
  });

  test('the preview shows every mapped field as a column, the match key too, even when empty', async () => {
    const res = await admin.send('POST', '/api/mappings/preview', {
      mapping: { id: 'p', ...MAPPING },
      limit: 20,
    });
    assert.equal(res.statusCode, 200, res.body);
    const rows = res.json().rows as { payload: Record<string, unknown>; errors: unknown[] }[];
    assert.ok(rows.length > 0);
    for (const r of rows) assert.deepEqual(Object.keys(r.payload).sort(), ['email', 'firstname', 'lastname']);
  });

  test('applyConfig refuses each mistake with its mapping and place, and saves nothing', async () => {
    for (const m of MISTAKES) {
      if (m.code === 'unknown_option') {
        // A misspelt option does not fit the schema: the file is refused as it is read, at the same place.
        assert.throws(
          () => parseConfigText(JSON.stringify({ mappings: [{ id: 'from-file', ...m.mapping }] })),
          /mappings\.0\.fields\.1\.transform\.0: the date transform has no option 'from'/,
        );
        continue;
      }
      const config = parseConfigText(JSON.stringify({ mappings: [{ id: 'from-file', ...m.mapping }] }));
      await assert.rejects(applyConfig(store, config), (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        const issues = err.details?.issues as (MappingIssue & { mapping: string })[];
        assert.ok(
          issues.some((i) => i.mapping === 'from-file' && i.field === m.field && i.code === m.code),
          `${m.name}: ${JSON.stringify(issues)}`,
        );
        assert.match(err.message, new RegExp(`mapping 'from-file': ${m.field.replaceAll('.', '\\.')}: `));
        return true;
      });
    }
    assert.equal(
      (await store.mappings.list()).some((x) => x.id === 'from-file'),
      false,
    );
  });

  test('`junction apply` prints each mistake on its own line with its mapping and place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-apply-check-'));
    const file = join(dir, 'bad.yaml');
    const erp = { id: 'erp', system: 'sql', config: { url: business.url } };
    const hubspot = {
      id: 'hubspot',
      system: 'hubspot',
      config: { baseUrl: hubspotUrl },
      secret: { accessToken: TOKEN },
    };
    writeFileSync(
      file,
      JSON.stringify({
        connections: [erp, hubspot],
        mappings: [
          { id: 'one', ...MISTAKES[0]?.mapping },
          { id: 'two', ...MISTAKES[1]?.mapping, filter: "status = 'active' and cantn = 'ZH'" },
        ],
      }),
    );
    // The business database's folder is one the CLI may open (as JUNCTION_FILES_DIR says).
    const env = { JUNCTION_DATA_DIR: dir, JUNCTION_FILES_DIR: dirname(business.url.replace(/^sqlite:/, '')) };
    const r = await runJunction(['apply', file], env);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /^ {2}mapping 'one': fields\.0\.from: unknown field 'emial' of people$/m);
    assert.match(
      r.stderr,
      /^ {2}mapping 'two': fields\.1\.target: contacts has no property 'nonexistent_hs_prop'$/m,
    );
    assert.match(r.stderr, /^ {2}mapping 'two': filter: unknown field 'cantn' of people at position 23$/m);

    // A misspelt transform option stops the file before anything is checked, with its place.
    writeFileSync(
      file,
      JSON.stringify({ connections: [erp, hubspot], mappings: [{ id: 'three', ...MISTAKES[2]?.mapping }] }),
    );
    const opt = await runJunction(['apply', file], env);
    assert.equal(opt.status, 1, opt.stdout + opt.stderr);
    assert.match(
      opt.stderr,
      /mappings\.0\.fields\.1\.transform\.0: the date transform has no option 'from' \(it has: input, output\)/,
    );
  });

  test('a misspelt top-level key refuses the save as unknown_key naming it, at the definition', async () => {
    const res = await admin.send('PUT', '/api/mappings/typo', { ...MAPPING, delets: 'propagate' });
    assert.equal(res.statusCode, 400, res.body);
    const issues = res.json().error.details.issues as MappingIssue[];
    assert.deepEqual(
      issues.map((i) => [i.field, i.code, i.params.key, i.message]),
      [['body', 'unknown_key', 'delets', "unknown key 'delets'"]],
    );
    assert.equal((await admin.get('/api/mappings/typo')).statusCode, 404, 'nothing was saved');
  });

  test("a misspelt key inside an assignment's match key is refused at that match key", async () => {
    const res = await admin.send('PUT', '/api/mappings/typo', {
      ...MAPPING,
      assignments: [{ fields: MAPPING.fields, matchKey: { target: 'email', tagret: 'mail' } }],
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.deepEqual(
      (res.json().error.details.issues as MappingIssue[]).map((i) => [i.field, i.code, i.params.key]),
      [['body.assignments.0.matchKey', 'unknown_key', 'tagret']],
    );
    assert.match(res.json().error.message, /body\.assignments\.0\.matchKey: unknown key 'tagret'/);
  });

  test('a mapping saved as it was loaded (its id, the last answer’s warnings) is accepted; another id is not', async () => {
    const loaded = (await admin.get('/api/mappings/people')).json();
    assert.equal(loaded.id, 'people');
    const saved = await admin.send('PUT', '/api/mappings/people', loaded);
    assert.equal(saved.statusCode, 200, saved.body);
    const again = await admin.send('PUT', '/api/mappings/people', saved.json());
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual((await admin.get('/api/mappings/people')).json(), loaded);
    const copy = await admin.send('PUT', '/api/mappings/people-copy', loaded);
    assert.equal(copy.statusCode, 400, copy.body);
    assert.deepEqual(
      (copy.json().error.details.issues as MappingIssue[]).map((i) => [i.field, i.code, i.params.key]),
      [['body', 'unknown_key', 'id']],
    );
  });

  test('an export imports as it is; a misspelt key in an imported mapping is refused at its place', async () => {
    const exported = (await admin.get('/api/mappings/export')).json();
    const res = await admin.send('POST', '/api/mappings/import', exported);
    assert.equal(res.statusCode, 200, res.body);
    const typo = await admin.send('POST', '/api/mappings/import', {
      mappings: [{ id: 'typo', ...MAPPING, writeBack: { externalID: 'hubspot_id' } }],
    });
    assert.equal(typo.statusCode, 400, typo.body);
    assert.deepEqual(
      (typo.json().error.details.issues as MappingIssue[]).map((i) => [i.field, i.code, i.params.key]),
      [['mappings.0.writeBack', 'unknown_key', 'externalID']],
    );
    const envelope = await admin.send('POST', '/api/mappings/import', { ...exported, mapings: [] });
    assert.equal(envelope.statusCode, 400, envelope.body);
    assert.match(envelope.json().error.message, /mapings/);
  });

  test('a task with a misspelt key is refused naming the key; a task saved as it was loaded is accepted', async () => {
    const put = (id: string, body: unknown) => admin.send('PUT', `/api/tasks/${id}`, body);
    const created = await put('people-sync', { name: 'People', mappingId: 'people', schedule: null });
    assert.equal(created.statusCode, 200, created.body);
    const typo = await put('people-sync', {
      name: 'People',
      mappingId: 'people',
      shedule: { everyMinutes: 5 },
    });
    assert.equal(typo.statusCode, 400, typo.body);
    assert.equal(typo.json().error.code, 'validation_error');
    assert.deepEqual(typo.json().error.details.issues, [
      { field: 'body', message: 'Unrecognized key: "shedule"' },
    ]);
    const loaded = (await admin.get('/api/tasks/people-sync')).json();
    for (const key of ['kind', 'nextRunAt', 'lastExecution', 'recentExecutions'])
      assert.ok(key in loaded, key);
    const saved = await put('people-sync', { ...loaded, enabled: false });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal((await admin.get('/api/tasks/people-sync')).json().enabled, false);
    const elsewhere = await put('people-other', loaded);
    assert.equal(elsewhere.statusCode, 400, elsewhere.body);
    assert.match(elsewhere.json().error.message, /Unrecognized key: "id"/);
    assert.equal((await admin.get('/api/tasks/people-other')).statusCode, 404);
  });

  test('a configuration file refuses a misspelt key of a mapping, a task or the file itself at its place', () => {
    const refusal = (file: unknown) => {
      try {
        parseConfigText(JSON.stringify(file));
      } catch (err) {
        assert.ok(err instanceof ValidationError);
        return (
          (err.details?.issues as { path: string; code: string; params: { key?: string } }[] | undefined) ??
          []
        ).map((i) => [i.path, i.code, i.params.key]);
      }
      assert.fail('accepted');
    };
    assert.deepEqual(refusal({ mappings: [{ id: 'm', ...MAPPING, delets: 'propagate' }] }), [
      ['mappings.0', 'unknown_key', 'delets'],
    ]);
    assert.deepEqual(refusal({ tasks: [{ id: 't', mapping: 'm', shedule: { everyMinutes: 5 } }] }), [
      ['tasks.0', 'unknown_key', 'shedule'],
    ]);
    assert.deepEqual(refusal({ task: [] }), [['', 'unknown_key', 'task']]);
    assert.deepEqual(refusal({ connections: [{ id: 'c', system: 'sql', secrets: {} }] }), [
      ['connections.0', 'unknown_key', 'secrets'],
    ]);
  });

  test('a mapping export applies as a configuration file (its version and time read past); the file’s own misspelt key is named without an empty place', async () => {
    const exported = (await admin.get('/api/mappings/export')).json();
    assert.equal(exported.version, 1);
    assert.ok(exported.mappings.length > 0);
    assert.deepEqual(parseConfigText(JSON.stringify(exported)).mappings, exported.mappings);
    assert.throws(() => parseConfigText(JSON.stringify({ ...exported, version: 2 })), /version/);
    assert.throws(
      () => parseConfigText('task: []\n'),
      (err: Error) => err.message === "the configuration is invalid: unknown key 'task'",
    );
  });
});
