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

/** What the control sets: the interval, or a change-driven task's change gap. */
export type ScheduleMinutes = 'everyMinutes' | 'changeGapMinutes';

/**
 * A task's interval (or, `field` changeGapMinutes, how often its changes may start a run) in minutes, changed
 * in place by operators and admins. The server checks the range (the workspace's limits), so its refusal is
 * shown at the field in the user's language.
 */
export function TaskInterval({
  task,
  field = 'everyMinutes',
  minutes,
  range,
  onSaved,
  onSaving,
}: {
  task: TaskRow;
  field?: ScheduleMinutes;
  /** The value saved now; undefined: none yet (a change gap left out). */
  minutes: number | undefined;
  range: { min: number; max: number } | null;
  onSaved: (task: TaskRow, minutes: number) => void;
  /** A save begins: the page drops its notice of an earlier one, which would stand beside this one's refusal. */
  onSaving?: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const saved = minutes === undefined ? '' : String(minutes);
  const [value, setValue] = useState(saved);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    onSaving?.();
    setSaving(true);
    try {
      const n = Number(value);
      await apiSend('PATCH', `/api/tasks/${seg(task.id)}/schedule`, { [field]: n });
      onSaved(task, n);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setSaving(false);
    }
  };
  const described = [range ? `${id}-range` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const gap = field === 'changeGapMinutes';
  const label = t(gap ? 'task.changeGapOf' : 'task.intervalOf', { name: task.name });
  return (
    // noValidate: the server's refusal names the allowed range; the browser's own bubble would not.
    <form
      className="interval-form"
      noValidate
      onSubmit={(e) => void save(e)}
      {...(gap ? { 'data-change-gap': task.id } : { 'data-interval': task.id })}
    >
      {gap ? <span className="small">{t('task.changeGapShort')}</span> : null}
      <input
        type="number"
        inputMode="numeric"
        step={1}
        {...(range ? { min: range.min, max: range.max } : {})}
        aria-label={label}
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
      <button type="submit" className="btn btn-small" disabled={saving || value === saved || value === ''}>
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
