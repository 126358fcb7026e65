import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { type MappingDefinitionInput, MappingDefinitionSchema } from '../../src/core/mapping-definition.ts';
import { emptyField, fromDraft, type MappingDraft, toDraft } from '../../web/src/mapping-draft.ts';
import { emptyAssignment, keptAssignmentParts } from '../../web/src/mapping-draft-assignments.ts';
import { MAPPING as BROWSER_MAPPING } from '../browser/harness.ts';
import { spineConfig } from '../helpers/spine-config.ts';

const ROOT = join(import.meta.dirname, '../..');
const mappingsOf = (yamlText: string): MappingDefinitionInput[] =>
  (parseYaml(yamlText) as { mappings?: MappingDefinitionInput[] }).mappings ?? [];

/** A mapping with every part of the definition the dashboard does and does not edit. */
const EVERYTHING: MappingDefinitionInput = {
  id: 'everything',
  name: 'Everything a mapping can say',
  source: { connectionId: 'erp', object: 'people', key: 'id', modifiedField: '' },
  target: { connectionId: 'abacus', object: 'subjects' },
  matchKey: { target: 'Reference', source: 'ref' },
  filter: "  status = 'active'\n  and exists(bookings where paid = true)  ",
  fields: [
    { target: 'ref', template: '{id}' },
    { target: 'Reference', formula: "concat('P-', id)", required: false },
    { target: 'Name', from: 'company.name', transform: [{ type: 'trim' }], required: true },
    { target: 'Count', value: 42 },
    { target: 'Code', value: '42' },
    { target: 'Flags', value: { a: [1, { b: null }] } },
    { target: 'Empty', value: '' },
    { target: 'Nothing', value: null },
    {
      target: 'SalutationId',
      from: 'salutation',
      transform: [{ type: 'valueMap', map: { Herr: 1, Frau: { id: 2 } }, default: 0, strict: true }],
    },
    {
      target: 'Birthday',
      from: 'birthday',
      transform: [{ type: 'date', input: 'dd.MM.yyyy', output: 'epoch-ms' }],
    },
  ],
  deletes: 'archive',
  targetDeletes: 'recreate',
  writeBack: { externalId: 'abacus_id', remark: 'sync_remark' },
  privacy: 'delete',
  associations: [{ object: 'companies', from: 'company_id', mapping: 'companies' }],
  sync: 'upsert',
  identifier: 'target',
  readBack: { property: 'CustomerNumber', idProperty: 'Id', writeTo: 'customer_no' },
  initialMatching: { property: 'EMail', source: 'email' },
  assignments: [
    {
      name: 'bookings',
      source: { object: 'bookings', key: 'id' },
      target: { object: 'contracts' },
      matchKey: { target: 'id' },
      filter: 'paid = true',
      fields: [{ target: 'amount', formula: 'price * 1.081' }],
      writeBack: { status: 'sync_status' },
      sync: 'insert',
      identifier: 'source',
    },
  ],
};

const FIXTURES: { name: string; mapping: MappingDefinitionInput }[] = [
  ...mappingsOf(readFileSync(join(ROOT, 'src/demo/workspace.yaml'), 'utf8')).map((m) => ({
    name: `demo ${m.id}`,
    mapping: m,
  })),
  ...mappingsOf(readFileSync(join(ROOT, 'examples/people-to-hubspot.yaml'), 'utf8')).map((m) => ({
    name: `example ${m.id}`,
    mapping: m,
  })),
  ...mappingsOf(spineConfig({ businessUrl: 'sqlite:x.db', hubspotUrl: 'http://127.0.0.1:1' })).map((m) => ({
    name: `spine test ${m.id}`,
    mapping: m,
  })),
  { name: 'browser test people', mapping: { id: 'people', ...BROWSER_MAPPING } as MappingDefinitionInput },
  { name: 'every part of a definition', mapping: EVERYTHING },
];

const roundTrip = (m: MappingDefinitionInput) => ({ id: m.id, ...fromDraft(toDraft(m)) });

describe('the mapping editor saves what it opened unchanged', () => {
  for (const { name, mapping } of FIXTURES) {
    test(`${name}, as written and as stored, round-trips through the editor's draft deep-equal`, () => {
      assert.deepStrictEqual(roundTrip(mapping), mapping);
      // The store gives back the parsed definition, defaults filled in (transform: [], required: false).
      const stored = MappingDefinitionSchema.parse(mapping);
      assert.deepStrictEqual(roundTrip(stored), stored);
    });
  }

  test('every fixture is a valid mapping definition (the round-trip compares real definitions)', () => {
    for (const { name, mapping } of FIXTURES)
      assert.ok(MappingDefinitionSchema.safeParse(mapping).success, name);
    assert.ok(FIXTURES.filter((f) => f.name.startsWith('demo')).length >= 8, 'the demo has its mappings');
  });

  test('a mapping with a formula field saves with its formula (it used to crash with a TypeError)', () => {
    const draft = toDraft(EVERYTHING);
    draft.fields.push({
      ...emptyField(),
      target: 'Language',
      kind: 'formula',
      input: "coalesce(lang, 'de')",
    });
    const saved = fromDraft(draft);
    assert.deepEqual(saved.fields.at(-1), {
      target: 'Language',
      formula: "coalesce(lang, 'de')",
      transform: [],
      required: false,
    });
    assert.ok(MappingDefinitionSchema.safeParse({ id: 'x', ...saved }).success);
  });

  test('edits change only what was edited: marks, options and a field; the rest stays as it was', () => {
    const draft: MappingDraft = toDraft(EVERYTHING);
    draft.writeBack.remark = '';
    draft.writeBack.lastSync = 'synced_at';
    draft.privacy = 'anonymise';
    draft.deletes = 'ignore';
    draft.filter = '';
    const name = draft.fields[2];
    assert.ok(name);
    name.input = 'last_name';
    const saved = fromDraft(draft);
    assert.deepEqual(saved.writeBack, { externalId: 'abacus_id', lastSync: 'synced_at' });
    assert.equal(saved.privacy, 'anonymise');
    assert.equal(saved.deletes, 'ignore');
    assert.equal('filter' in saved, false);
    assert.deepEqual(saved.fields[2], {
      target: 'Name',
      from: 'last_name',
      transform: [{ type: 'trim' }],
      required: true,
    });
    const {
      writeBack: _w,
      privacy: _p,
      deletes: _d,
      filter: _f,
      fields: _x,
      id: _id,
      ...untouched
    } = EVERYTHING;
    for (const [k, v] of Object.entries(untouched)) assert.deepEqual(saved[k as keyof typeof saved], v, k);
  });

  test('write-back marks set in a new mapping are saved; none set saves no writeBack', () => {
    const draft = toDraft({ ...EVERYTHING, writeBack: undefined } as MappingDefinitionInput);
    assert.equal('writeBack' in fromDraft(draft), false);
    draft.writeBack.externalId = ' hubspot_id ';
    assert.deepEqual(fromDraft(draft).writeBack, { externalId: 'hubspot_id' });
  });

  test('assignments edited in the form are saved in the order shown; what the form does not show stays', () => {
    const draft = toDraft(EVERYTHING);
    const first = draft.assignments[0];
    assert.ok(first);
    first.filter = 'paid = false';
    first.matchKey = '';
    first.sync = '';
    draft.assignments.unshift({
      ...emptyAssignment(),
      name: 'opted in',
      targetObject: 'lists',
      fields: [{ ...emptyField(), target: 'email', input: 'email' }],
    });
    const saved = fromDraft(draft).assignments;
    assert.deepEqual(saved, [
      {
        name: 'opted in',
        target: { object: 'lists' },
        fields: [{ target: 'email', from: 'email', transform: [], required: false }],
      },
      {
        name: 'bookings',
        source: { object: 'bookings', key: 'id' },
        target: { object: 'contracts' },
        filter: 'paid = false',
        fields: [{ target: 'amount', formula: 'price * 1.081' }],
        writeBack: { status: 'sync_status' },
        identifier: 'source',
      },
    ]);
    assert.ok(MappingDefinitionSchema.safeParse({ id: 'x', ...fromDraft(draft) }).success);
    assert.deepEqual(keptAssignmentParts(first), ['writeBack']);
    draft.assignments = [];
    assert.deepEqual(fromDraft(draft).assignments, []);
    assert.equal('assignments' in fromDraft(toDraft({ ...EVERYTHING, assignments: undefined })), false);
  });

  test('read-back, initial matching and associations edited in the form are saved; emptied, they are left out', () => {
    const draft = toDraft(EVERYTHING);
    draft.readBack.writeTo = '';
    draft.readBack.property = ' CustomerNo ';
    draft.initialMatching.source = 'mail';
    const first = draft.associations[0];
    assert.ok(first);
    first.mapping = 'organisations';
    draft.associations.push({ object: 'deals', from: 'deal_id', mapping: 'deals' });
    const saved = fromDraft(draft);
    assert.deepEqual(saved.readBack, { property: 'CustomerNo', idProperty: 'Id' });
    assert.deepEqual(saved.initialMatching, { property: 'EMail', source: 'mail' });
    assert.deepEqual(saved.associations, [
      { object: 'companies', from: 'company_id', mapping: 'organisations' },
      { object: 'deals', from: 'deal_id', mapping: 'deals' },
    ]);
    assert.ok(MappingDefinitionSchema.safeParse({ id: 'x', ...saved }).success);

    draft.readBack = { property: '', idProperty: '', writeTo: '' };
    draft.initialMatching = { property: '', source: '' };
    draft.associations = [{ object: '', from: '', mapping: '' }];
    const emptied = fromDraft(draft);
    assert.equal('readBack' in emptied, false);
    assert.equal('initialMatching' in emptied, false);
    assert.deepEqual(emptied.associations, []);
  });

  test('read-back set in a mapping that had none is saved; nothing set saves no key', () => {
    const plain = { ...EVERYTHING, readBack: undefined, associations: undefined } as MappingDefinitionInput;
    const draft = toDraft(plain);
    assert.equal('readBack' in fromDraft(draft), false);
    assert.equal('associations' in fromDraft(draft), false);
    draft.readBack.property = 'hs_object_id';
    assert.deepEqual(fromDraft(draft).readBack, { property: 'hs_object_id' });
  });
});
