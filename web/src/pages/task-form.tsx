import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { type ApiError, apiSend, seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Field, Loading, Notice, PageHeader } from '../components/ui.tsx';
import { errorField, errorText } from '../error-text.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { NOTIFY_ON_LIST, SCHEDULE_PRESETS } from '../options.ts';
import type { MappingRow, NotifyOn, Schedule, TaskRow } from '../types.ts';
import { useIntervalRange } from './task-interval.tsx';
import { taskBody } from './tasks.tsx';

type ScheduleChoice = `preset-${number}` | 'custom' | 'cron' | 'manual';

function choiceOf(s: Schedule | null): ScheduleChoice {
  if (!s || !('cron' in s || 'everyMinutes' in s)) return 'manual';
  if ('cron' in s) return 'cron';
  return (SCHEDULE_PRESETS as readonly number[]).includes(s.everyMinutes)
    ? `preset-${s.everyMinutes}`
    : 'custom';
}

/** Create or edit a task: mapping, schedule (presets, interval, cron), read mode, notifications, enabled. */
export function TaskForm() {
  const { id: editId } = useParams();
  const isNew = editId === undefined;
  const { t } = useI18n();
  const { isAdmin, canOperate, workspace } = useAuth();
  // The workspace's allowed interval range, shown at the minutes (a server without workspaces has none).
  const range = useIntervalRange(canOperate && workspace !== null, workspace?.id);
  const navigate = useNavigate();
  const stored = useResource<TaskRow>(isNew ? null : `/api/tasks/${seg(editId)}`);
  const mappings = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  const [id, setId] = useState('');
  const [task, setTask] = useState<ReturnType<typeof taskBody>>({
    name: '',
    mappingId: '',
    schedule: { everyMinutes: 15 },
    enabled: true,
    mode: 'incremental',
    notify: { on: ['failure'], to: [] },
    params: {},
  });
  const [choice, setChoice] = useState<ScheduleChoice>('preset-15');
  const [minutes, setMinutes] = useState('60');
  const [cron, setCron] = useState('0 6 * * *');
  // The form has no time zone input: a cron's zone (set by API or file) is kept, never dropped by a save.
  const [timezone, setTimezone] = useState<string | undefined>(undefined);
  const [onChange, setOnChange] = useState(false);
  // Empty: left out (the server fills in the workspace's shortest interval for its own people).
  const [changeGap, setChangeGap] = useState('');
  const [recipients, setRecipients] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const s = stored.data;
    if (!s) return;
    setId(s.id);
    setTask(taskBody(s));
    setChoice(choiceOf(s.schedule));
    if (s.schedule && 'everyMinutes' in s.schedule) setMinutes(String(s.schedule.everyMinutes));
    if (s.schedule && 'cron' in s.schedule) {
      setCron(s.schedule.cron);
      setTimezone(s.schedule.timezone);
    }
    setOnChange(s.schedule?.onChange === true);
    setChangeGap(s.schedule?.changeGapMinutes === undefined ? '' : String(s.schedule.changeGapMinutes));
    setRecipients(s.notify.to.join(', '));
  }, [stored.data]);
  const schedule = (): Schedule | null => {
    const gap = changeGap.trim() === '' ? {} : { changeGapMinutes: Number(changeGap) };
    const changes = onChange ? { onChange: true as const, ...gap } : {};
    if (choice === 'manual') return onChange ? { onChange: true, ...gap } : null;
    if (choice === 'cron') return { cron: cron.trim(), ...(timezone ? { timezone } : {}), ...changes };
    if (choice === 'custom') return { everyMinutes: Number(minutes), ...changes };
    return { everyMinutes: Number(choice.slice('preset-'.length)), ...changes };
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const to = recipients
      .split(/[,;\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    try {
      await apiSend('PUT', `/api/tasks/${seg(id)}`, {
        ...task,
        schedule: schedule(),
        notify: { ...task.notify, to },
      });
      setSaved(true);
      if (isNew) navigate(`/tasks/${seg(id)}`, { replace: true });
      else stored.reload();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const toggleOn = (on: NotifyOn, checked: boolean) =>
    setTask({
      ...task,
      notify: {
        ...task.notify,
        on: checked ? [...task.notify.on, on] : task.notify.on.filter((x) => x !== on),
      },
    });
  // A refusal that names its field (the interval range) is shown there, not above the buttons.
  const fieldError = (field: string) =>
    error && errorField(error) === field ? errorText(error, t) : undefined;
  const atField = error !== null && ['everyMinutes', 'changeGapMinutes'].includes(errorField(error) ?? '');
  if (!isNew && stored.error) return <ErrorNote error={stored.error} />;
  if (!isNew && !stored.data) return <Loading />;
  return (
    <>
      <p>
        <Link to="/tasks">← {t('task.title')}</Link>
      </p>
      <PageHeader title={isNew ? t('task.new') : `${t(isAdmin ? 'task.edit' : 'nav.tasks')}: ${task.name}`} />
      <form className="card form narrow-form" onSubmit={save} aria-label={t('task.edit')}>
        <fieldset disabled={!isAdmin}>
          <div className="grid-2">
            <Field label={t('common.name')}>
              {(p) => (
                <input
                  {...p}
                  name="name"
                  required
                  value={task.name}
                  onChange={(e) => setTask({ ...task, name: e.target.value })}
                />
              )}
            </Field>
            <Field label={t('common.id')} hint={isNew ? t('common.idHint') : undefined}>
              {(p) => (
                <input
                  {...p}
                  name="id"
                  required
                  readOnly={!isNew}
                  pattern="[A-Za-z0-9][A-Za-z0-9_\-]*"
                  value={id}
                  onChange={(e) => setId(e.target.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t('task.mapping')}>
            {(p) => (
              <select
                {...p}
                name="mappingId"
                required
                value={task.mappingId}
                onChange={(e) => setTask({ ...task, mappingId: e.target.value })}
              >
                <option value="">{t('map.choose')}</option>
                {mappings.data?.mappings.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <fieldset className="group-box">
            <legend>{t('task.schedule')}</legend>
            <div className="choice-list">
              {SCHEDULE_PRESETS.map((n) => (
                <label key={n} className="check">
                  <input
                    type="radio"
                    name="schedule"
                    checked={choice === `preset-${n}`}
                    onChange={() => setChoice(`preset-${n}`)}
                  />
                  {t('task.preset', { n })}
                </label>
              ))}
              <label className="check">
                <input
                  type="radio"
                  name="schedule"
                  checked={choice === 'custom'}
                  onChange={() => setChoice('custom')}
                />
                {t('task.custom')}
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="schedule"
                  checked={choice === 'cron'}
                  onChange={() => setChoice('cron')}
                />
                {t('task.cron')}
              </label>
              <label className="check">
                <input
                  type="radio"
                  name="schedule"
                  checked={choice === 'manual'}
                  onChange={() => setChoice('manual')}
                />
                {t('task.manual')}
              </label>
            </div>
            {choice === 'custom' ? (
              <Field
                label={t('task.minutes')}
                hint={range ? t('task.intervalRange', range) : undefined}
                error={fieldError('everyMinutes')}
              >
                {(p) => (
                  <input
                    {...p}
                    type="number"
                    min={range?.min ?? 1}
                    max={range?.max ?? 10080}
                    required
                    value={minutes}
                    onChange={(e) => setMinutes(e.target.value)}
                  />
                )}
              </Field>
            ) : null}
            {choice === 'cron' ? (
              <Field label={t('task.cronExpr')}>
                {(p) => (
                  <input
                    {...p}
                    className="mono"
                    required
                    value={cron}
                    onChange={(e) => setCron(e.target.value)}
                  />
                )}
              </Field>
            ) : null}
            <label className="check">
              <input
                type="checkbox"
                name="onChange"
                checked={onChange}
                onChange={(e) => setOnChange(e.target.checked)}
              />
              {t('task.onChange')}
            </label>
            <p className="hint">{t('task.onChangeHint')}</p>
            {onChange ? (
              <Field
                label={t('task.changeGap')}
                hint={range ? t('task.intervalRange', range) : undefined}
                error={fieldError('changeGapMinutes')}
              >
                {(p) => (
                  <input
                    {...p}
                    name="changeGapMinutes"
                    type="number"
                    inputMode="numeric"
                    min={range?.min ?? 1}
                    max={range?.max ?? 10080}
                    value={changeGap}
                    onChange={(e) => setChangeGap(e.target.value)}
                  />
                )}
              </Field>
            ) : null}
          </fieldset>
          <Field label={t('task.mode')}>
            {(p) => (
              <select
                {...p}
                value={task.mode}
                onChange={(e) => setTask({ ...task, mode: e.target.value as 'incremental' | 'full' })}
              >
                <option value="incremental">{t('task.mode.incremental')}</option>
                <option value="full">{t('task.mode.full')}</option>
              </select>
            )}
          </Field>
          <fieldset className="group-box">
            <legend>{t('task.notify')}</legend>
            <fieldset className="choice-list" aria-label={t('task.notifyOn')}>
              <span className="muted">{t('task.notifyOn')}:</span>
              {NOTIFY_ON_LIST.map((on) => (
                <label key={on} className="check">
                  <input
                    type="checkbox"
                    checked={task.notify.on.includes(on)}
                    onChange={(e) => toggleOn(on, e.target.checked)}
                  />
                  {t(`task.on.${on}`)}
                </label>
              ))}
            </fieldset>
            <Field label={t('task.notifyTo')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  value={recipients}
                  onChange={(e) => setRecipients(e.target.value)}
                />
              )}
            </Field>
          </fieldset>
          <label className="check">
            <input
              type="checkbox"
              name="enabled"
              checked={task.enabled}
              onChange={(e) => setTask({ ...task, enabled: e.target.checked })}
            />
            {t('task.enabled')}
          </label>
        </fieldset>
        <ErrorNote error={atField ? null : error} />
        {saved ? <Notice>{t('common.saved')}</Notice> : null}
        {isAdmin ? (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              {t('common.save')}
            </button>
          </div>
        ) : null}
      </form>
    </>
  );
}
