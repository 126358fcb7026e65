import { useMemo } from 'react';
import { useResource } from './hooks.ts';
import type { TextKey } from './i18n/index.tsx';
import type { ConnectionRow, MappingRow, Schedule, SystemName } from './types.ts';

/** "Every 15 min", "Cron 0 6 * * *", "Manual only". */
export function scheduleText(
  schedule: Schedule | null,
  t: (k: TextKey, v?: Record<string, string | number>) => string,
): string {
  if (!schedule) return t('sched.manual');
  const timed =
    'everyMinutes' in schedule
      ? t('sched.every', { n: schedule.everyMinutes })
      : 'cron' in schedule
        ? t('sched.cron', { expr: schedule.cron })
        : null;
  if (!schedule.onChange) return timed ?? t('sched.manual');
  return timed ? t('sched.changeAnd', { timed }) : t('sched.change');
}

/** Source and target system of each mapping, for the system icons of tasks. */
export function useMappingSystems() {
  const connections = useResource<{ connections: ConnectionRow[] }>('/api/connections');
  const mappings = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  return useMemo(() => {
    const systemOf = new Map((connections.data?.connections ?? []).map((c) => [c.id, c.system]));
    const out = new Map<
      string,
      { name: string; source?: SystemName; target?: SystemName; sourceObject: string; targetObject: string }
    >();
    for (const m of mappings.data?.mappings ?? []) {
      out.set(m.id, {
        name: m.name,
        source: systemOf.get(m.source.connectionId),
        target: systemOf.get(m.target.connectionId),
        sourceObject: m.source.object,
        targetObject: m.target.object,
      });
    }
    return out;
  }, [connections.data, mappings.data]);
}
