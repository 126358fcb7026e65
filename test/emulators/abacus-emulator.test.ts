import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type AbacusHarness, startAbacusHarness } from '../../emulators/abacus/harness.ts';

describe('Abacus emulator: OAuth client credentials', () => {
  let clock = Date.now();
  let h: AbacusHarness;
  before(async () => {
    h = await startAbacusHarness({
      clients: [{ clientId: 'svc', clientSecret: 's3cret' }],
      now: () => clock,
      rateLimit: { max: Infinity },
    });
  });
  after(() => h.close());
  beforeEach(() => {
    h.emulator.reset();
    h.forgetToken();
  });

  test('the openid-configuration names the token endpoint, which issues a Bearer token for 600 s', async () => {
    const discovery = await h.call('GET', '/.well-known/openid-configuration', undefined, { token: null });
    assert.equal(discovery.status, 200);
    assert.equal(discovery.body.token_endpoint, `${h.baseUrl}/oauth/oauth2/v1/token`);
    const token = await h.requestToken();
    assert.equal(token.status, 200);
    assert.equal(token.body.token_type, 'Bearer');
    assert.equal(token.body.expires_in, 600);
    assert.equal(typeof token.body.access_token, 'string');
    const list = await h.entity(7777, 'GET', 'Subjects', undefined, { token: token.body.access_token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.value, []);
  });

  test('a wrong secret gets 401 invalid_client and a wrong grant type 400 unsupported_grant_type', async () => {
    const wrong = await h.requestToken('svc', 'guess');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    const grant = await fetch(`${h.baseUrl}/oauth/oauth2/v1/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('svc:s3cret').toString('base64')}`,
      },
      body: 'grant_type=password',
    });
    assert.equal(grant.status, 400);
    assert.equal(((await grant.json()) as { error: string }).error, 'unsupported_grant_type');
    assert.equal(h.emulator.stats.tokensIssued, 0);
  });

  test('client_id and client_secret in the form body are accepted as well as Basic auth', async () => {
    const res = await fetch(`${h.baseUrl}/oauth/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=svc&client_secret=s3cret',
    });
    assert.equal(res.status, 200);
  });

  test('a missing, unknown or expired token gets 401 with an OData error body', async () => {
    for (const token of [null, 'not-a-token']) {
      const res = await h.entity(7777, 'GET', 'Subjects', undefined, { token });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'Unauthorized');
      assert.equal(typeof res.body.error.message, 'string');
    }
    const token = (await h.requestToken()).body.access_token;
    clock += 599_000;
    assert.equal((await h.entity(7777, 'GET', 'Subjects', undefined, { token })).status, 200);
    clock += 1_000;
    const expired = await h.entity(7777, 'GET', 'Subjects', undefined, { token });
    assert.equal(expired.status, 401);
    assert.match(expired.body.error.message, /expired/);
    const fresh = (await h.requestToken()).body.access_token;
    assert.equal((await h.entity(7777, 'GET', 'Subjects', undefined, { token: fresh })).status, 200);
    assert.equal(h.emulator.stats.unauthorized, 3);
  });

  test('expireTokens() ends every token issued so far', async () => {
    const token = (await h.requestToken()).body.access_token;
    h.emulator.expireTokens();
    assert.equal((await h.entity(7777, 'GET', 'Subjects', undefined, { token })).status, 401);
  });
});

describe('Abacus emulator: entities, mandants and limits', () => {
  let h: AbacusHarness;
  before(async () => {
    h = await startAbacusHarness({ rateLimit: { max: Infinity } });
  });
  after(() => h.close());
  beforeEach(() => {
    h.emulator.reset();
    h.forgetToken();
  });

  test('POST Subjects answers 201 with the Id Abacus assigned; GET by key finds it in both key forms', async () => {
    const res = await h.entity(7777, 'POST', 'Subjects', {
      Name: 'Muster',
      FirstName: 'Anna',
      Language: 'de',
      SalutationId: 2,
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.Id, 1);
    assert.equal(res.body.Name, 'Muster');
    assert.equal(res.body.Status, 'Active');
    assert.equal(res.headers.get('location'), `${h.baseUrl}/api/entity/v1/mandants/7777/Subjects(Id=1)`);
    const second = await h.entity(7777, 'POST', 'Subjects', { Name: 'Beispiel' });
    assert.equal(second.body.Id, 2);
    for (const path of ['Subjects(Id=2)', 'Subjects(2)']) {
      const got = await h.entity(7777, 'GET', path);
      assert.equal(got.status, 200);
      assert.equal(got.body.Name, 'Beispiel');
    }
  });

  test('PATCH answers 204, changes only the given properties and merges UserFields', async () => {
    await h.entity(7777, 'POST', 'Subjects', {
      Name: 'Muster',
      FirstName: 'Anna',
      UserFields: { UserField1: 'K-1', UserField2: 'x' },
    });
    const patch = await h.entity(7777, 'PATCH', 'Subjects(Id=1)', {
      FirstName: 'Anne',
      UserFields: { UserField1: 'K-2' },
    });
    assert.equal(patch.status, 204);
    const got = await h.entity(7777, 'GET', 'Subjects(Id=1)');
    assert.equal(got.body.Name, 'Muster');
    assert.equal(got.body.FirstName, 'Anne');
    assert.equal(got.body.UserFields.UserField1, 'K-2');
    assert.equal(got.body.UserFields.UserField2, 'x');
  });

  test('a missing entity answers 404 with an OData error body for GET, PATCH and DELETE', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await h.entity(
        7777,
        method,
        'Subjects(Id=42)',
        method === 'PATCH' ? { Name: 'x' } : undefined,
      );
      assert.equal(res.status, 404, method);
      assert.equal(res.body.error.code, 'NotFound');
    }
  });

  test('DELETE of a subject answers 204 and removes its addresses and communications', async () => {
    await h.entity(7777, 'POST', 'Subjects', { Name: 'Muster' });
    await h.entity(7777, 'POST', 'Addresses', {
      SubjectId: 1,
      Street: 'Bahnhofstrasse',
      City: 'Zürich',
      PostCode: '8001',
      ValidFrom: '2024-01-01',
    });
    await h.entity(7777, 'POST', 'Communications', { SubjectId: 1, Type: 'EMail', Value: 'anna@example.ch' });
    assert.equal((await h.entity(7777, 'DELETE', 'Subjects(Id=1)')).status, 204);
    assert.equal((await h.entity(7777, 'GET', 'Subjects(Id=1)')).status, 404);
    assert.equal((await h.entity(7777, 'GET', 'Addresses')).body.value.length, 0);
    assert.equal((await h.entity(7777, 'GET', 'Communications')).body.value.length, 0);
  });

  test('rejects bodies the CSDL forbids with 400 naming the property', async () => {
    const cases: [string, unknown, string][] = [
      ['Subjects', { Name: 'x'.repeat(101) }, 'Name'],
      ['Subjects', { FirstName: 'no name' }, 'Name'],
      ['Subjects', { Name: 'x', Shoe: 42 }, 'Shoe'],
      ['Subjects', { Name: 'x', SalutationId: 'two' }, 'SalutationId'],
      ['Communications', { SubjectId: 1, Type: 'Pigeon', Value: 'x' }, 'Type'],
      ['Addresses', { SubjectId: 99, City: 'Bern' }, 'SubjectId'],
    ];
    await h.entity(7777, 'POST', 'Subjects', { Name: 'Muster' });
    for (const [set, body, target] of cases) {
      const res = await h.entity(7777, 'POST', set, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.body.error.code, 'BadRequest');
      assert.equal(res.body.error.target, target);
    }
    assert.equal(h.emulator.state.mandant(7777)?.all('Subjects').length, 1);
  });

  test('a second address of a subject with the same ValidFrom is a 409 conflict', async () => {
    await h.entity(7777, 'POST', 'Subjects', { Name: 'Muster' });
    const first = await h.entity(7777, 'POST', 'Addresses', {
      SubjectId: 1,
      City: 'Bern',
      ValidFrom: '2024-05-01',
    });
    assert.equal(first.status, 201);
    assert.match(first.body.Id, /^[0-9a-f-]{36}$/);
    const clash = await h.entity(7777, 'POST', 'Addresses', {
      SubjectId: 1,
      City: 'Thun',
      ValidFrom: '2024-05-01',
    });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.error.code, 'Conflict');
    assert.equal(
      (await h.entity(7777, 'POST', 'Addresses', { SubjectId: 1, City: 'Thun', ValidFrom: '2024-06-01' }))
        .status,
      201,
    );
  });

  test('each mandant has its own subjects and its own Id sequence', async () => {
    for (const name of ['A', 'B', 'C']) await h.entity(1, 'POST', 'Subjects', { Name: name });
    const other = await h.entity(2, 'POST', 'Subjects', { Name: 'C' });
    assert.equal(other.body.Id, 1);
    assert.deepEqual(
      (await h.entity(1, 'GET', 'Subjects')).body.value.map((s: { Name: string }) => s.Name),
      ['A', 'B', 'C'],
    );
    assert.deepEqual(
      (await h.entity(2, 'GET', 'Subjects')).body.value.map((s: { Id: number }) => s.Id),
      [1],
    );
    assert.equal((await h.entity(2, 'GET', 'Subjects(Id=3)')).status, 404);
  });

  test('with configured mandants, another mandant answers 404 and the number ranges start where set', async () => {
    const scoped = await startAbacusHarness({
      mandants: { '7777': { firstSubjectId: 10_000 } },
      rateLimit: { max: Infinity },
    });
    try {
      assert.equal((await scoped.entity(7777, 'POST', 'Subjects', { Name: 'x' })).body.Id, 10_000);
      const other = await scoped.entity(8888, 'GET', 'Subjects');
      assert.equal(other.status, 404);
      assert.equal(other.body.error.code, 'NotFound');
    } finally {
      await scoped.close();
    }
  });

  test('$metadata answers a CSDL document naming the entity sets', async () => {
    const res = await h.entity(7777, 'GET', '$metadata');
    assert.equal(res.status, 200);
    for (const set of ['Subjects', 'Addresses', 'Communications'])
      assert.match(res.body, new RegExp(`EntitySet Name="${set}"`));
  });
});

describe('Abacus emulator: rate limit and faults', () => {
  test('past the budget calls answer 429 with Retry-After and an OData error; the token endpoint is not counted', async () => {
    const h = await startAbacusHarness({ rateLimit: { max: 3, intervalMs: 10_000 } });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await h.entity(7777, 'GET', 'Subjects')).status, 200);
      const limited = await h.entity(7777, 'GET', 'Subjects');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.error.code, 'TooManyRequests');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 10, `Retry-After ${retryAfter}`);
      assert.equal((await h.requestToken()).status, 200);
      assert.equal(h.emulator.stats.rateLimited, 1);
    } finally {
      await h.close();
    }
  });

  test('a 429 storm and a 100 % error rate fail entity calls and write nothing', async () => {
    const h = await startAbacusHarness({ rateLimit: { max: Infinity }, faults: { seed: 7 } });
    try {
      h.emulator.setFaults({ rateLimitStorm: true });
      const storm = await h.entity(7777, 'POST', 'Subjects', { Name: 'x' });
      assert.equal(storm.status, 429);
      assert.equal(storm.headers.get('retry-after'), '1');
      h.emulator.setFaults({ rateLimitStorm: false, errorRate: 1 });
      const failed = await h.entity(7777, 'POST', 'Subjects', { Name: 'x' });
      assert.ok([500, 502, 503].includes(failed.status));
      assert.equal(typeof failed.body.error.code, 'string');
      assert.equal(h.emulator.state.mandant(7777)?.all('Subjects').length, 0);
      assert.equal(h.emulator.stats.serverErrors, 1);
      assert.equal(h.emulator.stats.writes, 2);
    } finally {
      await h.close();
    }
  });
});
