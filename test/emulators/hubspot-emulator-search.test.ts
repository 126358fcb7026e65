import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SEARCH_LIMITS } from '../../emulators/hubspot/index.ts';
import { type ApiObject, type ApiResponse, type Harness, startEmulator } from './hubspot-helpers.ts';

const CITIES = ['Bern', 'Zürich', 'Basel'];

describe('HubSpot emulator: search', () => {
  let h: Harness;
  before(async () => {
    h = await startEmulator({ rateLimit: { max: Number.POSITIVE_INFINITY } });
    for (let i = 0; i < 30; i++) {
      const props: Record<string, string> = {
        email: `p${i}@example.com`,
        firstname: `Person ${i}`,
        city: CITIES[i % 3] ?? 'Bern',
        lastname: i % 2 === 0 ? 'Muster Meier' : 'Keller',
      };
      if (i % 5 !== 0) props.phone = `+41 31 000 00 ${i}`;
      h.emulator.state.insert('contacts', props);
    }
  });
  after(() => h.close());

  const search = (body: unknown) => h.call('POST', '/crm/v3/objects/contacts/search', body);
  const emails = (res: ApiResponse) => res.body.results.map((r: ApiObject) => r.properties.email as string);

  test('ANDs filters within a group, ORs groups, and reports the total', async () => {
    const res = await search({
      filterGroups: [
        {
          filters: [
            { propertyName: 'city', operator: 'EQ', value: 'bern' },
            { propertyName: 'phone', operator: 'HAS_PROPERTY' },
          ],
        },
        {
          filters: [{ propertyName: 'email', operator: 'IN', values: ['p1@example.com', 'p2@example.com'] }],
        },
      ],
      properties: ['email', 'city', 'phone'],
      limit: 100,
    });
    assert.equal(res.status, 200);
    const expected = h.emulator.state
      .all('contacts')
      .filter(
        (c) =>
          (c.properties.city === 'Bern' && c.properties.phone !== undefined) ||
          ['p1@example.com', 'p2@example.com'].includes(c.properties.email ?? ''),
      )
      .map((c) => c.properties.email);
    assert.deepEqual(emails(res).sort(), expected.sort());
    assert.equal(res.body.total, expected.length);
  });

  test('supports NEQ, NOT_IN, NOT_HAS_PROPERTY, CONTAINS_TOKEN, BETWEEN and GT on record ids', async () => {
    const total = (filters: unknown[]) =>
      search({ filterGroups: [{ filters }], limit: 0 }).then((r) => r.body.total);
    assert.equal(await total([{ propertyName: 'city', operator: 'NEQ', value: 'Bern' }]), 20);
    assert.equal(await total([{ propertyName: 'city', operator: 'NOT_IN', values: ['Bern', 'Basel'] }]), 10);
    assert.equal(await total([{ propertyName: 'phone', operator: 'NOT_HAS_PROPERTY' }]), 6);
    assert.equal(await total([{ propertyName: 'lastname', operator: 'CONTAINS_TOKEN', value: 'meier' }]), 15);
    assert.equal(
      await total([{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' }]),
      30,
    );
    assert.equal(
      await total([{ propertyName: 'hs_object_id', operator: 'BETWEEN', value: '5', highValue: '9' }]),
      5,
    );
    assert.equal(await total([{ propertyName: 'hs_object_id', operator: 'GT', value: '28' }]), 2);
  });

  test('sorts descending and pages with after until no cursor is left', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const res = await search({
        sorts: [{ propertyName: 'hs_object_id', direction: 'DESCENDING' }],
        limit: 7,
        after,
      });
      assert.equal(res.body.total, 30);
      seen.push(...res.body.results.map((r: ApiObject) => r.id));
      after = res.body.paging?.next?.after;
    } while (after);
    const ids = seen.map(Number);
    assert.equal(new Set(ids).size, 30);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
  });

  test('rejects more filter groups, filters or a larger limit than HubSpot allows', async () => {
    const f = { propertyName: 'city', operator: 'EQ', value: 'Bern' };
    const groups = (n: number, per: number) =>
      Array.from({ length: n }, () => ({ filters: Array.from({ length: per }, () => f) }));
    const g = SEARCH_LIMITS.maxFilterGroups;
    const per = SEARCH_LIMITS.maxFiltersPerGroup;
    assert.equal(
      (await search({ filterGroups: groups(g, Math.floor(SEARCH_LIMITS.maxFilters / g)) })).status,
      200,
    );
    for (const body of [
      { filterGroups: groups(g + 1, 1) },
      { filterGroups: groups(1, per + 1) },
      { filterGroups: groups(g, Math.floor(SEARCH_LIMITS.maxFilters / g) + 1) },
      { limit: SEARCH_LIMITS.maxLimit + 1 },
      { filterGroups: [{ filters: [{ propertyName: 'no_such_prop', operator: 'EQ', value: 'x' }] }] },
    ]) {
      const res = await search(body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(res.body.category, 'VALIDATION_ERROR');
    }
  });

  test('stops at 10 000 results: the cursor reaches the cap and asking past it answers 400', async () => {
    const big = await startEmulator({ rateLimit: { max: Number.POSITIVE_INFINITY } });
    try {
      for (let i = 0; i < SEARCH_LIMITS.maxResults + 50; i++)
        big.emulator.state.insert('companies', { name: `C${i}` });
      const body = { limit: 100, properties: ['name'] };
      const last = await big.call('POST', '/crm/v3/objects/companies/search', {
        ...body,
        after: String(SEARCH_LIMITS.maxResults - 100),
      });
      assert.equal(last.status, 200);
      assert.equal(last.body.total, SEARCH_LIMITS.maxResults + 50);
      assert.equal(last.body.results.length, 100);
      assert.equal(last.body.paging.next.after, String(SEARCH_LIMITS.maxResults));
      const past = await big.call('POST', '/crm/v3/objects/companies/search', {
        ...body,
        after: last.body.paging.next.after,
      });
      assert.equal(past.status, 400);
      assert.equal(past.body.category, 'VALIDATION_ERROR');
    } finally {
      await big.close();
    }
  });
});
