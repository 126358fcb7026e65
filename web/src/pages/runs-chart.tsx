import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '../i18n/index.tsx';
import type { Execution } from '../types.ts';

/** Records created, updated and failed per finished run, oldest left. */
export function RunsChart({ executions }: { executions: Execution[] }) {
  const { t, date } = useI18n();
  const data = executions
    .filter((e) => e.startedAt && e.status !== 'running' && e.status !== 'queued')
    .slice()
    .reverse()
    .map((e) => ({
      id: e.id,
      when: date(e.startedAt),
      created: e.counts.created,
      updated: e.counts.updated,
      failed: e.counts.failed,
    }));
  const label = new Map(data.map((d) => [d.id, d.when]));
  if (data.length === 0) return <p className="muted">{t('dash.chartEmpty')}</p>;
  return (
    <div className="chart" role="img" aria-label={t('dash.chartTitle')}>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} maxBarSize={48} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e7eb" />
          {/* Runs are keyed by id: two runs in the same minute must stay two bars. */}
          <XAxis
            dataKey="id"
            tickFormatter={(id: string) => label.get(id) ?? ''}
            tick={{ fontSize: 11 }}
            minTickGap={24}
          />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={48} />
          <Tooltip labelFormatter={(id) => label.get(String(id)) ?? ''} />
          <Legend />
          <Bar
            dataKey="created"
            name={t('dash.created')}
            stackId="r"
            fill="#3f8f6b"
            isAnimationActive={false}
          />
          <Bar
            dataKey="updated"
            name={t('dash.updated')}
            stackId="r"
            fill="#3b6ea8"
            isAnimationActive={false}
          />
          <Bar
            dataKey="failed"
            name={t('dash.failed')}
            stackId="r"
            fill="#c2410c"
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
