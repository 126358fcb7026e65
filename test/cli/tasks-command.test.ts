import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../src/cli/runtime.ts';
import { tasksCommand } from '../../src/cli/tasks-command.ts';
import type { Task } from '../../src/core/types.ts';
import type { Store } from '../../src/store/store.ts';
import { createTempSqlite, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';

let db: TempDatabase;
let store: Store;
before(async () => {
  db = await createTempSqlite();
  store = await openTestStore(db);
  await store.workspaces.save({ id: 'acme', name: 'Acme' });
});
after(async () => {
  await store.close();
  await db.drop();
});

const listed = async (workspace?: string) => {
  const lines: string[] = [];
  const code = await tasksCommand({ store } as unknown as Runtime, {
    json: false,
    workspace,
    out: (t) => lines.push(t),
  });
  return { code, text: lines.join('\n') };
};

test('`junction tasks --workspace acme` without tasks names the apply command for that workspace', async () => {
  const { code, text } = await listed('acme');
  assert.equal(code, 0);
  assert.match(text, /no tasks in workspace 'acme' yet/);
  assert.match(text, /junction apply --workspace acme <file>/);
});

test('`junction tasks` without tasks names the plain apply command', async () => {
  const { text } = await listed();
  assert.match(text, /no tasks yet .*`junction apply <file>`/);
});

/** A workspace with one connection pair, a mapping and these tasks (ids unique in the hub). */
async function fill(workspace: string, taskIds: string[]) {
  const view = store.inWorkspace(workspace);
  for (const id of [`${workspace}-src`, `${workspace}-dst`])
    await view.connections.save({
      id,
      name: id,
      system: 'sql',
      config: { url: 'sqlite::memory:' },
      secret: {},
    });
  await view.mappings.save({
    id: `${workspace}-m`,
    name: `${workspace} people`,
    source: { connectionId: `${workspace}-src`, object: 'people', key: 'id' },
    target: { connectionId: `${workspace}-dst`, object: 'people' },
    matchKey: { target: 'email' },
    fields: [{ target: 'email', from: 'email' }],
  } as never);
  for (const id of taskIds) {
    const task: Task = {
      id,
      name: id,
      mappingId: `${workspace}-m`,
      schedule: { everyMinutes: 15 },
      enabled: false,
      mode: 'incremental',
      notify: { on: [], to: [] },
      params: {},
    };
    await view.tasks.save(task);
  }
}

test('`junction tasks` names each task’s workspace in a first column only when tasks of more than one workspace are listed', async () => {
  await fill('default', ['d-sync']);
  let { text } = await listed();
  assert.match(
    text.split('\n')[0] ?? '',
    /^TASK {2,}MAPPING/,
    'one workspace with tasks: no workspace column',
  );
  await fill('acme', ['a-sync', 'a-nightly']);
  ({ text } = await listed());
  const [header, ...rows] = text.split('\n');
  assert.match(header ?? '', /^WORKSPACE {2,}TASK {2,}MAPPING {2,}SCHEDULE/);
  assert.deepEqual(
    rows.map((r) => r.split(/ {2,}/).slice(0, 2)),
    [
      ['acme', 'a-nightly'],
      ['acme', 'a-sync'],
      ['default', 'd-sync'],
    ],
  );
  // One workspace asked for: its tasks only, without the column.
  ({ text } = await listed('acme'));
  assert.match(text.split('\n')[0] ?? '', /^TASK {2,}MAPPING/);
  assert.equal(text.split('\n').length, 3);
});

test('`junction tasks --json` names each task’s workspace', async () => {
  const lines: string[] = [];
  await tasksCommand({ store } as unknown as Runtime, { json: true, out: (t) => lines.push(t) });
  const { tasks } = JSON.parse(lines.join('')) as { tasks: { task: string; workspace: string }[] };
  assert.deepEqual(
    tasks.map((t) => [t.workspace, t.task]),
    [
      ['acme', 'a-nightly'],
      ['acme', 'a-sync'],
      ['default', 'd-sync'],
    ],
  );
});

test('`junction tasks` lists a task whose workspace row is gone, naming that workspace as unknown', async () => {
  // No foreign key: a task saved into a workspace while it was being deleted stays, and still runs.
  await fill('gone', ['g-sync']);
  await store.db.deleteFrom('workspaces').where('id', '=', 'gone').execute();
  const { text } = await listed();
  const rows = text.split('\n').slice(1);
  assert.deepEqual(
    rows.map((r) => r.split(/ {2,}/).slice(0, 2)),
    [
      ['acme', 'a-nightly'],
      ['acme', 'a-sync'],
      ['default', 'd-sync'],
      ['gone (no such workspace)', 'g-sync'],
    ],
  );
  const lines: string[] = [];
  await tasksCommand({ store } as unknown as Runtime, { json: true, out: (t) => lines.push(t) });
  const { tasks } = JSON.parse(lines.join('')) as {
    tasks: { task: string; workspace: string; workspaceExists: boolean }[];
  };
  assert.deepEqual(
    tasks.map((t) => [t.workspace, t.task, t.workspaceExists]),
    [
      ['acme', 'a-nightly', true],
      ['acme', 'a-sync', true],
      ['default', 'd-sync', true],
      ['gone', 'g-sync', false],
    ],
  );
});
