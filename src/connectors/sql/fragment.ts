import { type RawBuilder, sql } from 'kysely';
import type { SqlFragment } from '../../core/expression/index.ts';

/** Turns the expression compiler's dialect-neutral fragment into Kysely SQL with bound parameters. */
export function fragmentToSql(fragment: SqlFragment): RawBuilder<unknown> {
  return sql.join(
    fragment.parts.map((p) =>
      typeof p === 'string' ? sql.raw(p) : 'identifier' in p ? sql.ref(p.identifier) : sql`${p.value}`,
    ),
    sql.raw(''),
  );
}
