import { type FormEvent, useId, useState } from 'react';
import { type ApiError, apiSend, seg } from '../api.ts';
import { errorText } from '../error-text.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { TaskRow, WorkspaceRow } from '../types.ts';

/** The interval range the current workspace allows, when the server tells it (null: not known). */
export function useIntervalRange(load: boolean, workspaceId: string | undefined) {
  const list = useResource<{ workspaces: WorkspaceRow[] }>(load ? '/api/workspaces' : null);
  const ws = list.data?.workspaces.find((w) => w.id === workspaceId) ?? list.data?.workspaces[0];
  return ws ? { min: ws.limits.minIntervalMinutes, max: ws.limits.maxIntervalMinutes } : null;
}

/**
 * A task's interval in minutes, changed in place by operators and admins. The server checks the range
 * (the workspace's limits), so its refusal is shown at the field in the user's language.
 */
export function TaskInterval({
  task,
  minutes,
  range,
  onSaved,
}: {
  task: TaskRow;
  minutes: number;
  range: { min: number; max: number } | null;
  onSaved: (task: TaskRow, minutes: number) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [value, setValue] = useState(String(minutes));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaving(true);
    try {
      const everyMinutes = Number(value);
      await apiSend('PATCH', `/api/tasks/${seg(task.id)}/schedule`, { everyMinutes });
      onSaved(task, everyMinutes);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setSaving(false);
    }
  };
  const described = [range ? `${id}-range` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    // noValidate: the server's refusal names the allowed range; the browser's own bubble would not.
    <form className="interval-form" noValidate onSubmit={(e) => void save(e)} data-interval={task.id}>
      <input
        type="number"
        inputMode="numeric"
        step={1}
        {...(range ? { min: range.min, max: range.max } : {})}
        aria-label={t('task.intervalOf', { name: task.name })}
        {...(described ? { 'aria-describedby': described } : {})}
        {...(error ? { 'aria-invalid': true } : {})}
        value={value}
        onChange={(e) => setValue(e.target.value)}
      />
      {range ? (
        <span className="muted small" id={`${id}-range`}>
          {t('task.intervalRange', range)}
        </span>
      ) : null}
      <button type="submit" className="btn btn-small" disabled={saving || value === String(minutes)}>
        {t('common.save')}
      </button>
      {error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {errorText(error, t)}
        </div>
      ) : null}
    </form>
  );
}
