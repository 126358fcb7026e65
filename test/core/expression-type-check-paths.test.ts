import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/core/errors.ts';
import { parseExpression, schemaOf, typeCheck } from '../../src/core/expression/index.ts';

const wide = Array.from({ length: 31 }, (_, i) => ({ name: `f${i}`, type: 'number' as const }));
const schema = schemaOf([
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'extra', type: 'json' },
      { name: 'home_id', type: 'number' },
    ],
    relations: [
      { name: 'home', object: 'places', kind: 'one', from: 'home_id', to: 'id' },
      // A relation named like a column: the column is what a path ending there reads.
      { name: 'home_id', object: 'places', kind: 'one', from: 'home_id', to: 'id' },
    ],
  },
  {
    name: 'places',
    fields: [{ name: 'id', type: 'number' }],
    relations: [{ name: 'residents', object: 'people', kind: 'many', from: 'id', to: 'home_id' }],
  },
  { name: 'wide', fields: wide },
]);

const typeOf = (text: string, object = 'people') => typeCheck(parseExpression(text), { schema, object });
function messageOf(text: string, object = 'people'): string {
  try {
    typeOf(text, object);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, String(err));
    return err.message;
  }
  assert.fail(`no type error for ${text}`);
}

describe('type check: paths and operands in depth', () => {
  test('a list relation deeper in a path is named by the whole path up to it', () => {
    assert.equal(
      messageOf('home.residents.id = 1'),
      "'home.residents' is a list of people: use count() or exists() at position 0",
    );
  });

  test('an unknown first segment of a longer path is an unknown field', () => {
    assert.match(messageOf('nope.x = 1'), /^unknown field 'nope' of people/);
  });

  test('a path ending at a name that is a column and a relation reads the column', () => {
    assert.equal(typeOf('home_id'), 'number');
  });

  test('the known fields of an unknown one are listed up to 30', () => {
    const listed = Array.from({ length: 30 }, (_, i) => `f${i}`).join(', ');
    assert.equal(messageOf('x', 'wide'), `unknown field 'x' of wide (known: ${listed}) at position 0`);
  });

  test('anything compares with an unknown type, also durations and links', () => {
    assert.equal(typeOf('7d = extra'), 'boolean');
    assert.equal(typeOf('home = extra'), 'boolean');
  });

  test('a duration adds only to a duration or a date', () => {
    assert.equal(messageOf('7d + 1'), "the left side of '+' must be number, not duration at position 0");
    assert.equal(messageOf('1 - 7d'), "the right side of '-' must be number, not duration at position 4");
  });

  test('an aggregate names the relation path up to the segment that is none', () => {
    assert.equal(
      messageOf('exists(home.x.y)'),
      "'home.x' is no relation of places (relations: residents) at position 7",
    );
  });
});
