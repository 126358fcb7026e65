import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { WriteOp, WriteResult } from '../connector.ts';
import { HubSpotApiError, type HubSpotClient } from './client.ts';
import type { HubSpotErrorBody } from './schemas.ts';

type UpsertOp = Extract<WriteOp, { kind: 'upsert' }>;
type UpdateOp = Extract<WriteOp, { kind: 'update' }>;
type DeleteOp = Extract<WriteOp, { kind: 'delete' | 'archive' }>;

/** Objects with `POST /crm/v3/objects/{type}/gdpr-delete` (the contacts spec has it; companies and deals do not). */
const GDPR_DELETE_OBJECTS = new Set(['contacts', '0-1']);

const norm = (v: string) => v.trim().toLowerCase();

function failure(
  ref: string,
  code: string,
  message: string,
  retryable: boolean,
): Extract<WriteResult, { ok: false }> {
  return { ref, ok: false, code, message, retryable };
}

/** Every string a 207 error names in its context: the ids or unique values of the inputs it is about. */
function namedValues(e: HubSpotErrorBody): Set<string> {
  const out = new Set<string>();
  const add = (ctx?: Record<string, string[]>) => {
    for (const list of Object.values(ctx ?? {})) for (const v of list) out.add(norm(v));
  };
  add(e.context);
  for (const d of e.errors ?? []) add(d.context);
  return out;
}

function errorCode(e: HubSpotErrorBody): string {
  const detail = e.errors?.find((d) => d.code)?.code;
  return `hubspot_${(detail ?? e.category ?? 'error').toLowerCase()}`;
}

/**
 * Sends one kind of op in one batch call and turns the answer into one result per op. A whole-batch
 * 400/409 (HubSpot rejects the batch for one bad input) is split in halves until the bad inputs stand
 * alone, so one invalid record never fails its 99 neighbours.
 */
async function sendBatch<Op extends UpsertOp | UpdateOp>(
  client: HubSpotClient,
  object: string,
  ops: Op[],
  call: (ops: Op[]) => Promise<Awaited<ReturnType<HubSpotClient['batch']>>>,
  keyOf: (op: Op) => string,
  resultKey: (r: { id: string; properties: Record<string, string | null> }) => string | null,
): Promise<WriteResult[]> {
  if (!ops.length) return [];
  let answer: Awaited<ReturnType<HubSpotClient['batch']>>;
  try {
    answer = await call(ops);
  } catch (err) {
    if (err instanceof AuthenticationError) throw err;
    if (err instanceof HubSpotApiError && (err.status === 400 || err.status === 409) && ops.length > 1) {
      const mid = Math.ceil(ops.length / 2);
      return [
        ...(await sendBatch(client, object, ops.slice(0, mid), call, keyOf, resultKey)),
        ...(await sendBatch(client, object, ops.slice(mid), call, keyOf, resultKey)),
      ];
    }
    const remote = err instanceof RemoteError ? err : null;
    return ops.map((op) => ({
      ...failure(op.ref, remote?.code ?? 'hubspot_error', (err as Error).message, remote?.retryable ?? true),
      ...(remote?.status === 404 ? { gone: true as const } : {}),
    }));
  }
  const byKey = new Map<string, { id: string; new?: boolean | undefined }>();
  for (const r of answer.results) {
    const k = resultKey(r);
    if (k) byKey.set(norm(k), r);
  }
  const errors = (answer.errors ?? []).map((e) => ({ e, names: namedValues(e) }));
  return ops.map((op) => {
    const k = norm(keyOf(op));
    const hit = byKey.get(k);
    if (hit) return { ref: op.ref, ok: true, externalId: hit.id, created: hit.new ?? false } as WriteResult;
    const err = errors.find((x) => x.names.has(k));
    if (err)
      return {
        ...failure(op.ref, errorCode(err.e), err.e.message, err.e.category === 'RATE_LIMITS'),
        // An update of a record deleted in HubSpot meanwhile: for an erasure that is done.
        ...(err.e.category === 'OBJECT_NOT_FOUND' ? { gone: true as const } : {}),
      };
    return failure(
      op.ref,
      'hubspot_no_result',
      `HubSpot's answer (${answer.httpStatus}) named neither a result nor an error for this record`,
      true,
    );
  });
}

/** Writes a batch of ops: upserts by unique property, updates by id, archives; one result per op. */
export async function writeHubSpot(
  client: HubSpotClient,
  object: string,
  ops: WriteOp[],
): Promise<WriteResult[]> {
  const upserts = ops.filter((o): o is UpsertOp => o.kind === 'upsert');
  const updates = ops.filter((o): o is UpdateOp => o.kind === 'update');
  // An erasure of a contact is HubSpot's GDPR delete (permanent, with the contact's history).
  const gdpr = ops.filter(
    (o): o is Extract<WriteOp, { kind: 'delete' }> =>
      o.kind === 'delete' && o.privacy === true && GDPR_DELETE_OBJECTS.has(object),
  );
  // Otherwise HubSpot deletes by archiving (restorable for 90 days): a delete and an archive are one call.
  const deletes = ops.filter(
    (o): o is DeleteOp => (o.kind === 'delete' || o.kind === 'archive') && !gdpr.includes(o as never),
  );
  const results: WriteResult[] = [];

  // HubSpot's upsert takes one idProperty per request: group by it.
  const byProperty = new Map<string, UpsertOp[]>();
  for (const op of upserts)
    byProperty.set(op.match.property, [...(byProperty.get(op.match.property) ?? []), op]);
  for (const [idProperty, group] of byProperty) {
    results.push(
      ...(await sendBatch(
        client,
        object,
        group,
        (batch) =>
          client.batch(
            object,
            'upsert',
            batch.map((op) => ({
              idProperty,
              id: op.match.value,
              properties: { ...op.properties, [idProperty]: op.match.value },
            })),
          ),
        (op) => op.match.value,
        (r) => r.properties[idProperty] ?? null,
      )),
    );
  }
  results.push(
    ...(await sendBatch(
      client,
      object,
      updates,
      (batch) =>
        client.batch(
          object,
          'update',
          batch.map((op) => ({ id: op.externalId, properties: op.properties })),
        ),
      (op) => op.externalId,
      (r) => r.id,
    )),
  );
  for (const d of gdpr) {
    try {
      // One call per contact: the endpoint takes one. A contact already gone counts as erased.
      results.push(
        (await client.gdprDelete(object, d.externalId))
          ? { ref: d.ref, ok: true, externalId: d.externalId, created: false }
          : {
              ...failure(d.ref, 'hubspot_object_not_found', 'HubSpot has no such contact', false),
              gone: true,
            },
      );
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      const remote = err instanceof RemoteError ? err : null;
      results.push(
        failure(d.ref, remote?.code ?? 'hubspot_error', (err as Error).message, remote?.retryable ?? true),
      );
    }
  }
  if (deletes.length) {
    try {
      await client.archive(
        object,
        deletes.map((d) => d.externalId),
      );
      for (const d of deletes)
        results.push({ ref: d.ref, ok: true, externalId: d.externalId, created: false });
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      const remote = err instanceof RemoteError ? err : null;
      for (const d of deletes)
        results.push(
          failure(d.ref, remote?.code ?? 'hubspot_error', (err as Error).message, remote?.retryable ?? true),
        );
    }
  }
  return results;
}
