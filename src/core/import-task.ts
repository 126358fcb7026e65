import { JunctionError } from './errors.ts';

/**
 * Imports are recorded as executions of a hidden task per mapping, `import-<mapping id>`: it has no
 * schedule and cannot run by itself (its records come from an uploaded file, not from reading a source).
 */
export const importTaskId = (mappingId: string): string => `import-${mappingId}`;

/** Whether the task is the one imports into its mapping are recorded under. */
export const isImportTask = (task: { id: string; mappingId: string }): boolean =>
  task.id === importTaskId(task.mappingId);

/** "Run now" or a schedule asked of an import's task: its records only come with an upload. */
export class ImportTaskNotRunnableError extends JunctionError {
  override readonly code = 'import_task_not_runnable';
}

/** An import's task has no source to read: it only runs with an uploaded file (the imports page, `junction import`). */
export function refuseImportTask(task: { id: string; mappingId: string }): void {
  if (isImportTask(task))
    throw new ImportTaskNotRunnableError(
      `'${task.id}' records the imports into its mapping: it runs when a file is imported, not by itself`,
      { details: { taskId: task.id } },
    );
}

/**
 * An import's task takes no schedule and stays disabled (its records come with an upload): a save or an
 * interval change that would give it one is refused, naming the field the dashboard shows it at.
 */
export function refuseImportSchedule(task: {
  id: string;
  mappingId: string;
  schedule?: unknown;
  enabled?: boolean;
}): void {
  if (isImportTask(task) && (task.schedule || task.enabled))
    throw new ImportTaskNotRunnableError(
      `'${task.id}' records imports into its mapping: it takes no schedule and stays disabled`,
      { details: { field: task.schedule ? 'schedule' : 'enabled', taskId: task.id } },
    );
}
