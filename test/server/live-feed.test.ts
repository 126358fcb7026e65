import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { seedPeopleTasks } from '../helpers/recorded-runs.ts';
import { type Client, createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

type Heard = {
  event: string;
  data: { runs?: { id: string }[]; id?: string; status?: string; counts?: { read: number } };
};

/** Opens the live feed and collects its events until `stop()`; `ended` resolves when the server ends it. */
async function listen(base: string, cookie: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/events`, { headers: { cookie }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const heard: Heard[] = [];
  const ended = (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) heard.push({ event, data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') });
        }
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    }
  })();
  return { heard, ended, stop: () => ac.abort() };
}

describe('the live run feed (GET /api/events)', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let viewer: Client;
  let base: string;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await seedPeopleTasks(store, ['people-sync', 'other-task']);
    ({ app, viewer } = await createTestServer(store, { liveFeed: { intervalMs: 100 } }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test('needs a login', async () => {
    const res = await fetch(`${base}/api/events`);
    assert.equal(res.status, 401);
  });

  test('a viewer hears a run begin, its committed pages and its end, without asking again', async () => {
    const feed = await listen(base, viewer.cookie);
    await eventually('the snapshot', () => feed.heard.some((h) => h.event === 'snapshot'));
    const { execution } = await store.executions.begin({
      taskId: 'people-sync',
      trigger: 'schedule',
      owner: 'test:1',
      staleAfterMs: 60_000,
    });
    await eventually('the begin', () =>
      feed.heard.some((h) => h.data.id === execution.id && h.data.status === 'running'),
    );
    const counts = { ...ZERO_COUNTS, read: 40, updated: 40 };
    await store.executions.commitPage({
      executionId: execution.id,
      taskId: 'people-sync',
      page: 1,
      counts,
      items: [],
      links: [],
      position: null,
    });
    await eventually('the page', () =>
      feed.heard.some((h) => h.data.id === execution.id && h.data.counts?.read === 40),
    );
    await store.executions.finish({
      executionId: execution.id,
      taskId: 'people-sync',
      status: 'succeeded',
      counts,
    });
    await eventually('the end', () =>
      feed.heard.some((h) => h.data.id === execution.id && h.data.status === 'succeeded'),
    );
    const ofRun = feed.heard.filter((h) => h.data.id === execution.id).map((h) => h.data.status);
    assert.deepEqual(ofRun, ['running', 'running', 'succeeded'], 'each change once, nothing repeated');
    feed.stop();
    await feed.ended;
  });

  test('a run in flight is in the snapshot a new listener gets', async () => {
    const { execution } = await store.executions.begin({
      taskId: 'other-task',
      trigger: 'manual',
      owner: 'test:1',
      staleAfterMs: 60_000,
    });
    const feed = await listen(base, viewer.cookie);
    await eventually('the snapshot', () => feed.heard.some((h) => h.event === 'snapshot'));
    const snapshot = feed.heard.find((h) => h.event === 'snapshot');
    assert.deepEqual(
      snapshot?.data.runs?.map((r) => r.id),
      [execution.id],
    );
    feed.stop();
    await feed.ended;
    await store.executions.finish({
      executionId: execution.id,
      taskId: 'other-task',
      status: 'succeeded',
      counts: ZERO_COUNTS,
    });
  });

  test('closing the server ends open streams instead of waiting for them', async () => {
    const feed = await listen(base, viewer.cookie);
    await eventually('the snapshot', () => feed.heard.some((h) => h.event === 'snapshot'));
    const started = Date.now();
    await app.close();
    await feed.ended;
    assert.ok(Date.now() - started < 10_000, `closed in ${Date.now() - started} ms`);
  });
});

describe('a live feed and workspace membership', () => {
  let tmp: TempDatabase;
  let store: Store;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    tmp = await createTempSqlite();
    store = await openTestStore(tmp);
    await seedPeopleTasks(store, ['people-sync']);
    // Streams check their login and membership every 100 ms here (1 min in the hub).
    ({ app } = await createTestServer(store, { liveFeed: { intervalMs: 100, reauthMs: 100 } }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await store?.close();
    await tmp?.drop();
  });

  test("a member removed from the workspace stops hearing its runs: the server closes the stream at its next check, another member's stays open", async () => {
    const member = async (username: string) => {
      const user = await store.users.create({
        username,
        name: username,
        role: 'viewer',
        passwordHash: await hashPassword('member-password-123'),
        workspaces: [{ id: 'default', role: 'viewer' }],
      });
      return { user, client: await login(app, { username, password: 'member-password-123' }) };
    };
    const gone = await member('removed');
    const stays = await member('stays');
    const removedFeed = await listen(base, gone.client.cookie);
    const staysFeed = await listen(base, stays.client.cookie);
    await eventually('both snapshots', () =>
      [removedFeed, staysFeed].every((f) => f.heard.some((h) => h.event === 'snapshot')),
    );
    let closed = false;
    void removedFeed.ended.then(() => {
      closed = true;
    });
    await store.workspaces.removeMember('default', gone.user.id);
    await eventually("the removed member's stream is closed by the server", () => closed);
    const { execution } = await store.executions.begin({
      taskId: 'people-sync',
      trigger: 'manual',
      owner: 'test:1',
      staleAfterMs: 60_000,
    });
    await eventually('the other member hears the run', () =>
      staysFeed.heard.some((h) => h.data.id === execution.id),
    );
    assert.ok(!removedFeed.heard.some((h) => h.data.id === execution.id), 'the removed member heard nothing');
    staysFeed.stop();
    await staysFeed.ended;
  });
});
