import type { z } from 'zod';

/** What was read, and the keys (`matchKey.tagret`, `delets`) left out of it. */
export interface ReadLeniently<T> {
  data: T;
  dropped: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses `input` with a strict `schema` as it parsed before the schema was strict: keys it does not know
 * are left out (and named in `dropped`) instead of refusing the whole. For what Junction stored itself — a
 * definition saved by a version that still dropped misspelt keys (or knew a key this one does not) must
 * load and run after an upgrade, while what people hand in is parsed strictly. The schema stays the one
 * definition; anything else it refuses is still refused. Keys inside a plain (not discriminated) union
 * are reported by zod as the union's failure and so are not left out.
 */
export function parseLeniently<S extends z.ZodType>(schema: S, input: unknown): ReadLeniently<z.output<S>> {
  const first = schema.safeParse(input);
  if (first.success) return { data: first.data, dropped: [] };
  const unknown = first.error.issues.filter((i) => i.code === 'unrecognized_keys');
  if (!unknown.length) throw first.error;
  const copy = structuredClone(input);
  const dropped: string[] = [];
  for (const issue of unknown) {
    let at: unknown = copy;
    for (const k of issue.path)
      at = isRecord(at) || Array.isArray(at) ? (at as Record<PropertyKey, unknown>)[k] : undefined;
    if (!isRecord(at)) continue;
    for (const key of issue.keys) {
      delete at[key];
      dropped.push([...issue.path, key].map(String).join('.'));
    }
  }
  return { data: schema.parse(copy), dropped };
}
