import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AbacusHarness, startAbacusHarness } from '../../emulators/abacus/harness.ts';

const M = 7777;
const q = (params: Record<string, string>) =>
  `?${Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&')}`;

interface Row {
  Id: number;
  Name: string;
}
const names = (body: { value: Row[] }) => body.value.map((r) => r.Name);

describe('Abacus emulator: OData query options', () => {
  let h: AbacusHarness;
  // Five subjects, Ids 1..5, with a quote in one name and references in UserField1.
  const people = [
    { Name: 'Muster', FirstName: 'Anna', SalutationId: 2, UserFields: { UserField1: 'P-1' } },
    { Name: "D'Alessandro", FirstName: 'Luca', SalutationId: 1, UserFields: { UserField1: 'P-2' } },
    { Name: 'Keller', FirstName: 'Anna', SalutationId: 2, Language: 'fr', UserFields: { UserField1: 'P-3' } },
    { Name: 'Bühler', FirstName: 'Marco', SalutationId: 1, UserFields: { UserField1: 'P-4' } },
    { Name: 'Zollinger', FirstName: 'Eva', SalutationId: 2, DateOfBirth: '1990-03-01' },
  ];
  before(async () => {
    h = await startAbacusHarness({ pageSize: 2, rateLimit: { max: Infinity } });
    for (const p of people) await h.entity(M, 'POST', 'Subjects', p);
    await h.entity(M, 'POST', 'Addresses', {
      SubjectId: 1,
      Street: 'Alte Gasse',
      City: 'Bern',
      ValidFrom: '2020-01-01',
    });
    await h.entity(M, 'POST', 'Addresses', {
      SubjectId: 1,
      Street: 'Neue Gasse',
      City: 'Thun',
      ValidFrom: '2024-01-01',
    });
    await h.entity(M, 'POST', 'Communications', { SubjectId: 1, Type: 'EMail', Value: 'anna@example.ch' });
  });
  after(() => h.close());

  async function all(
    params: Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<{ rows: Row[]; pages: number }> {
    let res = await h.entity(M, 'GET', `Subjects${q(params)}`, undefined, { headers });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const rows: Row[] = [...res.body.value];
    let pages = 1;
    while (res.body['@odata.nextLink']) {
      res = await h.call('GET', res.body['@odata.nextLink'], undefined, { headers });
      assert.equal(res.status, 200);
      rows.push(...res.body.value);
      pages++;
    }
    return { rows, pages };
  }

  test('$filter compares with eq, ne, lt, gt, le, ge and escapes quotes by doubling them', async () => {
    const cases: [string, number[]][] = [
      ["Name eq 'D''Alessandro'", [2]],
      ["FirstName ne 'Anna'", [2, 4, 5]],
      ['Id lt 3', [1, 2]],
      ['Id gt 3', [4, 5]],
      ['Id le 3', [1, 2, 3]],
      ['Id ge 3', [3, 4, 5]],
      ["Name lt 'C'", [4]],
      ['DateOfBirth eq null', [1, 2, 3, 4]],
      ['DateOfBirth gt 1989-12-31', [5]],
    ];
    for (const [filter, ids] of cases) {
      const { rows } = await all({ $filter: filter });
      assert.deepEqual(
        rows.map((r) => r.Id),
        ids,
        filter,
      );
    }
  });

  test('$filter joins with and, or, not and parentheses, and reaches into UserFields', async () => {
    const cases: [string, number[]][] = [
      ["FirstName eq 'Anna' and SalutationId eq 2 and Language eq 'fr'", [3]],
      ["Name eq 'Muster' or Name eq 'Keller'", [1, 3]],
      ["not (FirstName eq 'Anna') and (SalutationId eq 1 or Id eq 5)", [2, 4, 5]],
      ["UserFields/UserField1 eq 'P-4'", [4]],
      ["UserFields/UserField1 eq ''", [5]],
    ];
    for (const [filter, ids] of cases)
      assert.deepEqual(
        (await all({ $filter: filter })).rows.map((r) => r.Id),
        ids,
        filter,
      );
  });

  test('$filter answers 400 for unknown properties, mistyped literals, functions and syntax errors', async () => {
    for (const filter of [
      "Shoe eq 'x'",
      "Id eq '1'",
      'Name eq 1',
      "contains(Name,'M')",
      "Name eq 'open",
      'Name eq',
      "Addresses eq 'x'",
    ]) {
      const res = await h.entity(M, 'GET', `Subjects${q({ $filter: filter })}`);
      assert.equal(res.status, 400, filter);
      assert.equal(res.body.error.code, 'BadRequest');
    }
  });

  test('$skip and $count are refused as Abacus documents; $top 0 answers nothing', async () => {
    assert.equal((await h.entity(M, 'GET', `Subjects${q({ $skip: '1' })}`)).status, 400);
    assert.equal((await h.entity(M, 'GET', `Subjects${q({ $count: 'true' })}`)).status, 400);
    const none = await h.entity(M, 'GET', `Subjects${q({ $top: '0' })}`);
    assert.deepEqual(none.body.value, []);
    assert.equal(none.body['@odata.nextLink'], undefined);
  });

  test('server paging follows @odata.nextLink with $skiptoken until every row was sent once', async () => {
    const { rows, pages } = await all({});
    assert.deepEqual(
      rows.map((r) => r.Id),
      [1, 2, 3, 4, 5],
    );
    assert.equal(pages, 3);
    const first = await h.entity(M, 'GET', 'Subjects');
    assert.match(
      first.body['@odata.nextLink'],
      /^http:\/\/127\.0\.0\.1:\d+\/api\/entity\/v1\/mandants\/7777\/Subjects\?\$skiptoken=/,
    );
    const bad = await h.entity(M, 'GET', `Subjects${q({ $skiptoken: 'garbage' })}`);
    assert.equal(bad.status, 400);
  });

  test('$top caps the total across pages and the next link keeps the filter and the order', async () => {
    const { rows, pages } = await all({ $top: '3', $orderby: 'Name desc', $filter: 'Id ne 1' });
    assert.deepEqual(
      rows.map((r) => r.Name),
      ['Zollinger', 'Keller', "D'Alessandro"],
    );
    assert.equal(pages, 2);
  });

  test('Prefer: odata.maxpagesize asks for smaller pages', async () => {
    const res = await h.entity(M, 'GET', 'Subjects', undefined, {
      headers: { prefer: 'odata.maxpagesize=1' },
    });
    assert.equal(res.body.value.length, 1);
    assert.equal(res.headers.get('preference-applied'), 'odata.maxpagesize=1');
    assert.equal((await all({}, { prefer: 'odata.maxpagesize=1' })).pages, 5);
  });

  test('a subject created between two pages is sent once, on a later page', async () => {
    const first = await h.entity(M, 'GET', 'Subjects');
    const created = await h.entity(M, 'POST', 'Subjects', { Name: 'Neu' });
    try {
      const seen = [...first.body.value];
      let next = first.body['@odata.nextLink'];
      while (next) {
        const page = await h.call('GET', next);
        seen.push(...page.body.value);
        next = page.body['@odata.nextLink'];
      }
      assert.deepEqual(
        seen.map((r: Row) => r.Id),
        [1, 2, 3, 4, 5, created.body.Id],
      );
    } finally {
      await h.entity(M, 'DELETE', `Subjects(Id=${created.body.Id})`);
    }
  });

  test('$orderby sorts by several properties and directions', async () => {
    const { rows } = await all({ $orderby: 'FirstName asc, Name desc' });
    assert.deepEqual(names({ value: rows }), ['Muster', 'Keller', 'Zollinger', "D'Alessandro", 'Bühler']);
  });

  test('$select sends only the chosen properties and an @odata.id when the key is left out', async () => {
    const res = await h.entity(M, 'GET', `Subjects${q({ $select: 'Name,FirstName', $filter: 'Id eq 1' })}`);
    assert.deepEqual(Object.keys(res.body.value[0]).sort(), ['@odata.id', 'FirstName', 'Name']);
    assert.match(res.body.value[0]['@odata.id'], /Subjects\(Id=1\)$/);
    const withKey = await h.entity(M, 'GET', `Subjects${q({ $select: 'Id,Name', $filter: 'Id eq 1' })}`);
    assert.deepEqual(withKey.body.value[0], { Id: 1, Name: 'Muster' });
    assert.equal((await h.entity(M, 'GET', `Subjects${q({ $select: 'Shoe' })}`)).status, 400);
  });

  test('$expand embeds addresses and communications, on collections and single entities', async () => {
    const res = await h.entity(
      M,
      'GET',
      `Subjects${q({ $filter: 'Id le 2', $expand: 'Addresses,Communications' })}`,
    );
    const [anna, luca] = res.body.value;
    assert.deepEqual(
      anna.Addresses.map((a: { City: string }) => a.City),
      ['Bern', 'Thun'],
    );
    assert.equal(anna.Communications[0].Value, 'anna@example.ch');
    assert.deepEqual(luca.Addresses, []);
    const single = await h.entity(M, 'GET', `Subjects(Id=1)${q({ $expand: 'Communications' })}`);
    assert.equal(single.body.Communications.length, 1);
    assert.equal(single.body.Addresses, undefined);
    assert.equal((await h.entity(M, 'GET', `Subjects${q({ $expand: 'Customers' })}`)).status, 400);
  });

  test('child sets filter on SubjectId, Type and GUID keys', async () => {
    const comms = await h.entity(
      M,
      'GET',
      `Communications${q({ $filter: "SubjectId eq 1 and Type eq 'EMail'" })}`,
    );
    assert.equal(comms.body.value.length, 1);
    const id = comms.body.value[0].Id;
    const byGuid = await h.entity(M, 'GET', `Communications${q({ $filter: `Id eq ${id}` })}`);
    assert.equal(byGuid.body.value[0].Value, 'anna@example.ch');
    assert.equal((await h.entity(M, 'GET', `Communications(Id=${id})`)).body.Type, 'EMail');
  });
});
