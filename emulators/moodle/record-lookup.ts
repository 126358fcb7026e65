/** The debug detail Moodle's DML layer attaches when a `MUST_EXIST` lookup finds no record. */
import { missingRecord } from './errors.ts';

// PHP's var_export of a list of scalars, as dml_missing_record_exception prints the query parameters.
function varExport(values: readonly (string | number)[]): string {
  const lines = values.map(
    (v, i) => `  ${i} => ${typeof v === 'number' ? v : `'${v.replace(/'/g, "\\'")}'`},`,
  );
  return `array (\n${lines.join('\n')}${lines.length ? '\n' : ''})`;
}

/** dml_missing_record_exception for `$DB->get_record($table, $conditions, '*', MUST_EXIST)`. */
export function recordNotFound(table: string, conditions: Record<string, string | number>) {
  const where = Object.keys(conditions)
    .map((k) => `${k} = ?`)
    .join(' AND ');
  return missingRecord(
    table,
    `SELECT * FROM {${table}} WHERE ${where}\n[${varExport(Object.values(conditions))}]`,
  );
}
