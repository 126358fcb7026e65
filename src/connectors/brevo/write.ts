import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteJournal, WriteOp, WriteResult } from '../connector.ts';
import { type BatchableOp, batchable, batchUpdate } from './batch-update.ts';
import { BrevoApiError, type BrevoClient } from './client.ts';
import { type ContactBody, failure, ok, toContactBody, toCreateBody, toUpdateBody } from './contact-body.ts';
import { chunkRows, type ImportRow, importable, importChunk, importGroupKey } from './import.ts';

/** Finds the id of a contact Brevo just updated (a 204 carries no body). */
async function idOf(
  client: BrevoClient,
  ref: string,
  identifier: string,
  type: 'email_id' | 'ext_id',
): Promise<WriteResult> {
  const contact = await client.getContact(identifier, type);
  if (!contact)
    return failure(
      ref,
      'brevo_no_id',
      `Brevo updated the contact ${identifier} but then did not find it`,
      true,
    );
  return ok(ref, contact.id, false);
}

/** Create-or-update by e-mail in one call (`updateEnabled`), so a replay never makes a second contact. */
async function upsertByEmail(
  client: BrevoClient,
  ref: string,
  email: string,
  body: ContactBody,
): Promise<WriteResult> {
  const answer = await client.createContact({ ...toCreateBody(body), email, updateEnabled: true });
  return answer.created ? ok(ref, answer.id, true) : idOf(client, ref, email, 'email_id');
}

/** Update by EXT_ID, or create when Brevo has no such contact yet. */
async function upsertByExtId(
  client: BrevoClient,
  ref: string,
  extId: string,
  body: ContactBody,
): Promise<WriteResult> {
  try {
    await client.updateContact(extId, 'ext_id', toUpdateBody({ ...body, ext_id: extId }));
    return await idOf(client, ref, extId, 'ext_id');
  } catch (err) {
    if (!(err instanceof BrevoApiError && err.status === 404)) throw err;
  }
  // `updateEnabled` lets a contact that already has the e-mail (but no EXT_ID yet) take the EXT_ID.
  const answer = await client.createContact({ ...toCreateBody(body), ext_id: extId, updateEnabled: true });
  return answer.created ? ok(ref, answer.id, true) : idOf(client, ref, extId, 'ext_id');
}

async function writeOne(client: BrevoClient, op: WriteOp): Promise<WriteResult> {
  switch (op.kind) {
    case 'upsert': {
      const body = toContactBody(op.properties);
      if (op.match.property === 'email') return upsertByEmail(client, op.ref, op.match.value, body);
      if (op.match.property === 'ext_id') return upsertByExtId(client, op.ref, op.match.value, body);
      return failure(
        op.ref,
        'brevo_unsupported_match',
        `Brevo contacts can be matched by email or ext_id, not by '${op.match.property}'`,
        false,
      );
    }
    case 'update':
      await client.updateContact(op.externalId, 'contact_id', toUpdateBody(toContactBody(op.properties)));
      return ok(op.ref, op.externalId, false);
    case 'delete':
      // Already gone counts as done: deletes are replayed after a crash.
      await client.deleteContact(op.externalId, 'contact_id');
      return ok(op.ref, op.externalId, false);
    case 'archive':
      // Brevo has no archive: a blocklisted contact stays, with its history, but gets no more e-mail.
      await client.updateContact(op.externalId, 'contact_id', { emailBlacklisted: true });
      return ok(op.ref, op.externalId, false);
  }
}

/** Single calls, all in flight at once; the rate limiter paces them. */
function writeSingles(client: BrevoClient, ops: WriteOp[]): Promise<WriteResult[]> {
  return Promise.all(
    ops.map(async (op) => {
      try {
        return await writeOne(client, op);
      } catch (err) {
        if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
        if (err instanceof RemoteError)
          return {
            ...failure(op.ref, err.code, err.message, err.retryable),
            // A contact deleted in Brevo meanwhile: for an erasure that is done.
            ...(err.status === 404 ? { gone: true as const } : {}),
          };
        return failure(op.ref, 'brevo_error', (err as Error).message, true);
      }
    }),
  );
}

/** How the connector writes one plan. */
export interface BrevoWriteOptions {
  journal?: WriteJournal | undefined;
  signal?: AbortSignal | undefined;
  /** New contacts of one list group go through an import from this many on; fewer are cheaper one by one. */
  importFrom: number;
}

/** Which call carries each op of a page: imports, batch updates, or single calls. */
interface WritePlan {
  imports: ImportRow[][];
  batches: BatchableOp[];
  singles: WriteOp[];
  /** A second upsert of an address already in an import: written after it, so it updates that contact. */
  after: WriteOp[];
}

/** Sorts a page's ops onto the cheapest call that carries each exactly. */
export function planBrevoWrites(ops: WriteOp[], importFrom: number): WritePlan {
  const plan: WritePlan = { imports: [], batches: [], singles: [], after: [] };
  const groups = new Map<string, ImportRow[]>();
  const imported = new Set<string>();
  for (const op of ops) {
    if (op.kind === 'upsert') {
      const body = toContactBody(op.properties);
      const email = op.match.value.trim().toLowerCase();
      if (!importable(op, body)) plan.singles.push(op);
      else if (imported.has(email)) plan.after.push(op);
      else {
        imported.add(email);
        const key = importGroupKey(body);
        groups.set(key, [...(groups.get(key) ?? []), { op, email: op.match.value.trim(), body }]);
      }
    } else if (batchable(op)) plan.batches.push(op);
    else plan.singles.push(op);
  }
  for (const rows of groups.values()) {
    if (rows.length >= importFrom) plan.imports.push(...chunkRows(rows));
    else plan.singles.push(...rows.map((r) => r.op));
  }
  // One update is one call either way; the single PUT keeps its own error answer.
  if (plan.batches.length === 1) plan.singles.push(...plan.batches.splice(0));
  return plan;
}

/**
 * Writes one page's ops with as few calls as Brevo allows: new contacts (upserts by e-mail) through import
 * processes, in chunks under Brevo's body limit; changed contacts by id, and archives, through batch
 * updates of 100, split in halves when Brevo refuses one so a bad contact fails alone; deletes, upserts
 * by EXT_ID, small groups and what an import cannot express (leaving lists, lifting a blocklisting) one
 * call each. Every op gets its own result, with Brevo's reason when it failed.
 */
export async function writeBrevo(
  client: BrevoClient,
  ops: WriteOp[],
  o: BrevoWriteOptions,
): Promise<WriteResult[]> {
  const plan = planBrevoWrites(ops, o.importFrom);
  const results = new Map<string, WriteResult>();
  const record = (rs: WriteResult[]) => {
    for (const r of rs) results.set(r.ref, r);
  };
  await Promise.all([
    ...plan.imports.map(async (rows) => record(await importChunk(client, rows, o))),
    batchUpdate(client, plan.batches).then(record),
    writeSingles(client, plan.singles).then(record),
  ]);
  record(await writeSingles(client, plan.after));
  return ops.map(
    (op) =>
      results.get(op.ref) ??
      failure(op.ref, 'brevo_no_result', 'the write plan gave this record no result', true),
  );
}
