import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type FieldMapping,
  type MappingDefinition,
  type MappingDefinitionInput,
  MappingDefinitionSchema,
} from '../../src/core/mapping-definition.ts';
import { mappingTable } from '../../src/core/mapping-table.ts';

const mapping = (extra: Partial<MappingDefinitionInput> = {}): MappingDefinition =>
  MappingDefinitionSchema.parse({
    id: 'people-contacts',
    name: 'People to contacts',
    source: { connectionId: 'erp', object: 'people', key: 'person_id' },
    target: { connectionId: 'crm', object: 'contacts' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'mail', required: true }],
    ...extra,
  });

test('the German table says what the mapping reads, writes, matches, filters and deletes', () => {
  const t = mappingTable(
    mapping({ matchKey: { target: 'email', source: 'work_email' }, filter: ' active = 1 ' }),
  );
  assert.deepEqual(t.about, [
    ['Mapping', 'People to contacts (people-contacts)'],
    ['Quelle', 'erp / people'],
    ['Schlüssel', 'person_id'],
    ['Ziel', 'crm / contacts'],
    ['Abgleich über', 'email (work_email)'],
    ['Filter (welche Datensätze)', 'active = 1'],
    ['Löschungen in der Quelle', 'ignore'],
  ]);
  assert.deepEqual(t.heading, ['Quellfeld', 'Umwandlung', 'Zielfeld', 'Pflicht']);
  assert.deepEqual(t.rows, [['mail', '', 'email', 'ja']]);
});

test('the English table uses English words throughout', () => {
  const t = mappingTable(
    mapping({
      deletes: 'archive',
      writeBack: { externalId: 'crm_id' },
      fields: [
        { target: 'email', from: 'mail', required: true },
        { target: 'country', value: 'CH' },
        { target: 'label', template: '{a}' },
        { target: 'name', formula: 'upper(last_name)' },
      ],
    }),
    'en',
  );
  assert.deepEqual(t.about, [
    ['Mapping', 'People to contacts (people-contacts)'],
    ['Source', 'erp / people'],
    ['Key', 'person_id'],
    ['Target', 'crm / contacts'],
    ['Matched by', 'email'],
    ['Filter (which records)', 'all'],
    ['Deletions in the source', 'archive'],
    ['Written back to the source', 'externalId → crm_id'],
  ]);
  assert.deepEqual(t.heading, ['Source field', 'Transform', 'Target property', 'Required']);
  assert.deepEqual(t.rows, [
    ['mail', '', 'email', 'yes'],
    ['constant: "CH"', '', 'country', 'no'],
    ['template: {a}', '', 'label', 'no'],
    ['formula: upper(last_name)', '', 'name', 'no'],
  ]);
});

test('without a filter, or with a blank one, every record goes', () => {
  assert.deepEqual(mappingTable(mapping()).about[5], ['Filter (welche Datensätze)', 'alle']);
  assert.deepEqual(mappingTable(mapping({ filter: '   ' })).about[5], ['Filter (welche Datensätze)', 'alle']);
});

test('the matched-by line names only the target property when no source field is given', () => {
  assert.deepEqual(mappingTable(mapping()).about[4], ['Abgleich über', 'email']);
});

test('the write-back line lists the marks that have a column, and is left out when none has', () => {
  const t = mappingTable(
    mapping({ writeBack: { externalId: 'crm_id', lastSync: '', status: 'sync_status' } }),
  );
  assert.deepEqual(t.about.at(-1), [
    'Rückschreiben in die Quelle',
    'externalId → crm_id, status → sync_status',
  ]);
  assert.equal(mappingTable(mapping({ writeBack: { lastSync: '' } })).about.length, 7);
  assert.equal(mappingTable(mapping()).about.length, 7);
});

test('constants are shown as JSON, a falsy one and an empty template too', () => {
  const t = mappingTable(
    mapping({
      fields: [
        { target: 'n', value: 0 },
        { target: 'b', value: false },
        { target: 'x', value: null },
        { target: 'o', value: { a: [1] } },
        { target: 't', template: '' },
      ],
    }),
  );
  assert.deepEqual(
    t.rows.map((r) => r[0]),
    ['fester Wert: 0', 'fester Wert: false', 'fester Wert: null', 'fester Wert: {"a":[1]}', 'Vorlage: '],
  );
});

test('transforms read as a chain with the options that matter: tables as pairs, lists joined, defaults off left out', () => {
  const t = mappingTable(
    mapping({
      fields: [
        {
          target: 'canton',
          from: 'kanton',
          transform: [
            { type: 'trim' },
            { type: 'valueMap', map: { ZH: 'Zürich', BE: 'Bern' } },
            { type: 'boolean', true: ['ja', 'oui'] },
            { type: 'split', separator: ';', index: -1 },
            { type: 'date', input: 'dd.MM.yyyy' },
          ],
        },
      ],
    }),
    'en',
  );
  assert.equal(
    t.rows[0]?.[1],
    'trim → valueMap (ZH → Zürich, BE → Bern) → boolean (true ja, oui) → split (separator ;, index -1) → date (input dd.MM.yyyy, output yyyy-MM-dd)',
  );
});

test('a strict value map says so; its default is shown', () => {
  const t = mappingTable(
    mapping({
      fields: [
        {
          target: 'c',
          from: 'k',
          transform: [{ type: 'valueMap', map: { A: 1 }, strict: true, default: 'x' }],
        },
      ],
    }),
  );
  assert.equal(t.rows[0]?.[1], 'valueMap (A → 1, default x, strict true)');
});

test('an option left undefined says nothing', () => {
  const m = mapping();
  const field = {
    target: 'c',
    from: 'k',
    required: false,
    transform: [{ type: 'valueMap', map: { A: 1 }, default: undefined, strict: false }],
  } as unknown as FieldMapping;
  assert.equal(mappingTable({ ...m, fields: [field] }).rows[0]?.[1], 'valueMap (A → 1)');
});

test('a null option is shown as null', () => {
  const t = mappingTable(
    mapping({
      fields: [{ target: 'c', from: 'k', transform: [{ type: 'valueMap', map: { A: 1 }, default: null }] }],
    }),
  );
  assert.equal(t.rows[0]?.[1], 'valueMap (A → 1, default null)');
});

test('a mapping without a deletions setting reads as ignoring them', () => {
  const m = { ...mapping({ deletes: 'propagate' }), deletes: undefined } as unknown as MappingDefinition;
  assert.deepEqual(mappingTable(m, 'en').about[6], ['Deletions in the source', 'ignore']);
  assert.deepEqual(mappingTable(mapping({ deletes: 'propagate' }), 'en').about[6], [
    'Deletions in the source',
    'propagate',
  ]);
});

test('a field with none of from, value or template is read as a formula, even an empty one', () => {
  const m = mapping();
  const bare = { target: 'n', transform: [], required: false } as unknown as FieldMapping;
  assert.deepEqual(mappingTable({ ...m, fields: [bare] }, 'en').rows, [['formula: ', '', 'n', 'no']]);
});

test('the heading handed out is a copy: changing it does not change the next table', () => {
  const first = mappingTable(mapping());
  first.heading[0] = 'changed';
  assert.equal(mappingTable(mapping()).heading[0], 'Quellfeld');
});
