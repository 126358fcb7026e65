import { useI18n } from '../i18n/index.tsx';
import type { ImportView, RowProblem } from '../types.ts';

const formatCell = (v: unknown) =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The row-level errors of an import: row number as the spreadsheet counts it, field, code and reason. */
export function ProblemsTable({ problems, total }: { problems: RowProblem[]; total: number }) {
  const { t, number } = useI18n();
  return (
    <section className="card" aria-labelledby="import-problems">
      <h2 id="import-problems">{t('imp.problems')}</h2>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="import-problems">
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('imp.row')}
              </th>
              <th scope="col">{t('imp.field')}</th>
              <th scope="col">{t('imp.code')}</th>
              <th scope="col">{t('imp.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((p, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a row may have several problems on one field
              <tr key={`${p.row}-${i}`} data-row={p.row}>
                <td className="num">{number(p.row)}</td>
                <td className="mono">{p.field ?? '—'}</td>
                <td>
                  <code className="code-chip">{p.code}</code>
                </td>
                <td className="message">{p.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {total > problems.length ? (
        <p className="muted small">
          {t('imp.moreProblems', { shown: number(problems.length), total: number(total) })}
        </p>
      ) : null}
    </section>
  );
}

/** The first rows as the mapping turns them into target records; a cell with a problem shows its code. */
export function ImportPreviewTable({ preview }: { preview: ImportView['validation']['preview'] }) {
  const { t, number } = useI18n();
  const columns = [...new Set(preview.flatMap((r) => Object.keys(r.payload)))];
  return (
    <section className="card preview" aria-labelledby="import-preview">
      <h2 id="import-preview">{t('imp.preview')}</h2>
      <div className="table-wrap">
        <table className="table table-compact" data-testid="import-preview">
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('imp.row')}
              </th>
              {columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.map((r) => (
              <tr key={r.row} data-row={r.row} className={r.problems.length ? 'row-invalid' : ''}>
                <td className="num">{number(r.row)}</td>
                {columns.map((c) => {
                  const problem = r.problems.find((p) => p.field === c);
                  return (
                    <td
                      key={c}
                      className={problem ? 'cell-error' : ''}
                      title={problem ? `${problem.code}: ${problem.message}` : undefined}
                    >
                      {problem ? `⚠ ${problem.code}` : formatCell(r.payload[c])}
                      {problem ? <span className="sr-only"> ({problem.message})</span> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
