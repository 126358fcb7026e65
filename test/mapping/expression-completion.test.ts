import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  completeExpression,
  completeSourceField,
  completeTemplate,
  manyRelations,
  type ObjectDescription,
  sourcePaths,
} from '../../web/src/expression-completion.ts';

// people → company (to-one) → country (to-one); company ← people (to-many back); people ← contracts.
const OBJECTS: ObjectDescription[] = [
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'email', type: 'string' },
      { name: 'company_id', type: 'number' },
      { name: 'Full name', type: 'string' },
    ],
    relations: [
      { name: 'company', object: 'companies', kind: 'one', from: 'company_id', to: 'id' },
      { name: 'contracts', object: 'contracts', kind: 'many', from: 'id', to: 'person_id' },
    ],
  },
  {
    name: 'companies',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'name', type: 'string', label: 'Company name' },
      { name: 'country_id', type: 'number' },
    ],
    relations: [
      { name: 'country', object: 'countries', kind: 'one', from: 'country_id', to: 'id' },
      { name: 'people', object: 'people', kind: 'many', from: 'id', to: 'company_id' },
    ],
  },
  {
    name: 'countries',
    fields: [{ name: 'code', type: 'string' }],
    relations: [{ name: 'capital_company', object: 'companies', kind: 'one', from: 'code', to: 'id' }],
  },
  { name: 'contracts', fields: [{ name: 'person_id', type: 'number' }] },
];
const paths = sourcePaths(OBJECTS, 'people');
const source = { paths, many: manyRelations(OBJECTS, 'people') };
const labels = (c: ReturnType<typeof completeExpression>) => c?.items.map((i) => i.label) ?? [];

describe('completion in the mapping editor', () => {
  test('the source picker offers own fields, then fields through to-one relations two deep, without cycles', () => {
    assert.deepEqual(
      paths.map((p) => p.path),
      [
        'id',
        'email',
        'company_id',
        'Full name',
        'company.id',
        'company.name',
        'company.country_id',
        'company.country.code',
      ],
    );
    assert.deepEqual(
      completeSourceField('comp', paths)?.items.map((i) => i.insert),
      ['company_id', 'company.id', 'company.name', 'company.country_id', 'company.country.code'],
    );
    // Only the name typed in full: no list. A full name with longer ones beside it stays first (Enter keeps it).
    assert.equal(completeSourceField('company.name', paths), null);
    assert.deepEqual(
      completeSourceField('id', paths)?.items.map((i) => i.insert),
      ['id', 'company_id', 'company.id', 'company.country_id'],
    );
    const typed = 'id = 3 and id';
    assert.equal(completeExpression(typed, typed.length, source)?.items[0]?.insert, 'id');
  });

  test('a word in a filter completes fields, relation paths, functions and keywords; the word is replaced', () => {
    const text = "status = 'x' and comp";
    const c = completeExpression(text, text.length, source);
    assert.equal(c?.start, text.length - 4);
    assert.equal(c?.end, text.length);
    assert.deepEqual(labels(c).slice(0, 3), ['company_id', 'company.id', 'company.name']);
    const lo = completeExpression('lo', 2, source);
    assert.deepEqual(
      lo?.items.filter((i) => i.kind === 'function').map((i) => i.insert),
      ['lower('],
    );
    assert.ok(labels(completeExpression('a', 1, source)).includes('and'));
  });

  test('a template completes the name in an open placeholder and closes it; a {{ brace is no placeholder', () => {
    const text = 'Dear {comp';
    const c = completeTemplate(text, text.length, paths);
    assert.equal(c?.start, 6);
    assert.deepEqual(
      c?.items.slice(0, 2).map((i) => i.insert),
      ['company_id}', 'company.id}'],
    );
    const closed = '{comp} x';
    assert.equal(completeTemplate(closed, 5, paths)?.items[0]?.insert, 'company_id');
    assert.equal(completeTemplate(closed, 5, paths)?.end, 5);
    assert.equal(completeTemplate('{id} and ', 9, paths), null);
    assert.equal(completeTemplate('{{comp', 6, paths), null);
    assert.ok((completeTemplate('{', 1, paths)?.items.length ?? 0) > 0);
  });

  test('names that are not bare identifiers are inserted double-quoted', () => {
    assert.equal(completeExpression('Full', 4, source)?.items[0]?.insert, '"Full name"');
  });

  test('inside count( the to-many relations are offered; inside quotes and after a number nothing', () => {
    assert.deepEqual(labels(completeExpression('count(', 6, source, true)), ['contracts']);
    assert.equal(completeExpression("status = 'comp", 14, source), null);
    assert.equal(completeExpression('now() - 7d', 10, source), null);
    assert.equal(completeExpression('a = ', 4, source), null);
    assert.ok(labels(completeExpression('a = ', 4, source, true)).length > 0);
  });
});
