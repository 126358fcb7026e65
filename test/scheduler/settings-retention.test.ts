import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyConfig } from '../../src/config/apply-config.ts';
import { parseConfigText } from '../../src/config/config-file.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import { purgeExecutionsBefore } from '../../src/store/repositories/retention.ts';
import type { Store } from '../../src/store/store.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { openTestStore } from '../helpers/store.ts';
import { FAKE_CONFIG } from './fake-connectors.ts';

for (const dialect of DIALECTS) {
  describe(`settings and retention on ${dialect.name}`, () => {
    let db: TempDatabase;
    let store: Store;
    before(async () => {
      db = await dialect.create();
      store = await openTestStore(db);
      await applyConfig(store, parseConfigText(FAKE_CONFIG));
      await store.tasks.save({
        id: 't',
        name: 't',
        mappingId: 'm',
        schedule: null,
        enabled: true,
        mode: 'full',
        notify: { on: [], to: [] },
        params: {},
      });
    });
    after(async () => {
      await store?.close();
      await db?.drop();
    });

    test('settings start at their defaults, keep the SMTP password sealed and never show it', async () => {
      const initial = await store.settings.getPublic();
      assert.equal(initial.timezone, 'Europe/Zurich');
      assert.equal(initial.retentionDays, 90);
      assert.equal(initial.smtp, null);
      const pub = await store.settings.update({
        smtp: { host: 'mail.example.ch', from: 'hub@example.ch', user: 'hub', password: 'pa55word' },
        retentionDays: 30,
      });
      assert.deepEqual(pub.smtp, {
        host: 'mail.example.ch',
        port: 587,
        secure: false,
        allowPlainText: false,
        user: 'hub',
        from: 'hub@example.ch',
        passwordSet: true,
      });
      assert.equal((await store.settings.get()).smtp?.password, 'pa55word');
      const raw = await store.db
        .withTables<{ settings: { value: string } }>()
        .selectFrom('settings')
        .select('value')
        .executeTakeFirstOrThrow();
      assert.ok(!raw.value.includes('pa55word'), 'the password is not stored in clear');
      // A patch without the password keeps it while the server stays the same; null clears it. A new
      // server or port needs the password again (it is sealed with its destination).
      await store.settings.update({ smtp: { from: 'noreply@example.ch' } });
      assert.equal((await store.settings.get()).smtp?.password, 'pa55word');
      await assert.rejects(store.settings.update({ smtp: { port: 2525 } }), {
        code: 'secret_destination_changed',
      });
      await store.settings.update({ smtp: { password: null } });
      assert.equal((await store.settings.getPublic()).smtp?.passwordSet, false);
    });

    test('invalid settings are refused with the offending fields named', async () => {
      await assert.rejects(
        store.settings.update({
          timezone: 'Europe/Atlantis',
          defaultRecipients: ['not-an-address'],
          retentionDays: 0,
        }),
        (err: Error & { code: string; details: { issues: { path: string }[] } }) => {
          assert.equal(err.code, 'validation_error');
          assert.deepEqual(err.details.issues.map((i) => i.path).sort(), [
            'defaultRecipients.0',
            'retentionDays',
            'timezone',
          ]);
          return true;
        },
      );
      assert.equal((await store.settings.get()).retentionDays, 30, 'nothing was saved');
    });

    test('purging removes old finished executions and their items, keeps recent and running ones', async () => {
      const old = new Date(Date.now() - 40 * 86_400_000);
      const mk = async (status: 'succeeded' | 'running', created: Date) => {
        const { execution } = await store.executions.begin({
          taskId: 't',
          trigger: 'manual',
          owner: 'x:1',
          staleAfterMs: 0,
          now: created,
        });
        await store.executions.commitPage({
          executionId: execution.id,
          taskId: 't',
          page: 1,
          counts: ZERO_COUNTS,
          items: [
            {
              sourceKey: '1',
              targetId: null,
              action: 'fail',
              code: 'c',
              message: 'm',
              payload: { email: 'a@b.ch' },
            },
          ],
          links: [],
          position: null,
        });
        if (status !== 'running')
          await store.executions.finish({
            executionId: execution.id,
            taskId: 't',
            status,
            counts: ZERO_COUNTS,
            completed: true,
          });
        return execution.id;
      };
      const oldDone = await mk('succeeded', old);
      const recent = await mk('succeeded', new Date());
      const running = await mk('running', old);
      const result = await purgeExecutionsBefore(store.db, new Date(Date.now() - 30 * 86_400_000));
      assert.deepEqual(result, { executions: 1, items: 1 });
      await assert.rejects(store.executions.get(oldDone), { code: 'not_found' });
      assert.equal((await store.executions.items(recent)).length, 1);
      assert.equal((await store.executions.get(running)).status, 'running');
    });
  });
}
