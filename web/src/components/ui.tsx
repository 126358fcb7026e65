import { type InputHTMLAttributes, type ReactNode, useId, useState } from 'react';
import type { ApiError } from '../api.ts';
import { errorText } from '../error-text.ts';
import { type TextKey, useI18n } from '../i18n/index.tsx';
import { useSystem } from '../systems.tsx';
import type { ExecutionStatus, SystemName } from '../types.ts';

/** Page title with optional actions on the right. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </header>
  );
}

const STATUS_TONE: Record<ExecutionStatus | 'never', string> = {
  queued: 'neutral',
  running: 'running',
  succeeded: 'ok',
  warning: 'warning',
  failed: 'error',
  cancelled: 'neutral',
  never: 'neutral',
};

/** A run's status as a coloured badge with a text label (colour is never the only signal). */
export function StatusBadge({ status }: { status: ExecutionStatus | 'never' }) {
  const { t } = useI18n();
  return (
    <span className={`badge badge-${STATUS_TONE[status]}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {t(`status.${status}` as TextKey)}
    </span>
  );
}

/** A small round system mark with the system's name for screen readers. */
export function SystemIcon({
  system,
  withName = false,
}: {
  system: SystemName | undefined;
  withName?: boolean;
}) {
  const described = useSystem(system);
  const s = described
    ? { label: described.name, short: described.mark.short, color: described.mark.color }
    : { label: system ?? '?', short: (system ?? '?').slice(0, 2).toUpperCase(), color: '#9aa5b1' };
  return (
    <span className="system">
      <span
        className="system-icon"
        style={{ background: s.color }}
        title={s.label}
        role="img"
        aria-label={s.label}
        // With the name beside it the icon is decoration: hidden, so the name is not read twice.
        aria-hidden={withName ? 'true' : undefined}
      >
        {s.short}
      </span>
      {withName ? <span>{s.label}</span> : null}
    </span>
  );
}

/** Loading line that screen readers announce. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status">
      {t('common.loading')}
    </p>
  );
}

/** An API error: "not available" for routes this server lacks, "admins only" for 403, else the message. */
export function ErrorNote({ error }: { error: ApiError | Error | null | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  const api = error as ApiError;
  if (api.notAvailable) {
    return (
      <div className="notice notice-info" role="status">
        <strong>{t('common.notAvailable')}</strong>
        <p>{t('common.notAvailableText')}</p>
      </div>
    );
  }
  if (api.status === 403)
    return (
      <div className="notice notice-warning" role="alert">
        {t('common.forbidden')}
      </div>
    );
  return (
    <div className="notice notice-error" role="alert">
      {errorText(error, t)}
    </div>
  );
}

/** A success or info line (announced politely). */
export function Notice({ tone = 'ok', children }: { tone?: 'ok' | 'info' | 'error'; children: ReactNode }) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** JSON shown on demand, in a scrollable monospace block. */
export function PayloadViewer({ payload, label }: { payload: unknown; label?: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div className="payload">
      <button
        type="button"
        className="btn btn-small btn-ghost"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        {open ? t('run.hidePayload') : (label ?? t('run.showPayload'))}
      </button>
      {open ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable block must take focus so keyboard users can scroll it (axe scrollable-region-focusable)
        <pre id={id} className="payload-json" tabIndex={0}>
          {JSON.stringify(payload, null, 2)}
        </pre>
      ) : null}
    </div>
  );
}

/** A labelled form control; `hint` and `error` are tied to the control for screen readers. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: ReactNode;
  error?: ReactNode;
  children: (props: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A labelled `<input>` bound to a string: `Field` plus the control, for plain text and password forms. */
export function InputField({
  label,
  value,
  onValue,
  ...input
}: {
  label: string;
  value: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field label={label}>
      {(p) => <input {...p} {...input} value={value} onChange={(e) => onValue(e.target.value)} />}
    </Field>
  );
}
