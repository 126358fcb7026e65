import { Link } from 'react-router-dom';
import { scopedUrl, seg } from '../api.ts';
import { AdminNewLink, ListTable } from '../components/list-table.tsx';
import { ErrorNote, PageHeader, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMappingSystems } from '../lookups.ts';
import type { MappingRow } from '../types.ts';

/** Mapping definitions with their source and target. */
export function MappingsPage() {
  const { t, lang } = useI18n();
  const list = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  const systems = useMappingSystems();
  return (
    <>
      <PageHeader title={t('map.title')}>
        <AdminNewLink to="/mappings/new">{t('map.new')}</AdminNewLink>
      </PageHeader>
      <ErrorNote error={list.error} />
      <ListTable
        rows={list.data?.mappings}
        loading={list.loading}
        empty={t('map.none')}
        columns={[t('common.name'), t('map.source'), t('map.target'), t('map.fields'), t('map.table')]}
      >
        {(rows) =>
          rows.map((m) => {
            const s = systems.get(m.id);
            return (
              <tr key={m.id}>
                <td>
                  <Link to={`/mappings/${seg(m.id)}`}>{m.name}</Link>
                </td>
                <td>
                  <SystemIcon system={s?.source} /> {m.source.object}
                </td>
                <td>
                  <SystemIcon system={s?.target} /> {m.target.object}
                </td>
                <td className="num">{m.fields.length}</td>
                <td>
                  <a href={scopedUrl(`/api/mappings/${seg(m.id)}/table?lang=${lang}`)} download>
                    .xlsx
                  </a>{' '}
                  <a href={scopedUrl(`/api/mappings/${seg(m.id)}/table?format=csv&lang=${lang}`)} download>
                    CSV
                  </a>
                </td>
              </tr>
            );
          })
        }
      </ListTable>
    </>
  );
}
