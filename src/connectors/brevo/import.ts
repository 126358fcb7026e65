import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { AuthenticationError, CancelledError, RemoteError } from '../../core/errors.ts';
import type { WriteJournal, WriteOp, WriteResult } from '../connector.ts';
import { BrevoApiError, type BrevoClient } from './client.ts';
import { type ContactBody, failure, ok } from './contact-body.ts';
import type { BrevoContact, BrevoProcess } from './schemas.ts';

/** Brevo takes a JSON body of up to 10 MB and recommends staying near 8 MB; chunks stay below that. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;
/** Brevo's `GET /contacts` page limit: the read-back of ids takes this many contacts a call. */
const READ_BACK_PAGE = 1000;
/** How far the hub's clock may run ahead of Brevo's: the read-back asks for contacts modified this much earlier. */
const CLOCK_MARGIN_MS = 2000;
/** An import still running after this long fails its rows retryably; the journal keeps its process for the next run. */
const IMPORT_DEADLINE_MS = 30 * 60_000;

/** One upsert by e-mail that an import can carry, with its Brevo body. */
export interface ImportRow {
  op: Extract<WriteOp, { kind: 'upsert' }>;
  email: string;
  body: ContactBody;
}

/** What the journal keeps of a started import: enough to wait on it and read its contacts back. */
interface PendingImport {
  processId: number;
  /** When the import was sent (the hub's clock): a contact Brevo created from then on is new. */
  startedAt: string;
  /** Brevo's `modifiedSince` for the read-back: `startedAt` less a margin for the clocks' difference. */
  since: string;
}

function pendingOf(value: unknown): PendingImport | null {
  const v = value as Partial<PendingImport> | null;
  return v &&
    typeof v.processId === 'number' &&
    typeof v.since === 'string' &&
    typeof v.startedAt === 'string'
    ? { processId: v.processId, startedAt: v.startedAt, since: v.since }
    : null;
}

/**
 * Whether an upsert fits an import: matched by e-mail, with lists (an import needs `listIds`), nothing to
 * leave (`unlinkListIds`) and no blocklisting to lift (an import can set it for all its rows, not clear it).
 */
export function importable(op: WriteOp, body: ContactBody): op is ImportRow['op'] {
  return (
    op.kind === 'upsert' &&
    op.match.property === 'email' &&
    !!body.listIds?.length &&
    !body.unlinkListIds?.length &&
    body.emailBlacklisted !== false &&
    body.smsBlacklisted !== false
  );
}

/** Rows that can share one import: the same lists and the same blocklist flags (they apply to every row). */
export function importGroupKey(body: ContactBody): string {
  return JSON.stringify([
    [...(body.listIds ?? [])].sort((a, b) => a - b),
    body.emailBlacklisted === true,
    body.smsBlacklisted === true,
  ]);
}

/** The import body of a chunk of rows of one group. */
function importBody(rows: ImportRow[]): Record<string, unknown> {
  const first = rows[0]?.body ?? { attributes: {} };
  return {
    listIds: [...(first.listIds ?? [])].sort((a, b) => a - b),
    // Upsert semantics, as the single create with updateEnabled: existing contacts take the new values,
    // and an emptied field empties the attribute.
    updateExistingContacts: true,
    emptyContactsAttributes: true,
    disableNotification: true,
    ...(first.emailBlacklisted ? { emailBlacklist: true } : {}),
    ...(first.smsBlacklisted ? { smsBlacklist: true } : {}),
    jsonBody: rows.map((r) => ({
      email: r.email,
      attributes: { ...r.body.attributes, ...(r.body.ext_id ? { EXT_ID: r.body.ext_id } : {}) },
    })),
  };
}

/** Splits rows into chunks whose JSON stays under IMPORT_MAX_BYTES. */
export function chunkRows(rows: ImportRow[], maxBytes = IMPORT_MAX_BYTES): ImportRow[][] {
  const chunks: ImportRow[][] = [];
  let chunk: ImportRow[] = [];
  let bytes = 512;
  for (const row of rows) {
    const size =
      Buffer.byteLength(JSON.stringify({ email: row.email, attributes: row.body.attributes })) + 32;
    if (chunk.length && bytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      bytes = 512;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length) chunks.push(chunk);
  return chunks;
}

/** Polls the process (twice a second at most: a fifth of the budget) until Brevo says it completed. */
async function completed(
  client: BrevoClient,
  processId: number,
  signal?: AbortSignal,
): Promise<BrevoProcess> {
  const deadline = Date.now() + IMPORT_DEADLINE_MS;
  for (let delay = 250; ; delay = Math.min(delay * 2, 500)) {
    const process = await client.getProcess(processId);
    if (process.status === 'completed') return process;
    if (Date.now() > deadline)
      throw new RemoteError(
        `Brevo's import process ${processId} was still ${process.status} after ${IMPORT_DEADLINE_MS / 60_000} minutes`,
        504,
        true,
        { code: 'brevo_import_timeout' },
      );
    await sleep(delay, undefined, { signal });
  }
}

/**
 * The rows a completed import refused, by lower-cased e-mail: Brevo lists them in CSV files named in
 * `info.import` (one per kind: invalid e-mails, duplicates, …), each row with the address and a reason.
 */
async function refusedRows(
  client: BrevoClient,
  process: BrevoProcess,
): Promise<Map<string, { code: string; message: string }>> {
  const refused = new Map<string, { code: string; message: string }>();
  for (const [kind, url] of Object.entries(process.info?.import ?? {})) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) continue;
    const rows = parse(await client.report(url), {
      delimiter: [';', ','],
      columns: (header: string[]) => header.map((h) => h.trim().toUpperCase()),
      skip_empty_lines: true,
      relax_column_count: true,
    }) as Record<string, string>[];
    for (const row of rows) {
      const email = row.EMAIL ?? Object.values(row)[0];
      if (!email) continue;
      const reason = row.REASON ?? row.ERROR ?? kind.replaceAll('_', ' ');
      refused.set(email.trim().toLowerCase(), {
        code: `brevo_import_${kind}`,
        message: `Brevo's import refused ${email.trim()}: ${reason}`,
      });
    }
  }
  return refused;
}

/**
 * The imported contacts by lower-cased e-mail: an import's result names no ids, so they are read back
 * from the contacts modified since it started (1 000 a call), and one by one for any not found that way.
 */
async function readBack(
  client: BrevoClient,
  emails: string[],
  since: string,
): Promise<Map<string, BrevoContact>> {
  const wanted = new Set(emails);
  const found = new Map<string, BrevoContact>();
  for (let offset = 0; found.size < wanted.size; offset += READ_BACK_PAGE) {
    const page = await client.listContacts({ limit: READ_BACK_PAGE, offset, modifiedSince: since });
    for (const c of page.contacts) {
      const email = c.email?.toLowerCase();
      if (email && wanted.has(email)) found.set(email, c);
    }
    if (page.contacts.length < READ_BACK_PAGE) break;
  }
  await Promise.all(
    [...wanted]
      .filter((e) => !found.has(e))
      .map(async (email) => {
        const contact = await client.getContact(email, 'email_id');
        if (contact) found.set(email, contact);
      }),
  );
  return found;
}

/** Starts the chunk's import, or finds the one an interrupted attempt at this page started. */
async function startOrResume(
  client: BrevoClient,
  body: Record<string, unknown>,
  journal: WriteJournal | undefined,
): Promise<PendingImport> {
  const key = `brevo-import:${createHash('sha256').update(JSON.stringify(body)).digest('hex')}`;
  const earlier = pendingOf(await journal?.get(key));
  if (earlier) {
    try {
      await client.getProcess(earlier.processId);
      return earlier;
    } catch (err) {
      // A process Brevo no longer knows: import afresh (the rows are upserts by e-mail, so that is safe).
      if (!(err instanceof BrevoApiError && err.status === 404)) throw err;
    }
  }
  const now = Date.now();
  const startedAt = new Date(now).toISOString();
  const since = new Date(now - CLOCK_MARGIN_MS).toISOString();
  const pending = { processId: await client.importContacts(body), startedAt, since };
  // Kept before waiting: a run killed from here on finds the process again instead of importing twice.
  await journal?.put(key, pending);
  return pending;
}

/**
 * Creates or updates one chunk of contacts through one import process and answers one result per row:
 * created or updated with the contact's id, or failed with the reason Brevo's report gives.
 */
export async function importChunk(
  client: BrevoClient,
  rows: ImportRow[],
  o: { journal?: WriteJournal | undefined; signal?: AbortSignal | undefined },
): Promise<WriteResult[]> {
  try {
    const pending = await startOrResume(client, importBody(rows), o.journal);
    const process = await completed(client, pending.processId, o.signal);
    const refused = await refusedRows(client, process);
    const emails = rows.map((r) => r.email.toLowerCase()).filter((e) => !refused.has(e));
    const contacts = await readBack(client, emails, pending.since);
    // Created or updated is told by the clocks (an import names neither): a skew between the hub and
    // Brevo can mislabel a contact made within it, never its id.
    const newSince = Date.parse(pending.startedAt);
    return rows.map((r) => {
      const email = r.email.toLowerCase();
      const refusal = refused.get(email);
      if (refusal) return failure(r.op.ref, refusal.code, refusal.message, false);
      const contact = contacts.get(email);
      if (!contact)
        return failure(
          r.op.ref,
          'brevo_import_row_missing',
          `Brevo's import process ${pending.processId} completed without reporting ${r.email}, but no such contact exists`,
          true,
        );
      const created = contact.createdAt !== undefined && Date.parse(contact.createdAt) >= newSince;
      return ok(r.op.ref, contact.id, created);
    });
  } catch (err) {
    if (err instanceof AuthenticationError || err instanceof CancelledError) throw err;
    if (o.signal?.aborted) throw new CancelledError('the run was cancelled', { cause: err });
    const remote = err instanceof RemoteError ? err : null;
    return rows.map((r) =>
      failure(r.op.ref, remote?.code ?? 'brevo_error', (err as Error).message, remote?.retryable ?? true),
    );
  }
}
