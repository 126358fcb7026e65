import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { apiGet, apiSend, scopedUrl, setWorkspace, WORKSPACE_HEADER } from '../../web/src/api.ts';
import type { SessionUser } from '../../web/src/types.ts';
import { chooseWorkspace } from '../../web/src/workspace-choice.ts';

/** Replaces fetch for one test and records the headers of every request. */
function recordRequests(): { url: string; headers: Record<string, string> }[] {
  const seen: { url: string; headers: Record<string, string> }[] = [];
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, headers: init.headers as Record<string, string> });
    return new Response('{}', { status: 200 });
  }) as typeof fetch;
  return seen;
}

const realFetch = globalThis.fetch;

describe('the dashboard scopes what it asks for to the chosen workspace', () => {
  afterEach(() => {
    globalThis.fetch = realFetch;
    setWorkspace(null);
  });

  test('every API request carries the workspace header once one is chosen, and none before', async () => {
    const seen = recordRequests();
    await apiGet('/api/auth/me');
    setWorkspace('acme');
    await apiGet('/api/tasks');
    await apiSend('PATCH', '/api/tasks/t1/schedule', { everyMinutes: 30 });
    assert.equal(seen[0]?.headers[WORKSPACE_HEADER], undefined);
    assert.deepEqual(
      seen.slice(1).map((r) => r.headers[WORKSPACE_HEADER]),
      ['acme', 'acme'],
    );
  });

  test('what the browser loads itself (live feed, downloads) names the workspace in the query', () => {
    assert.equal(scopedUrl('/api/events'), '/api/events', 'no workspace chosen: unchanged');
    setWorkspace('acme & co');
    assert.equal(scopedUrl('/api/events'), '/api/events?workspace=acme%20%26%20co');
    assert.equal(
      scopedUrl('/api/mappings/m1/table?format=csv'),
      '/api/mappings/m1/table?format=csv&workspace=acme%20%26%20co',
    );
  });

  test("the remembered workspace is kept only while the user may open it, else the server's pick, else the first", () => {
    const user = (workspaces?: SessionUser['workspaces']): SessionUser => ({
      id: 'u',
      username: 'u',
      name: 'U',
      role: 'viewer',
      mustChangePassword: false,
      ...(workspaces ? { workspaces } : {}),
    });
    const both = user([
      { id: 'default', name: 'Default', role: 'viewer' },
      { id: 'acme', name: 'Acme AG', role: 'operator' },
    ]);
    assert.equal(chooseWorkspace(both, 'acme'), 'acme');
    assert.equal(chooseWorkspace(both, 'gone'), 'default');
    assert.equal(chooseWorkspace(both, null), 'default');
    assert.equal(chooseWorkspace(both, null, 'acme'), 'acme', "nothing remembered: the server's pick");
    assert.equal(chooseWorkspace(both, 'default', 'acme'), 'default', 'the remembered one before it');
    assert.equal(chooseWorkspace(both, null, 'gone'), 'default');
    assert.equal(chooseWorkspace(user([]), 'acme'), null, 'no membership: the server decides');
    assert.equal(chooseWorkspace(user(), 'acme'), null, 'a server without workspaces');
    assert.equal(chooseWorkspace(null, 'acme'), null, 'logged out');
  });
});
