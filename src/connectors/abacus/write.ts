import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteOp, WriteResult } from '../connector.ts';
import { AbacusApiError, type AbacusClient } from './client.ts';
import { SubjectPayloadSchema, SubjectSchema } from './schemas.ts';
import {
  AmbiguousMatchError,
  createSubject,
  findSubject,
  InvalidRecordError,
  syncSubject,
} from './subject-sync.ts';

const EXPAND = { $expand: 'Addresses,Communications' };

function failure(
  ref: string,
  code: string,
  message: string,
  retryable: boolean,
): Extract<WriteResult, { ok: false }> {
  return { ref, ok: false, code, message, retryable };
}

/** Turns what went wrong with one op into its result; credentials and cancellation stop the batch. */
function failed(ref: string, err: unknown): WriteResult {
  if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
  if (err instanceof InvalidRecordError) return failure(ref, 'abacus_invalid_record', err.message, false);
  if (err instanceof AmbiguousMatchError) return failure(ref, 'abacus_ambiguous_match', err.message, false);
  if (err instanceof AbacusApiError) return failure(ref, err.code, err.message, err.retryable);
  if (err instanceof RemoteError) {
    // HttpClient's own codes after its retries: remote_timeout, remote_unreachable.
    const code = err.code.startsWith('abacus_') ? err.code : `abacus_${err.code.replace(/^remote_/, '')}`;
    return failure(ref, code, err.message, err.retryable || err.status === 0);
  }
  return failure(ref, 'abacus_error', (err as Error).message, true);
}

async function writeOne(client: AbacusClient, referenceField: string, op: WriteOp): Promise<WriteResult> {
  if (op.kind === 'archive') {
    if (!/^\d+$/.test(op.externalId)) throw new InvalidRecordError(`'${op.externalId}' is not a subject Id`);
    // Abacus deactivates a subject: it stays in the books (documents refer to it) but is no longer active.
    await client.patch('Subjects', op.externalId, { Status: 'Inactive' });
    return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
  }
  if (op.kind === 'delete') {
    if (!/^\d+$/.test(op.externalId)) throw new InvalidRecordError(`'${op.externalId}' is not a subject Id`);
    // Already gone counts as done: a replayed delete must not fail.
    await client.remove('Subjects', op.externalId);
    return { ref: op.ref, ok: true, externalId: op.externalId, created: false };
  }
  const parsed = SubjectPayloadSchema.safeParse(op.properties);
  if (!parsed.success)
    throw new InvalidRecordError(
      `invalid subject payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const payload = parsed.data;

  if (op.kind === 'update') {
    if (!/^\d+$/.test(op.externalId)) throw new InvalidRecordError(`'${op.externalId}' is not a subject Id`);
    const subject = await client.get('Subjects', op.externalId, SubjectSchema, EXPAND);
    if (!subject)
      return {
        ...failure(op.ref, 'abacus_not_found', `subject ${op.externalId} does not exist in Abacus`, false),
        gone: true,
      };
    await syncSubject(client, referenceField, subject, payload, payload.Reference);
    return { ref: op.ref, ok: true, externalId: String(subject.Id), created: false };
  }

  const reference = op.match.property === 'Reference' ? op.match.value : payload.Reference;
  const withMatch =
    op.match.property === 'EMail' ? { ...payload, EMail: payload.EMail ?? op.match.value } : payload;
  const existing = await findSubject(client, referenceField, op.match.property, op.match.value);
  if (existing) {
    await syncSubject(client, referenceField, existing, withMatch, reference);
    return { ref: op.ref, ok: true, externalId: String(existing.Id), created: false };
  }
  if (op.match.property === 'Id')
    return failure(op.ref, 'abacus_not_found', `subject ${op.match.value} does not exist in Abacus`, false);
  const id = await createSubject(client, referenceField, withMatch, reference);
  return { ref: op.ref, ok: true, externalId: String(id), created: true };
}

/**
 * Writes a batch of subject ops one after the other (a lookup decides create or update, so two ops for
 * the same person in one batch must not race). Every op gets its own result; only rejected credentials
 * and cancellation end the batch early.
 *
 * Idempotency: upserts look the subject up before creating it, so replaying a batch after a crash
 * updates instead of duplicating. Left open: a create whose answer was lost (a timed-out POST is not
 * re-sent) is reported as a retryable failure, and the replay then finds it by its reference.
 */
export async function writeAbacus(
  client: AbacusClient,
  referenceField: string,
  ops: WriteOp[],
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const op of ops) {
    try {
      results.push(await writeOne(client, referenceField, op));
    } catch (err) {
      results.push(failed(op.ref, err));
    }
  }
  return results;
}
