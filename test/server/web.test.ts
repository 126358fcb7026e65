import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandler } from '../../src/server/errors.ts';
import { registerWeb } from '../../src/server/web.ts';

async function appWith(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandler(app);
  app.get('/api/ping', async () => ({ ok: true }));
  await registerWeb(app, { root });
  await app.ready();
  return app;
}

describe('serving the built dashboard', () => {
  let dir: string;
  let app: FastifyInstance;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'junction-web-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'dist', 'assets', 'app-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
    app = await appWith(join(dir, 'dist'));
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('client-side routes get index.html, never cached', async () => {
    for (const url of ['/', '/history', '/executions/abc?x=1']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /id="root"/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
  });

  test('hashed assets are served with a long cache lifetime; a missing asset is a 404, not HTML', async () => {
    const res = await app.inject({ url: '/assets/app-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log(1)');
    assert.match(res.headers['cache-control'] as string, /immutable/);
    assert.equal((await app.inject({ url: '/assets/app-old999.js' })).statusCode, 404);
  });

  test('API paths keep their routes and their JSON 404', async () => {
    assert.deepEqual((await app.inject({ url: '/api/ping' })).json(), { ok: true });
    const missing = await app.inject({ url: '/api/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
    assert.equal((await app.inject({ method: 'POST', url: '/history' })).statusCode, 404);
  });

  test('a path that climbs out of the build folder never serves the file outside it', async () => {
    for (const url of ['/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt']) {
      const res = await app.inject({ url });
      assert.doesNotMatch(res.body, /TOP-SECRET/, url);
    }
  });

  test('without a build, pages explain how to build it and the API still works', async () => {
    const bare = await appWith(join(dir, 'does-not-exist'));
    const res = await bare.inject({ url: '/tasks' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
    assert.equal((await bare.inject({ url: '/api/nothing' })).json().error.code, 'not_found');
    await bare.close();
  });
});
