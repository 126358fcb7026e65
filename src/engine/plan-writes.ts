import type { Connector, WriteOp, WriteResult } from '../connectors/connector.ts';

const norm = (v: unknown) => String(v).trim().toLowerCase();

/**
 * What the target would answer to a batch, for a dry run, without changing anything there: an update of
 * a linked record updates; an upsert updates when the target already holds a record with its match value
 * (one lookup per page, where the target can look up) or when an earlier upsert of this dry run would have
 * created it, and creates otherwise. `planned` carries those earlier creates across the run's pages.
 */
export async function planWrites(
  target: Connector,
  object: string,
  ops: WriteOp[],
  planned: Map<string, string>,
  targetConnectionId: string,
): Promise<WriteResult[]> {
  const byProperty = new Map<string, string[]>();
  for (const op of ops)
    if (op.kind === 'upsert')
      byProperty.set(op.match.property, [...(byProperty.get(op.match.property) ?? []), op.match.value]);
  const existing = new Map<string, string>();
  if (target.lookup) {
    for (const [property, values] of byProperty) {
      for (const hit of await target.lookup(object, property, [...new Set(values)]))
        existing.set(`${property}\u0000${norm(hit.value)}`, hit.id);
    }
  }
  return ops.map((op): WriteResult => {
    if (op.kind !== 'upsert') return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
    const key = `${op.match.property}\u0000${norm(op.match.value)}`;
    // Planned creates are per target: two assignments may create the same e-mail in two systems.
    const plannedKey = `${targetConnectionId}\u0000${object}\u0000${key}`;
    const id = existing.get(key) ?? planned.get(plannedKey);
    if (id) return { ref: op.ref, ok: true, externalId: id, created: false };
    // A placeholder id: the target assigns the real one when the run creates the record.
    planned.set(plannedKey, `(new: ${op.match.value})`);
    return { ref: op.ref, ok: true, externalId: '', created: true };
  });
}
