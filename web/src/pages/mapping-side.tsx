import type { ReactNode } from 'react';
import { seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Field } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import type { ConnectionRow, ObjectDescription } from '../types.ts';
import { useSampleColumns } from './sample-columns.tsx';

/** What one side's connection describes: its objects (from `describe()` or an uploaded sample). */
export interface SideObjects {
  objects: ObjectDescription[];
  loading: boolean;
  /** Why describing failed (absent while a sample stands in for the description). */
  error?: string;
  /** The sample upload to show under a file-reading source, else null. */
  picker: ReactNode;
}

/**
 * Describes one side's connection. Describing makes live calls with the connection's credentials: admins
 * only (viewers see the saved names). A file-reading source without a file of its own (imports) takes
 * its fields from an uploaded sample instead.
 */
export function useSideObjects(
  side: 'source' | 'target',
  connections: ConnectionRow[],
  connectionId: string,
): SideObjects {
  const { isAdmin } = useAuth();
  const describe = useResource<{ objects: ObjectDescription[] }>(
    isAdmin && connectionId ? `/api/connections/${seg(connectionId)}/describe` : null,
  );
  const sample = useSampleColumns(
    side === 'source' ? connections.find((c) => c.id === connectionId) : undefined,
  );
  return {
    objects: sample.objects ?? describe.data?.objects ?? [],
    loading: describe.loading,
    ...(sample.objects || !describe.error ? {} : { error: describe.error.message }),
    picker: sample.picker,
  };
}

/** Connection and object of one side, and a datalist of the chosen object's own fields. */
export function SidePicker({
  side,
  described,
  connections,
  connectionId,
  object,
  onChange,
  listId,
  errorAt,
}: {
  side: 'source' | 'target';
  described: SideObjects;
  errorAt: (place: string) => string | undefined;
  connections: ConnectionRow[];
  connectionId: string;
  object: string;
  onChange: (patch: { connectionId?: string; object?: string }) => void;
  listId: string;
}) {
  const { t } = useI18n();
  const { objects } = described;
  const fields = objects.find((o) => o.name === object)?.fields ?? [];
  return (
    <div className="side">
      <Field
        label={`${t(side === 'source' ? 'map.source' : 'map.target')}: ${t('map.connection')}`}
        error={errorAt(`${side}.connectionId`)}
      >
        {(p) => (
          <select
            {...p}
            name={`${side}.connection`}
            value={connectionId}
            onChange={(e) => onChange({ connectionId: e.target.value, object: '' })}
          >
            <option value="">{t('map.choose')}</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.system})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label={`${t(side === 'source' ? 'map.source' : 'map.target')}: ${t('map.object')}`}
        hint={described.loading ? t('map.fieldsLoading') : undefined}
        error={errorAt(`${side}.object`) ?? described.error}
      >
        {(p) =>
          objects.length > 0 ? (
            <select
              {...p}
              name={`${side}.object`}
              value={object}
              onChange={(e) => onChange({ object: e.target.value })}
            >
              <option value="">{t('map.choose')}</option>
              {object && !objects.some((o) => o.name === object) ? (
                <option value={object}>{object}</option>
              ) : null}
              {objects.map((o) => (
                <option key={o.name} value={o.name}>
                  {o.label && o.label !== o.name ? `${o.label} (${o.name})` : o.name}
                </option>
              ))}
            </select>
          ) : (
            <input
              {...p}
              name={`${side}.object`}
              value={object}
              onChange={(e) => onChange({ object: e.target.value })}
            />
          )
        }
      </Field>
      {described.picker}
      <datalist id={listId}>
        {fields.map((f) => (
          <option key={f.name} value={f.name}>
            {f.label ?? f.name} · {f.type}
          </option>
        ))}
      </datalist>
    </div>
  );
}
