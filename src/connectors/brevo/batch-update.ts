import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteOp, WriteResult } from '../connector.ts';
import { BrevoApiError, type BrevoClient } from './client.ts';
import { failure, ok, toContactBody, toUpdateBody } from './contact-body.ts';

/**
 * Contacts per `POST /contacts/batch`. Brevo documents no maximum; 100 keeps a refused batch cheap to
 * split (at most 7 halvings to find one bad contact) and a body far below any request size limit.
 */
export const BATCH_UPDATE_SIZE = 100;

/** An update by id or an archive (a blocklisting), both of which the batch call can carry. */
export type BatchableOp = Extract<WriteOp, { kind: 'update' | 'archive' }>;

/** The batch entry of an op: the contact by its numeric id and the changes. */
function entryOf(op: BatchableOp): Record<string, unknown> {
  const changes =
    op.kind === 'archive'
      ? // Brevo has no archive: a blocklisted contact stays, with its history, but gets no more e-mail.
        { emailBlacklisted: true }
      : toUpdateBody(toContactBody(op.properties));
  return { ...changes, id: Number(op.externalId) };
}

/** Whether the batch call can name this op's contact (Brevo ids are numbers). */
export function batchable(op: WriteOp): op is BatchableOp {
  return (op.kind === 'update' || op.kind === 'archive') && /^\d+$/.test(op.externalId);
}

/**
 * Sends the ops through `POST /contacts/batch`. Brevo refuses the whole batch for one bad contact (400,
 * or 404 for an id it does not know) and says only which in its message, so a refused batch is split in
 * halves until the refused contacts stand alone and fail with Brevo's own code and message; their
 * neighbours are written. Other failures (5xx after retries, 429 storms) fail the batch retryably.
 */
export async function sendBatchUpdate(client: BrevoClient, ops: BatchableOp[]): Promise<WriteResult[]> {
  if (!ops.length) return [];
  try {
    await client.batchUpdate(ops.map(entryOf));
    return ops.map((op) => ok(op.ref, op.externalId, false));
  } catch (err) {
    if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
    const refused = err instanceof BrevoApiError && (err.status === 400 || err.status === 404);
    if (refused && ops.length > 1) {
      const mid = Math.ceil(ops.length / 2);
      const [left, right] = await Promise.all([
        sendBatchUpdate(client, ops.slice(0, mid)),
        sendBatchUpdate(client, ops.slice(mid)),
      ]);
      return [...left, ...right];
    }
    const remote = err instanceof RemoteError ? err : null;
    return ops.map((op) => ({
      ...failure(op.ref, remote?.code ?? 'brevo_error', (err as Error).message, remote?.retryable ?? true),
      // One contact left and Brevo does not know its id: deleted there meanwhile (an erasure is done).
      ...(remote?.status === 404 && ops.length === 1 ? { gone: true as const } : {}),
    }));
  }
}

/** All the ops in batches of BATCH_UPDATE_SIZE, sent at once; the rate limiter paces them. */
export async function batchUpdate(client: BrevoClient, ops: BatchableOp[]): Promise<WriteResult[]> {
  const batches: BatchableOp[][] = [];
  for (let i = 0; i < ops.length; i += BATCH_UPDATE_SIZE) batches.push(ops.slice(i, i + BATCH_UPDATE_SIZE));
  return (await Promise.all(batches.map((b) => sendBatchUpdate(client, b)))).flat();
}
