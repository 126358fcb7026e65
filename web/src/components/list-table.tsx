import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import { useI18n } from '../i18n/index.tsx';
import { Loading } from './ui.tsx';

/** A list page's "New …" button in the page header, shown to admins only. */
export function AdminNewLink({ to, children }: { to: string; children: ReactNode }) {
  const { isAdmin } = useAuth();
  return isAdmin ? (
    <Link className="btn btn-primary" to={to}>
      {children}
    </Link>
  ) : null;
}

/**
 * A list page's table: the loading line until the first answer, the `empty` note when there are no
 * rows (without `empty` the table shows anyway), else a card table with the given column headers and
 * a last, visually hidden "Actions" header when `actions` is set.
 */
export function ListTable<T>({
  rows,
  loading,
  empty,
  columns,
  actions = false,
  stack = false,
  children,
}: {
  rows: readonly T[] | undefined;
  loading: boolean;
  empty?: string;
  columns: readonly string[];
  actions?: boolean;
  /** On a phone the rows become label/value lists (cells carry `data-label`). */
  stack?: boolean;
  children: (rows: readonly T[]) => ReactNode;
}) {
  const { t } = useI18n();
  return (
    <>
      {loading && !rows ? <Loading /> : null}
      {empty !== undefined && rows?.length === 0 ? <p className="muted">{empty}</p> : null}
      {rows && (empty === undefined || rows.length > 0) ? (
        <div className="table-wrap card">
          <table className={stack ? 'table table-stack' : 'table'}>
            <thead>
              <tr>
                {columns.map((label) => (
                  <th scope="col" key={label}>
                    {label}
                  </th>
                ))}
                {actions ? (
                  <th scope="col">
                    <span className="sr-only">{t('common.actions')}</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>{children(rows)}</tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
