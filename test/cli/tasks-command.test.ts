import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Runtime } from '../../src/cli/runtime.ts';
import { tasksCommand } from '../../src/cli/tasks-command.ts';
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
