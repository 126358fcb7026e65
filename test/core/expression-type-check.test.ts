import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExpressionError } from '../../src/core/errors.ts';
import { resolveCall } from '../../src/core/expression/check.ts';
import { FUNCTIONS, parseExpression, schemaOf, typeCheck } from '../../src/core/expression/index.ts';
import { relationOf } from '../../src/core/expression/schema.ts';

const schema = schemaOf([
  {
    name: 'people',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'active', type: 'boolean' },
      { name: 'name', type: 'string' },
      { name: 'kind', type: 'enum' },
      { name: 'born', type: 'date' },
      { name: 'modified_at', type: 'datetime' },
      { name: 'extra', type: 'json' },
      { name: 'home_id', type: 'number' },
    ],
    relations: [
      { name: 'home', object: 'places', kind: 'one', from: 'home_id', to: 'id' },
      { name: 'orders', object: 'orders', kind: 'many', from: 'id', to: 'person_id' },
      { name: 'ghost', object: 'nowhere', kind: 'one', from: 'id', to: 'id' },
    ],
  },
  { name: 'places', fields: [{ name: 'zip', type: 'string' }] },
  {
    name: 'orders',
    fields: [
      { name: 'person_id', type: 'number' },
      { name: 'total', type: 'number' },
      { name: 'placed', type: 'date' },
    ],
  },
  { name: 'empty', fields: [] },
]);

const typeOf = (text: string, object = 'people') => typeCheck(parseExpression(text), { schema, object });

/** The ExpressionError a text's type check throws: its message and details. */
function errorOf(text: string, object = 'people'): { message: string; details: Record<string, unknown> } {
  try {
    typeOf(text, object);
  } catch (err) {
    assert.ok(err instanceof ExpressionError, String(err));
    return { message: err.message, details: err.details ?? {} };
  }
  assert.fail(`no type error for ${text}`);
}

describe('type check: values and fields', () => {
  test('literals and durations have their own types', () => {
    assert.equal(typeOf('1'), 'number');
    assert.equal(typeOf("'x'"), 'text');
    assert.equal(typeOf('false'), 'boolean');
    assert.equal(typeOf('null'), 'null');
    assert.equal(typeOf('7d'), 'duration');
  });

  test('each field type maps to its expression type', () => {
    assert.equal(typeOf('id'), 'number');
    assert.equal(typeOf('active'), 'boolean');
    assert.equal(typeOf('name'), 'text');
    assert.equal(typeOf('kind'), 'text');
    assert.equal(typeOf('born'), 'date');
    assert.equal(typeOf('modified_at'), 'date');
    assert.equal(typeOf('extra'), 'any');
  });

  test('below a JSON field anything goes; below any other field is an error', () => {
    assert.equal(typeOf('extra.a.b'), 'any');
    const e = errorOf('name.first');
    assert.equal(e.message, "'name' of people is no relation at position 0");
  });

  test('to-one relations lead to the related object; the relation itself is a link', () => {
    assert.equal(typeOf('home.zip'), 'text');
    assert.equal(typeOf('home'), 'link');
    assert.equal(typeOf('home is null'), 'boolean');
    assert.match(errorOf('home.zip.x').message, /'zip' of places is no relation/);
  });

  test('a to-many relation in a path asks for count() or exists()', () => {
    assert.equal(
      errorOf('orders.total').message,
      "'orders' is a list of orders: use count() or exists() at position 0",
    );
  });

  test('a relation to an object the schema lacks is an unknown object', () => {
    assert.equal(errorOf('id = ghost.id').message, "unknown object 'nowhere' at position 5");
    assert.equal(errorOf('1', 'nope').message, "unknown object 'nope' at position 0");
  });

  test('an unknown field names the object, its fields and relations, and where it is', () => {
    const e = errorOf('active and nme');
    assert.equal(
      e.message,
      "unknown field 'nme' of people (known: id, active, name, kind, born, modified_at, extra, home_id, home, orders, ghost) at position 11",
    );
    assert.deepEqual(e.details, { position: 11, field: 'nme', object: 'people' });
    assert.equal(errorOf('x', 'empty').message, "unknown field 'x' of empty at position 0");
    assert.equal(errorOf('home.city').details.field, 'home.city');
  });

  test('job and link fields have fixed types; others are refused with the known ones', () => {
    assert.equal(typeOf('job.last_success'), 'date');
    assert.equal(typeOf('job.last_run'), 'date');
    assert.equal(typeOf('link'), 'link');
    assert.equal(typeOf('link.external_id'), 'text');
    assert.equal(typeOf('link.external_number'), 'any');
    assert.equal(typeOf('link.last_sync'), 'date');
    assert.equal(typeOf('link.status'), 'text');
    assert.equal(typeOf('link.remark'), 'text');
    assert.equal(
      errorOf('job.last').message,
      "unknown field 'job.last' (known: job.last_success, job.last_run) at position 0",
    );
    assert.match(
      errorOf('link.status.x').message,
      /unknown field 'link\.status\.x' \(known: link\.external_id, /,
    );
    assert.match(errorOf('job').message, /unknown field 'job' of people/);
  });
});

describe('type check: operators', () => {
  test("'-' takes numbers and durations and keeps their type", () => {
    assert.equal(typeOf('-id'), 'number');
    assert.equal(typeOf('-7d'), 'duration');
    const e = errorOf('1 + -name');
    assert.equal(e.message, "the operand of '-' must be number or duration, not text at position 5");
    assert.deepEqual(e.details, { position: 5, type: 'text' });
  });

  test('not, and and or take conditions (booleans or numbers) and give booleans', () => {
    assert.equal(typeOf('not id'), 'boolean');
    assert.equal(typeOf('active and id or extra'), 'boolean');
    assert.match(errorOf('not name').message, /the operand of 'not' must be boolean or number, not text/);
    assert.equal(
      errorOf('born and active').message,
      "the left side of 'and' must be boolean or number, not date at position 0",
    );
    assert.equal(
      errorOf('active or name').message,
      "the right side of 'or' must be boolean or number, not text at position 10",
    );
  });

  test('?? unifies its sides: null gives way, equal types stay, mixed comparable types are any', () => {
    assert.equal(typeOf('null ?? id'), 'number');
    assert.equal(typeOf('id ?? null'), 'number');
    assert.equal(typeOf('name ?? kind'), 'text');
    assert.equal(typeOf('id ?? extra'), 'any');
    assert.equal(typeOf('extra ?? id'), 'any');
    assert.equal(typeOf('id ?? name'), 'any');
    assert.equal(
      errorOf('active ?? name').message,
      'the alternatives are of different types (boolean and text) at position 10',
    );
  });

  test('comparisons: text with numbers and dates, booleans with numbers; nothing with durations or links', () => {
    for (const ok of [
      "name = 'x'",
      'name = id',
      'id = name',
      'name < born',
      'active = 1',
      'born > now()',
      'extra = 7d',
      'null = 7d',
      'link = null',
      '7d = 7d',
    ])
      assert.equal(typeOf(ok), 'boolean', ok);
    for (const [text, l, r] of [
      ['born = 1', 'date', 'number'],
      ['active = born', 'boolean', 'date'],
      ["active = 'x'", 'boolean', 'text'],
      ['name = active', 'text', 'boolean'],
      ['7d = 1', 'duration', 'number'],
      ['id = 7d', 'number', 'duration'],
      ['link = 1', 'link', 'number'],
      ['name = link', 'text', 'link'],
    ] as const) {
      const e = errorOf(text);
      assert.equal(e.message, `cannot compare ${l} with ${r} at position 0`, text);
      assert.deepEqual(e.details, { position: 0, left: l, right: r }, text);
    }
  });

  test('dates move by durations: date ± duration and duration + date are dates', () => {
    assert.equal(typeOf('born + 7d'), 'date');
    assert.equal(typeOf('born - 7d'), 'date');
    assert.equal(typeOf('7d + born'), 'date');
    assert.equal(typeOf('born + extra'), 'date');
    assert.equal(typeOf('extra - born'), 'date');
    assert.equal(typeOf('born + null'), 'date');
    assert.equal(typeOf('null - born'), 'date');
    for (const [text, message] of [
      ['7d - born', 'cannot compute duration - date'],
      ['born - born', 'cannot compute date - date'],
      ['born * 7d', 'cannot compute date * duration'],
      ['born + 1', 'cannot compute date + number'],
      ['1 + born', 'cannot compute number + date'],
    ] as const) {
      const e = errorOf(text);
      assert.equal(
        e.message,
        `${message} (dates move by durations such as 7d, or add_days()) at position 0`,
        text,
      );
    }
  });

  test('arithmetic on text asks for concat(); durations add and subtract; the rest takes numbers', () => {
    assert.equal(
      errorOf('1 + name').message,
      "'+' needs numbers, not text (join text with concat()) at position 0",
    );
    assert.match(errorOf('name * 1').message, /'\*' needs numbers, not text/);
    assert.equal(typeOf('7d + 1h'), 'duration');
    assert.equal(typeOf('7d - 1h'), 'duration');
    assert.equal(
      errorOf('7d * 7d').message,
      "the left side of '*' must be number, not duration at position 0",
    );
    assert.equal(
      errorOf('2 / 7d').message,
      "the right side of '/' must be number, not duration at position 4",
    );
    assert.equal(typeOf('id * 2 - 1'), 'number');
    assert.equal(typeOf('id + extra'), 'number');
    assert.equal(typeOf('id + null'), 'null');
    assert.equal(typeOf('null * id'), 'null');
    assert.equal(
      errorOf('active + 1').message,
      "the left side of '+' must be number, not boolean at position 0",
    );
  });
});

describe('type check: is null, in and like', () => {
  test('is null takes anything; in compares each element with the operand', () => {
    assert.equal(typeOf('name is not null'), 'boolean');
    assert.equal(typeOf('id in (1, true, extra, null)'), 'boolean');
    const e = errorOf("active in (true, 'x')");
    assert.equal(e.message, 'cannot compare boolean with text at position 17');
  });

  test('like takes text or a number and a text pattern', () => {
    assert.equal(typeOf("name like 'a%'"), 'boolean');
    assert.equal(typeOf("id like '1%'"), 'boolean');
    assert.equal(
      errorOf("active like 'x'").message,
      "the operand of 'like' must be text or number, not boolean at position 0",
    );
    assert.equal(
      errorOf('name like 1').message,
      "the pattern of 'like' must be text, not number at position 10",
    );
  });
});

describe('type check: functions', () => {
  test('date functions give dates and take numbers (date()), dates or text (end_of_day, add_days)', () => {
    assert.equal(typeOf('now()'), 'date');
    assert.equal(typeOf('today()'), 'date');
    assert.equal(typeOf('date(2022, 1, id)'), 'date');
    assert.equal(
      errorOf("date(2022, 'x', 1)").message,
      'argument 2 of date() must be number, not text at position 11',
    );
    assert.equal(typeOf('end_of_day(born)'), 'date');
    assert.equal(typeOf("end_of_day('2025-01-01')"), 'date');
    assert.equal(typeOf('add_days(modified_at, id)'), 'date');
    assert.equal(
      errorOf('end_of_day(id)').message,
      'the argument of end_of_day() must be date or text, not number at position 11',
    );
    assert.equal(
      errorOf('add_days(born, born)').message,
      'the day count of add_days() must be number, not date at position 15',
    );
  });

  test('if() takes a condition and unifies its branches', () => {
    assert.equal(typeOf('if(active, null, id)'), 'number');
    assert.equal(typeOf('if(id, name, kind)'), 'text');
    assert.equal(
      errorOf('if(name, 1, 2)').message,
      'the condition of if() must be boolean or number, not text at position 3',
    );
    assert.equal(
      errorOf('if(active, active, name)').message,
      'the alternatives are of different types (boolean and text) at position 19',
    );
  });

  test('coalesce() unifies all its arguments, reporting the first that does not fit', () => {
    assert.equal(typeOf('coalesce(null, id, null)'), 'number');
    assert.equal(typeOf('coalesce(name, kind)'), 'text');
    assert.equal(
      errorOf('coalesce(active, null, name)').message,
      'the alternatives are of different types (boolean and text) at position 23',
    );
  });

  test('text functions give text; left() needs a numeric length; length() a number', () => {
    for (const text of [
      'lower(id)',
      'upper(name)',
      'trim(name)',
      'concat(name, id)',
      'left(name, 2)',
      "replace(name, 'a', 'b')",
    ])
      assert.equal(typeOf(text), 'text', text);
    assert.equal(
      errorOf("left(name, 'x')").message,
      'the length of left() must be number, not text at position 11',
    );
    assert.equal(typeOf('length(name)'), 'number');
  });

  test('param() takes its name as a text literal and may be anything', () => {
    assert.equal(typeOf("param('tenant')"), 'any');
    for (const text of ['param(1)', 'param(name)', "param('a' ?? 'b')"])
      assert.equal(
        errorOf(text).message,
        "param() takes the parameter's name as text, e.g. param('tenant') at position 6",
        text,
      );
  });

  test('an unknown function or a wrong argument count is an error at the call', () => {
    assert.match(errorOf('id = nope(1)').message, /unknown function 'nope' at position 5/);
    assert.match(errorOf('lower(name, id)').message, /lower\(\) takes 1 argument but got 2/);
  });
});

describe('type check: aggregates', () => {
  test('count() is a number and exists() a boolean, over to-one or to-many relations', () => {
    assert.equal(typeOf('count(orders where total > 1)'), 'number');
    assert.equal(typeOf('exists(orders)'), 'boolean');
    assert.equal(typeOf('exists(home)'), 'boolean');
  });

  test('the condition is checked against the related object and must be a condition', () => {
    assert.match(errorOf('count(orders where zip = 1)').message, /unknown field 'zip' of orders/);
    assert.equal(
      errorOf('count(orders where placed) > 0').message,
      'the condition of count() must be boolean or number, not date at position 19',
    );
  });

  test('an unknown relation is named with the relations there are, at the relation', () => {
    assert.equal(
      errorOf('1 < count(order)').message,
      "'order' is no relation of people (relations: home, orders, ghost) at position 10",
    );
    assert.equal(errorOf('exists(home.x)').message, "'home.x' is no relation of places at position 7");
    assert.equal(errorOf('exists(ghost)').message, "unknown object 'nowhere' at position 7");
  });
});

describe('function resolution and relations', () => {
  test('an unknown function is refused with the list of every known function, comma-separated', () => {
    const names = [...FUNCTIONS.keys()];
    assert.ok(names.length > 1 && names.includes('lower') && names.includes('concat'));
    assert.throws(
      () => resolveCall('nope', 1, 7),
      (err: unknown) =>
        err instanceof ExpressionError &&
        err.message === `unknown function 'nope' at position 7 (known functions: ${names.join(', ')})`,
    );
  });

  test('relationOf finds a relation by name, and gives undefined for no object or an object without relations', () => {
    const relation = {
      name: 'contracts',
      object: 'contracts',
      kind: 'many',
      from: 'id',
      to: 'person_id',
    } as const;
    const object = { name: 'people', fields: [], relations: [relation] };
    assert.equal(relationOf(object, 'contracts'), relation);
    assert.equal(relationOf(object, 'other'), undefined);
    assert.equal(relationOf({ name: 'x', fields: [] }, 'contracts'), undefined);
    assert.equal(relationOf(undefined, 'contracts'), undefined);
  });
});
