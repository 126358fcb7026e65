// Unit tests of the small engine modules a run is built from: a mapping's assignments, the `link.*` and
// `job.*` views formulas read, the source fields a read asks for (assignments.ts, source-fields.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prepareExpression } from '../../src/core/expression/index.ts';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import type { Execution, SyncLink, Task } from '../../src/core/types.ts';
import { assignmentsOf, jobScope, linkView, usesLink } from '../../src/engine/assignments.ts';
import { filterPaths, secretSaver, sourceFields, sourcePaths } from '../../src/engine/source-fields.ts';
import type { Store } from '../../src/store/store.ts';

const mappingOf = (extra: Partial<MappingDefinitionInput> = {}) =>
  MappingDefinitionSchema.parse({
    id: 'people',
    name: 'People',
    source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: 'modified_at' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
    ...extra,
  });

describe('assignmentsOf: a mapping and its further assignments, each a mapping of its own', () => {
  test('a mapping without assignments is its one assignment', () => {
    const m = mappingOf({ associations: [{ object: 'companies', from: 'org', mapping: 'orgs' }] });
    assert.deepEqual(assignmentsOf(m), [m]);
  });

  test('a further assignment fills what it leaves out from the mapping, and has no associations', () => {
    const m = mappingOf({
      writeBack: { status: 'st' },
      associations: [{ object: 'companies', from: 'org', mapping: 'orgs' }],
      assignments: [
        { fields: [{ target: 'name', from: 'name' }], filter: 'active = true', sync: 'insert' },
        {
          name: 'Deals',
          source: { object: 'contracts', key: 'nr' },
          target: { connectionId: 'crm2', object: 'deals' },
          matchKey: { target: 'nr' },
          fields: [{ target: 'nr', from: 'nr' }],
        },
      ],
    });
    const [primary, second, third] = assignmentsOf(m);
    assert.equal(primary?.assignments, undefined);
    assert.deepEqual(primary?.associations, m.associations);
    assert.deepEqual(
      [second?.name, second?.source, second?.target, second?.matchKey, second?.filter, second?.sync],
      [
        'People (2)',
        m.source,
        { connectionId: 'crm', object: 'contacts' },
        { target: 'email' },
        'active = true',
        'insert',
      ],
    );
    assert.equal(second?.writeBack, undefined, 'write-back belongs to the assignment that names it');
    assert.equal(second?.associations, undefined);
    assert.equal(third?.name, 'Deals');
    // Another source object: the mapping's modified column is not its own.
    assert.deepEqual(third?.source, {
      connectionId: 'erp',
      object: 'contracts',
      key: 'nr',
      modifiedField: undefined,
    });
    assert.deepEqual(third?.target, { connectionId: 'crm2', object: 'deals' });
    assert.deepEqual(third?.matchKey, { target: 'nr' });
  });

  test('an assignment that names its own modified column keeps it', () => {
    const m = mappingOf({
      assignments: [
        {
          source: { object: 'contracts', modifiedField: 'changed' },
          fields: [{ target: 'email', from: 'email' }],
        },
      ],
    });
    assert.equal(assignmentsOf(m)[1]?.source.modifiedField, 'changed');
  });
});

describe('linkView: what link.* shows a formula', () => {
  const link: SyncLink = {
    sourceConnectionId: 'erp',
    sourceObject: 'people',
    targetConnectionId: 'crm',
    targetObject: 'contacts',
    sourceKey: '1',
    externalId: 'c1',
    externalNumber: 'N1',
    lastSyncAt: new Date('2026-01-02T00:00:00Z'),
    lastSuccessAt: new Date('2026-01-01T00:00:00Z'),
    status: 'retry',
    remark: 'busy',
    payloadHash: 'h',
  };
  test('a synced record shows its link', () => {
    assert.deepEqual(linkView(link), {
      external_id: 'c1',
      external_number: 'N1',
      last_sync: link.lastSyncAt,
      last_success: link.lastSuccessAt,
      status: 'retry',
      remark: 'busy',
    });
  });
  test('a record never synced successfully has no link', () => {
    assert.equal(linkView(undefined), null);
    assert.equal(linkView({ ...link, externalId: null, lastSuccessAt: null }), null);
  });
  test('a link with a target id but no success yet, or a success but no id, is shown', () => {
    assert.equal(linkView({ ...link, lastSuccessAt: null })?.external_id, 'c1');
    assert.equal(linkView({ ...link, externalId: null })?.external_id, null);
    assert.equal(linkView({ ...link, externalNumber: undefined })?.external_number, null);
  });
});

describe('usesLink: whether an expression reads the sync link', () => {
  test('a path into link, also nested in a call or a comparison, reads it', () => {
    assert.equal(usesLink(prepareExpression('link is null')), true);
    assert.equal(usesLink(prepareExpression("active = true and link.status != 'ok'")), true);
    assert.equal(usesLink(prepareExpression('coalesce(link.external_id, email)')), true);
  });
  test('other paths and no expression do not', () => {
    assert.equal(usesLink(null), false);
    assert.equal(usesLink(prepareExpression('active = true and linked = 1')), false);
    assert.equal(usesLink(prepareExpression('job.last_success is null')), false);
  });
});

describe('jobScope: job.last_success and job.last_run', () => {
  const task = { id: 'people' } as Task;
  const exec = (id: string, status: Execution['status'], started: string, finished: boolean): Execution => ({
    id,
    taskId: 'people',
    trigger: 'manual',
    status,
    startedAt: new Date(started),
    finishedAt: finished ? new Date(started) : null,
    heartbeatAt: null,
    counts: { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
    error: null,
    resumedFrom: null,
  });
  const storeOf = (list: Execution[]) => {
    const asked: unknown[] = [];
    const store = {
      executions: {
        async list(f: unknown) {
          asked.push(f);
          return list;
        },
      },
    } as unknown as Store;
    return { store, asked };
  };

  test('the start of the last completed run and of the last finished run, the current one left out', async () => {
    const { store, asked } = storeOf([
      exec('now', 'running', '2026-01-05T00:00:00Z', true),
      exec('e4', 'failed', '2026-01-04T00:00:00Z', true),
      exec('e3', 'warning', '2026-01-03T00:00:00Z', true),
      exec('e2', 'succeeded', '2026-01-02T00:00:00Z', true),
    ]);
    assert.deepEqual(await jobScope(store, task, 'now'), {
      last_success: new Date('2026-01-03T00:00:00Z'),
      last_run: new Date('2026-01-04T00:00:00Z'),
    });
    assert.deepEqual(asked, [{ taskId: 'people', limit: 200 }]);
  });

  test('unfinished runs do not count; a succeeded run is a success', async () => {
    const { store } = storeOf([
      exec('e3', 'running', '2026-01-03T00:00:00Z', false),
      exec('e2', 'succeeded', '2026-01-02T00:00:00Z', true),
    ]);
    assert.deepEqual(await jobScope(store, task, ''), {
      last_success: new Date('2026-01-02T00:00:00Z'),
      last_run: new Date('2026-01-02T00:00:00Z'),
    });
  });

  test('no runs yet: both null', async () => {
    assert.deepEqual(await jobScope(storeOf([]).store, task, ''), { last_success: null, last_run: null });
    const failedOnly = storeOf([exec('e1', 'cancelled', '2026-01-01T00:00:00Z', true)]).store;
    assert.deepEqual(await jobScope(failedOnly, task, ''), {
      last_success: null,
      last_run: new Date('2026-01-01T00:00:00Z'),
    });
  });
});

describe('source fields: what a read asks the source for', () => {
  const m = mappingOf({
    fields: [
      { target: 'email', from: 'email' },
      { target: 'city', from: 'address.city.name' },
      { target: 'label', template: '{ first_name } {last_name}' },
      { target: 'n', formula: 'count(contracts where role_id = 1) + lower(nick)' },
      { target: 'fixed', value: 'x' },
    ],
    filter: 'active = true and region.zip > 8000',
    associations: [{ object: 'companies', from: 'org_id', mapping: 'orgs' }],
  });

  test('sourceFields: key, modified column, top-level fields of every path, template, formula, filter and association', () => {
    assert.deepEqual(sourceFields(m), [
      'id',
      'modified_at',
      'email',
      'address',
      'first_name',
      'last_name',
      'org_id',
      'contracts',
      'nick',
      'active',
      'region',
    ]);
  });

  test('sourceFields without a modified column or extra fields is the key and the mapped fields', () => {
    const plain = mappingOf({ source: { connectionId: 'erp', object: 'people', key: 'nr' } });
    assert.deepEqual(sourceFields(plain), ['nr', 'email']);
  });

  test('sourcePaths: every dotted path the fields read, the filter aside', () => {
    assert.deepEqual(sourcePaths(m), [
      'email',
      'address.city.name',
      'first_name',
      'last_name',
      'contracts',
      'contracts.role_id',
      'nick',
    ]);
  });

  test('filterPaths: the paths the filter reads; none without a filter, and an invalid filter adds none', () => {
    assert.deepEqual(filterPaths(m), ['active', 'region.zip']);
    assert.deepEqual(filterPaths(mappingOf()), []);
    assert.deepEqual(filterPaths(mappingOf({ filter: '  ' })), []);
    assert.deepEqual(filterPaths(mappingOf({ filter: 'active = = 1' })), []);
  });

  test('secretSaver stores a renewed secret on its connection, keeping the rest', async () => {
    const saved: unknown[] = [];
    const store = {
      connections: {
        get: async (id: string) => ({
          id,
          name: 'HubSpot',
          system: 'hubspot',
          config: { a: 1 },
          secret: { old: true },
        }),
        save: async (c: unknown) => {
          saved.push(c);
        },
      },
    } as unknown as Store;
    await secretSaver(store)('hs', { token: 'new' });
    assert.deepEqual(saved, [
      { id: 'hs', name: 'HubSpot', system: 'hubspot', config: { a: 1 }, secret: { token: 'new' } },
    ]);
  });
});
