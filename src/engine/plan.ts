import type { SourceRecord, WriteOp } from '../connectors/connector.ts';
import type { MapResult } from '../core/mapper.ts';
import type { MappingDefinition } from '../core/mapping-definition.ts';
import { hashPayload } from '../core/payload-hash.ts';
import type { ExecutionItem, SyncLink } from '../core/types.ts';

/** What the engine decided for one record before any I/O. */
export type RecordPlan =
  | { kind: 'unchanged'; record: SourceRecord }
  | { kind: 'write'; record: SourceRecord; op: WriteOp; hash: string; payload: Record<string, unknown> }
  | { kind: 'fail'; record: SourceRecord; code: string; message: string; payload: Record<string, unknown> };

/**
 * Decides, purely, what to do with one mapped record: nothing when its payload hash equals the last
 * successful sync's, an update by id when it is linked (or `adoptedId` names the target record initial
 * matching found), an idempotent upsert by the match key otherwise. The assignment's sync option
 * narrows this: `insert` leaves linked records alone, `update` records with no target record; with the
 * identifier assigned by the `source`, the match value is the source key.
 */
export function planRecord(
  mapping: MappingDefinition,
  record: SourceRecord,
  mapped: MapResult,
  linked: SyncLink | undefined,
  adoptedId?: string,
): RecordPlan {
  let link = linked;
  // A person removed by a privacy deletion is never written again, whatever the source still holds.
  if (link?.status === 'deleted') return { kind: 'unchanged', record };
  // Someone deleted the target record: left alone unless the mapping wants it back.
  if (link?.status === 'target_deleted') {
    if (mapping.targetDeletes !== 'recreate') return { kind: 'unchanged', record };
    link = undefined;
  }
  // The source record was deleted (and its target record with it) and has come back: synced anew.
  if (link?.status === 'removed') link = undefined;
  if (!mapped.ok) {
    const first = mapped.errors[0];
    return {
      kind: 'fail',
      record,
      code: first?.code ?? 'mapping_failed',
      message: mapped.errors.map((e) => e.message).join('; '),
      payload: mapped.payload,
    };
  }
  const payload = mapped.payload;
  const hash = hashPayload(payload);
  if (link && link.status === 'ok' && link.externalId && link.payloadHash === hash)
    return { kind: 'unchanged', record };
  // Absent means upsert: only 'insert' and 'update' narrow what is written.
  const sync = mapping.sync;
  if (link?.externalId && sync === 'insert') return { kind: 'unchanged', record };
  const externalId = link?.externalId ?? adoptedId;
  if (externalId) {
    return {
      kind: 'write',
      record,
      hash,
      payload,
      op: { kind: 'update', ref: record.key, externalId, properties: payload },
    };
  }
  if (sync === 'update') return { kind: 'unchanged', record };
  const matchField = mapping.matchKey.source ?? mapping.matchKey.target;
  const matchValue = mapping.identifier === 'source' ? record.key : payload[matchField];
  if (matchValue === undefined || matchValue === null || matchValue === '') {
    return {
      kind: 'fail',
      record,
      code: 'match_key_missing',
      message: `the match key '${matchField}' is empty, so the record cannot be matched in the target`,
      payload,
    };
  }
  return {
    kind: 'write',
    record,
    hash,
    payload,
    op: {
      kind: 'upsert',
      ref: record.key,
      match: { property: mapping.matchKey.target, value: String(matchValue) },
      properties: payload,
    },
  };
}

/** The execution item of a planned-and-done record. */
export function itemOf(
  sourceKey: string,
  action: ExecutionItem['action'],
  extra: Partial<Omit<ExecutionItem, 'executionId' | 'sourceKey' | 'action'>> = {},
): Omit<ExecutionItem, 'executionId'> {
  return { sourceKey, action, targetId: null, code: null, message: null, payload: null, ...extra };
}
