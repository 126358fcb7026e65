/**
 * `POST /v3/contacts/import` and `/v3/processes`: contact imports as asynchronous background processes.
 * Brevo answers an import with 202 `{ processId }`; `GET /v3/processes/{id}` then reports
 * queued → in_process → completed, and a completed import names CSV files with the rows it refused.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BrevoHttpError, invalidParameter, missingParameter, notFound } from './errors.ts';
import {
  IMPORT_REPORTS,
  type ImportProcesses,
  type ImportReport,
  type ImportRow,
  reportCsv,
  type StoredProcess,
} from './processes.ts';
import type { BrevoState } from './store.ts';
import { parseBody } from './validate.ts';

/** Most processes `GET /v3/processes` serves a page. */
export const MAX_PROCESSES_LIMIT = 50;

const importSchema = z.object({
  fileUrl: z.string().optional(),
  fileBody: z.string().optional(),
  jsonBody: z
    .array(
      z.looseObject({
        email: z.string().optional(),
        attributes: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .optional(),
  listIds: z.array(z.number().int().positive()).optional(),
  newList: z
    .object({ listName: z.string().min(1), folderId: z.number().int().positive().optional() })
    .optional(),
  notifyUrl: z.string().optional(),
  emailBlacklist: z.boolean().default(false),
  smsBlacklist: z.boolean().default(false),
  updateExistingContacts: z.boolean().default(true),
  emptyContactsAttributes: z.boolean().default(false),
  disableNotification: z.boolean().default(false),
});

/** A CSV body: `;`-separated, a header row naming EMAIL and the attributes. */
function csvRows(body: string): ImportRow[] {
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(';').map((h) => h.trim().toUpperCase());
  if (!header.includes('EMAIL')) throw invalidParameter('fileBody must have an EMAIL column');
  return lines.map((line) => {
    const cells = line.split(';');
    const attributes: Record<string, unknown> = {};
    header.forEach((name, i) => {
      attributes[name] = cells[i]?.trim() ?? '';
    });
    return { email: String(attributes.EMAIL ?? ''), attributes };
  });
}

function processId(raw: string): number {
  if (!/^\d+$/.test(raw)) throw invalidParameter('processId must be an integer');
  return Number(raw);
}

/** The process as Brevo shows it; a completed import names its report files (only those with rows). */
function toProcess(p: StoredProcess, request: FastifyRequest): Record<string, unknown> {
  const reports = IMPORT_REPORTS.filter((r) => p.reports[r]?.length);
  const origin = `${request.protocol}://${request.host}`;
  return {
    id: p.id,
    name: p.name,
    status: p.status,
    ...(p.status === 'completed' && reports.length
      ? {
          info: {
            import: Object.fromEntries(
              reports.map((r) => [r, `${origin}/v3/processes/${p.id}/reports/${r}.csv`]),
            ),
          },
        }
      : {}),
  };
}

/** Fastify plugin with `POST /import`, registered under `/v3/contacts`. */
export function importRoutes(state: BrevoState, imports: ImportProcesses): FastifyPluginAsync {
  return async (app) => {
    app.post('/import', async (request, reply) => {
      const body = parseBody(importSchema, request.body);
      const sources = [body.fileUrl, body.fileBody, body.jsonBody].filter((s) => s !== undefined);
      if (sources.length === 0) throw missingParameter('fileUrl, fileBody or jsonBody is required');
      if (sources.length > 1) throw invalidParameter('give only one of fileUrl, fileBody and jsonBody');
      if (body.fileUrl !== undefined)
        throw invalidParameter('fileUrl: the emulator cannot fetch files; send fileBody or jsonBody');
      if (!body.listIds?.length && !body.newList)
        throw missingParameter('listIds is required when newList is not given');
      for (const id of body.listIds ?? [])
        if (!state.getList(id)) throw invalidParameter(`Invalid list id: ${id}`);
      const listIds = [...(body.listIds ?? [])];
      if (body.newList) listIds.push(state.createList(body.newList.listName, body.newList.folderId).id);
      const rows: ImportRow[] =
        body.fileBody !== undefined
          ? csvRows(body.fileBody)
          : (body.jsonBody ?? []).map((r) => ({ email: r.email, attributes: r.attributes ?? {} }));
      if (!rows.length) throw invalidParameter('the import has no contacts');
      const process = imports.start({
        rows,
        listIds,
        updateExistingContacts: body.updateExistingContacts,
        emptyContactsAttributes: body.emptyContactsAttributes,
        emailBlacklist: body.emailBlacklist,
        smsBlacklist: body.smsBlacklist,
      });
      return reply.code(202).send({ processId: process.id });
    });
  };
}

/** Fastify plugin with the process routes, registered under `/v3/processes`. */
export function processRoutes(imports: ImportProcesses): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = q.limit === undefined ? 10 : Number(q.limit);
      const offset = q.offset === undefined ? 0 : Number(q.offset);
      if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0)
        throw invalidParameter('limit and offset must be non-negative integers');
      if (limit > MAX_PROCESSES_LIMIT)
        throw new BrevoHttpError(400, 'out_of_range', `limit exceeds its maximum of ${MAX_PROCESSES_LIMIT}`);
      const all = q.sort === 'asc' ? imports.list() : imports.list().reverse();
      return {
        processes: all.slice(offset, offset + limit).map((p) => toProcess(p, request)),
        count: all.length,
      };
    });

    app.get('/:processId', async (request) => {
      const id = processId((request.params as { processId: string }).processId);
      const process = imports.get(id);
      if (!process) throw notFound('Process does not exist');
      return toProcess(process, request);
    });

    // Brevo hands these files out from its own storage; the emulator serves them beside the process.
    app.get('/:processId/reports/:file', async (request, reply) => {
      const { file } = request.params as { file: string };
      const process = imports.get(processId((request.params as { processId: string }).processId));
      const report = file.replace(/\.csv$/, '') as ImportReport;
      const rows = process?.reports[report];
      if (!process || !IMPORT_REPORTS.includes(report) || !rows) throw notFound('Report does not exist');
      return reply.type('text/csv').send(reportCsv(rows));
    });
  };
}
