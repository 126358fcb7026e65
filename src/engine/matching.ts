import type { Connector, SourceRecord, WriteResult } from '../connectors/connector.ts';
import { JunctionError } from '../core/errors.ts';
import type { MapResult } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import type { SyncLink } from '../core/types.ts';

/** The assignment wants initial matching or read-back, but the target cannot look records up. */
export class LookupUnsupportedError extends JunctionError {
  override readonly code = 'lookup_unsupported';
}

const norm = (v: unknown) => String(v).trim().toLowerCase();

function lookupOf(target: Connector, what: string): NonNullable<Connector['lookup']> {
  if (!target.lookup)
    throw new LookupUnsupportedError(
      `${what} needs a target that can look records up; ${target.system} cannot`,
    );
  return target.lookup.bind(target);
}

/**
 * Initial matching: for the records of a page that have no target record yet, finds existing target
 * records by the match property (one lookup per page) and returns the id to adopt by source key. A value
 * several target records share is not adopted (the record is then written as usual and may fail there).
 */
export async function adoptExisting(
  mapping: MappingDefinition,
  target: Connector,
  records: SourceRecord[],
  mapped: Map<string, MapResult>,
  links: Map<string, SyncLink>,
): Promise<Map<string, string>> {
  const adopted = new Map<string, string>();
  const im = mapping.initialMatching;
  if (!im) return adopted;
  const field = im.source ?? im.property;
  const wanted = new Map<string, string[]>();
  for (const r of records) {
    const m = mapped.get(r.key);
    const value = m?.ok ? m.payload[field] : undefined;
    if (links.get(r.key)?.externalId || value === undefined || value === null || value === '') continue;
    wanted.set(norm(value), [...(wanted.get(norm(value)) ?? []), r.key]);
  }
  if (!wanted.size) return adopted;
  const hits = await lookupOf(target, 'initial matching')(mapping.target.object, im.property, [
    ...wanted.keys(),
  ]);
  const ids = new Map<string, Set<string>>();
  for (const h of hits) ids.set(norm(h.value), (ids.get(norm(h.value)) ?? new Set()).add(h.id));
  for (const [value, keys] of wanted) {
    const found = ids.get(value);
    if (found?.size === 1 && keys.length === 1) adopted.set(keys[0] as string, [...found][0] as string);
  }
  return adopted;
}

/**
 * Read-back: reads the written target records by id (one lookup per page) and returns, by source key,
 * the value the target assigned (`readBack.property`): kept on the link, and written to `writeTo`.
 */
export async function readBack(
  mapping: MappingDefinition,
  target: Connector,
  results: WriteResult[],
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  const rb = mapping.readBack;
  const ok = results.filter((r): r is Extract<WriteResult, { ok: true }> => r.ok);
  if (!rb || !ok.length) return out;
  const hits = await lookupOf(target, 'read-back')(mapping.target.object, rb.idProperty ?? 'id', [
    ...new Set(ok.map((r) => r.externalId)),
  ]);
  const byId = new Map(hits.map((h) => [h.id, h]));
  for (const r of ok) {
    const hit = byId.get(r.externalId);
    if (hit) out.set(r.ref, hit.properties[rb.property] ?? null);
  }
  return out;
}
