import { Link } from 'react-router-dom';
import { seg } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { ErrorNote, Loading, PageHeader, SystemIcon } from '../components/ui.tsx';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/index.tsx';
import { useMappingSystems } from '../lookups.ts';
import type { MappingRow } from '../types.ts';

/** Mapping definitions with their source and target. */
export function MappingsPage() {
  const { t } = useI18n();
  const { isAdmin } = useAuth();
  const list = useResource<{ mappings: MappingRow[] }>('/api/mappings');
  const systems = useMappingSystems();
  return (
    <>
      <PageHeader title={t('map.title')}>
        {isAdmin ? (
          <Link className="btn btn-primary" to="/mappings/new">
            {t('map.new')}
          </Link>
        ) : null}
      </PageHeader>
      <ErrorNote error={list.error} />
      {list.loading && !list.data ? <Loading /> : null}
      {list.data?.mappings.length === 0 ? <p className="muted">{t('map.none')}</p> : null}
      {list.data && list.data.mappings.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('common.name')}</th>
                <th scope="col">{t('map.source')}</th>
                <th scope="col">{t('map.target')}</th>
                <th scope="col">{t('map.fields')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.mappings.map((m) => {
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
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
