import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/store/migrate.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { type Client, createTestServer, login, VIEWER } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/** Finding 4: API tokens outlived password changes and admin resets, never expired, and admins could not see them. */
for (const dialect of DIALECTS) {
  describe(`API token lifecycle (${dialect.name})`, () => {
    let db: TempDatabase;
    let store: Store;
    let app: FastifyInstance;
    let admin: Client;
    let viewer: Client;
    let password = VIEWER.password;

    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      ({ app, admin, viewer } = await createTestServer(store));
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await db?.drop();
    });

    const withToken = (token: string, url = '/api/auth/me') =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const newToken = async (client: Client, body: Record<string, unknown> = { name: 'script' }) => {
      const res = await client.send('POST', '/api/auth/tokens', body);
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; token: string; expiresAt: string | null };
    };
    const viewerId = async () =>
      (await admin.get('/api/users'))
        .json()
        .users.find((u: { username: string }) => u.username === 'customer').id as string;

    test('a token expires after 90 days unless another lifetime is asked for', async () => {
      const t = await newToken(viewer);
      const days = (Date.parse(t.expiresAt ?? '') - Date.now()) / 86_400_000;
      assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);
      const short = await newToken(viewer, { name: 'one day', expiresInDays: 1 });
      assert.ok(Date.parse(short.expiresAt ?? '') - Date.now() <= 86_400_000);
      const forever = await newToken(viewer, { name: 'forever', expiresInDays: null });
      assert.equal(forever.expiresAt, null);
      assert.equal((await withToken(t.token)).statusCode, 200);
    });

    test('an expired token no longer authenticates', async () => {
      const t = await newToken(viewer);
      assert.equal((await withToken(t.token)).statusCode, 200);
      await store.db
        .updateTable('api_tokens')
        .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('id', '=', t.id)
        .execute();
      const res = await withToken(t.token);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, 'unauthenticated');
    });

    test('the last use of a token is recorded and shown to its owner and to admins', async () => {
      const t = await newToken(viewer, { name: 'used' });
      const before = Date.now();
      assert.equal((await withToken(t.token)).statusCode, 200);
      const own = (await viewer.get('/api/auth/tokens'))
        .json()
        .tokens.find((x: { id: string }) => x.id === t.id);
      assert.ok(Date.parse(own.lastUsedAt) >= before - 1000, JSON.stringify(own));
      const seen = (await admin.get(`/api/users/${await viewerId()}/tokens`)).json().tokens;
      const listed = seen.find((x: { id: string }) => x.id === t.id);
      assert.equal(listed.name, 'used');
      assert.equal(listed.lastUsedAt, own.lastUsedAt);
      assert.ok(listed.expiresAt);
      assert.equal(JSON.stringify(seen).includes('token_hash'), false);
      assert.equal(JSON.stringify(seen).includes(t.token.split('.')[1] as string), false);
    });

    test("an admin revokes another user's token; a viewer cannot list or revoke others' tokens", async () => {
      const t = await newToken(viewer, { name: 'leaked' });
      const id = await viewerId();
      const adminId = (await admin.get('/api/auth/me')).json().user.id;
      assert.equal((await viewer.get(`/api/users/${adminId}/tokens`)).statusCode, 403);
      assert.equal((await viewer.send('DELETE', `/api/users/${adminId}/tokens/x`)).statusCode, 403);
      // Another user's token cannot be revoked through one's own token route.
      const adminToken = await newToken(admin, { name: 'admin script' });
      assert.equal((await viewer.send('DELETE', `/api/auth/tokens/${adminToken.id}`)).statusCode, 404);
      assert.equal((await withToken(adminToken.token)).statusCode, 200);

      const revoked = await admin.send('DELETE', `/api/users/${id}/tokens/${t.id}`);
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal((await withToken(t.token)).statusCode, 401);
      assert.equal((await admin.send('DELETE', `/api/users/${id}/tokens/${t.id}`)).statusCode, 404);
    });

    test('changing one’s own password revokes every own token, even after setting yet another password', async () => {
      const t = await newToken(viewer, { name: 'before change' });
      assert.equal((await withToken(t.token)).statusCode, 200);
      const next = 'viewer-password-456';
      const changed = await viewer.send('POST', '/api/auth/password', {
        currentPassword: password,
        newPassword: next,
      });
      assert.equal(changed.statusCode, 200, changed.body);
      password = next;
      assert.equal((await withToken(t.token)).statusCode, 401);
      assert.equal((await viewer.get('/api/auth/tokens')).json().tokens.length, 0);
      // The session that made the change goes on.
      assert.equal((await viewer.get('/api/auth/me')).statusCode, 200);
    });

    test("an admin's password reset revokes the user's tokens", async () => {
      const t = await newToken(viewer, { name: 'before reset' });
      const id = await viewerId();
      const reset = await admin.send('PATCH', `/api/users/${id}`, { password: 'reset-by-admin-123' });
      assert.equal(reset.statusCode, 200, reset.body);
      assert.equal((await withToken(t.token)).statusCode, 401);
      assert.equal((await admin.get(`/api/users/${id}/tokens`)).json().tokens.length, 0);
      // The user logs in with the reset password and sets their own; the old token stays dead.
      const again = await login(app, { username: 'customer', password: 'reset-by-admin-123' });
      const own = await again.send('POST', '/api/auth/password', {
        currentPassword: 'reset-by-admin-123',
        newPassword: 'viewer-password-789',
      });
      assert.equal(own.statusCode, 200, own.body);
      assert.equal((await withToken(t.token)).statusCode, 401);
    });

    test('tokens made before expiry existed get 90 days from the upgrade, not eternity', async () => {
      // Take the store back to before migration 0008 with a token of that time, then upgrade again.
      await sql`drop index api_tokens_user`.execute(store.db);
      await sql`alter table api_tokens drop column expires_at`.execute(store.db);
      await sql`delete from kysely_migration where name = '0008-api-token-expiry'`.execute(store.db);
      const id = await viewerId();
      await sql`insert into api_tokens (id, user_id, name, token_hash, last_used_at, created_at)
        values ('old', ${id}, 'made in 2025', 'x', null, '2025-01-01T00:00:00.000Z')`.execute(store.db);
      assert.deepEqual(await migrateToLatest(store.db, dialect.name === 'SQLite' ? 'sqlite' : 'postgres'), [
        '0008-api-token-expiry',
      ]);
      const old = (await store.users.listTokens(id)).find((t) => t.id === 'old');
      const days = (Date.parse(old?.expiresAt ?? '') - Date.now()) / 86_400_000;
      assert.ok(days > 89.9 && days <= 90, `expires in ${days} days`);
    });
  });
}
