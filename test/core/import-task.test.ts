import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JunctionError } from '../../src/core/errors.ts';
import {
  ImportTaskNotRunnableError,
  importTaskId,
  isImportTask,
  refuseImportSchedule,
  refuseImportTask,
} from '../../src/core/import-task.ts';

const IMPORTS = { id: 'import-contacts', mappingId: 'contacts' };
const ORDINARY = { id: 'nightly', mappingId: 'contacts' };

/** The error `fn` throws, as code, message and details. */
function thrown(fn: () => void) {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ImportTaskNotRunnableError);
    assert.ok(err instanceof JunctionError);
    return { code: err.code, message: err.message, details: err.details };
  }
  assert.fail('nothing was thrown');
}

test("an import's task is named import-<mapping id>", () => {
  assert.equal(importTaskId('contacts'), 'import-contacts');
});

test("only the task named after its own mapping is that mapping's import task", () => {
  assert.equal(isImportTask(IMPORTS), true);
  assert.equal(isImportTask(ORDINARY), false);
  assert.equal(isImportTask({ id: 'import-contacts', mappingId: 'companies' }), false);
  assert.equal(isImportTask({ id: 'contacts', mappingId: 'contacts' }), false);
});

test("running an import's task is refused import_task_not_runnable, naming the task", () => {
  assert.deepEqual(
    thrown(() => refuseImportTask(IMPORTS)),
    {
      code: 'import_task_not_runnable',
      message:
        "'import-contacts' records the imports into its mapping: it runs when a file is imported, not by itself",
      details: { taskId: 'import-contacts' },
    },
  );
});

test('running an ordinary task is not refused', () => {
  assert.equal(refuseImportTask(ORDINARY), undefined);
});

test("a schedule for an import's task is refused at the schedule field", () => {
  assert.deepEqual(
    thrown(() => refuseImportSchedule({ ...IMPORTS, schedule: { everyMinutes: 15 }, enabled: true })),
    {
      code: 'import_task_not_runnable',
      message: "'import-contacts' records imports into its mapping: it takes no schedule and stays disabled",
      details: { field: 'schedule', taskId: 'import-contacts' },
    },
  );
});

test("enabling an import's task without a schedule is refused at the enabled field", () => {
  assert.deepEqual(
    thrown(() => refuseImportSchedule({ ...IMPORTS, schedule: null, enabled: true })).details,
    {
      field: 'enabled',
      taskId: 'import-contacts',
    },
  );
});

test("an import's task saved disabled and without a schedule, or an ordinary task with both, passes", () => {
  assert.equal(refuseImportSchedule({ ...IMPORTS, schedule: null, enabled: false }), undefined);
  assert.equal(refuseImportSchedule(IMPORTS), undefined);
  assert.equal(
    refuseImportSchedule({ ...ORDINARY, schedule: { everyMinutes: 15 }, enabled: true }),
    undefined,
  );
});
