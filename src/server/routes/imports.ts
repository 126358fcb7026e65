import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mb } from '../../connectors/spreadsheet/detect.ts';
import { SpreadsheetFileError, spreadsheetErrorStatus } from '../../connectors/spreadsheet/errors.ts';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Execution } from '../../core/types.ts';
import { DEFAULT_WORKSPACE } from '../../core/workspaces.ts';
import { IMPORT_ERROR_STATUS, ImportError } from '../../import/errors.ts';
import { executeImport, type PreparedImport, prepareImport } from '../../import/import-file.ts';
import { createValidationQueue } from '../../import/validation-queue.ts';
import { type ImportRecord, importsOfWorkspace, purgeEveryWorkspace } from '../../import/workspace.ts';
import { purgeUploads, RETENTION_EVERY_MS } from '../../scheduler/retention.ts';
import type { Store } from '../../store/store.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { MAX_UPLOAD_BYTES, receiveUpload, safeName, UPLOAD_LIMITS } from '../uploads.ts';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Answers a refused file or import with its own status; other errors go to the central handler. */
function refuse(reply: FastifyReply, err: unknown) {
  if (err instanceof SpreadsheetFileError) {
    return reply.code(spreadsheetErrorStatus(err.code)).send({
      error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
    });
  }
  if (err instanceof ImportError) {
    return reply.code(IMPORT_ERROR_STATUS[err.code]).send({
      error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
    });
  }
  throw err;
}

/**
 * Imports: upload a `.xlsx`/`.csv` for a mapping (checked and validated, nothing written), look at
 * the preview and problems, run it (all rows, or only the valid ones), download the error file.
 */
export async function importRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const importsDir =
    deps.importsDir ?? join(process.env.JUNCTION_DATA_DIR ?? 'junction-data', 'files', 'imports');
  // Each workspace's uploads and error files lie in its own folder: a request finds only its workspace's.
  const folderOf = (store: Pick<Store, 'workspaceId'>) =>
    importsOfWorkspace(importsDir, store.workspaceId ?? DEFAULT_WORKSPACE);
  // Each request's imports run in its workspace: the import's task and run belong to it.
  const ctxOf = (store: Store) => ({
    store,
    log: deps.log,
    connectorFactory: deps.connectorFactory,
    runs: deps.runs,
  });
  // Uploads follow the retention setting like executions: this server owns the folder, so it purges it.
  const purge = () =>
    void purgeUploads(deps.store, purgeEveryWorkspace(importsDir), deps.log).catch((err) =>
      deps.log.error({ err }, 'purging old uploads failed'),
    );
  const purgeTimer = setInterval(purge, RETENTION_EVERY_MS);
  purgeTimer.unref();
  app.addHook('onReady', async () => purge());
  app.addHook('onClose', async () => clearInterval(purgeTimer));
  const view = async (store: Store, r: ImportRecord) => ({
    ...r,
    errorFileUrl: r.hasErrorFile ? `/api/imports/${r.id}/error-file` : null,
    execution: r.executionId ? await store.executions.get(r.executionId) : null,
  });
  /** An upload of the request's workspace: one into another workspace's mapping does not exist here. */
  const loadOwn = async (store: Store, id: string) => {
    const record = await folderOf(store).load(id);
    try {
      await store.mappings.get(record.mappingId);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`import '${id}' does not exist`);
      throw err;
    }
    return record;
  };
  // At most MAX_VALIDATING_IMPORTS files are read and validated at once; further uploads wait their turn.
  const validating = deps.importValidation ?? createValidationQueue();
  const prepare = (store: Store, id: string, mappingId: string) =>
    validating.run(() =>
      prepareImport(ctxOf(store), {
        file: folderOf(store).uploadPath(id),
        mappingId,
        errorFilePath: folderOf(store).errorFilePath(id),
      }),
    );

  // Multipart parsing only for the upload route: registered in its own scope.
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: UPLOAD_LIMITS });
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/imports',
      {
        schema: {
          tags: ['imports'],
          summary:
            'Upload a .xlsx or .csv for a mapping: checks the file and validates every row; writes nothing',
          description: `multipart/form-data with a field \`mappingId\` (or \`?mappingId=\`) before the part \`file\`; at most ${mb(MAX_UPLOAD_BYTES)}.`,
          querystring: z.object({ mappingId: z.string().min(1).optional() }),
        },
      },
      async (req, reply) => {
        if (!req.isMultipart()) throw new ValidationError('send the file as multipart/form-data');
        const part = await req.file();
        if (!part) throw new ValidationError('the upload has no file part');
        const field = part.fields.mappingId;
        const mappingId =
          (field && !Array.isArray(field) && field.type === 'field' ? String(field.value) : undefined) ??
          req.query.mappingId;
        if (!mappingId)
          throw new ValidationError('name the mapping: field `mappingId` before the file, or ?mappingId=');
        await req.store.mappings.get(mappingId);
        const workspace = folderOf(req.store);
        const created = await workspace.create();
        try {
          await receiveUpload(part, created.uploadPath);
          const prepared = await prepare(req.store, created.id, mappingId);
          const record: ImportRecord = {
            id: created.id,
            mappingId,
            fileName: safeName(part.filename, 'import'),
            createdAt: new Date().toISOString(),
            status: 'validated',
            file: { ...fileOf(prepared), bytes: (await stat(created.uploadPath)).size },
            validation: prepared.validation,
            executionId: null,
            hasErrorFile: prepared.errorFile !== null,
            error: null,
          };
          await workspace.save(record);
          return reply.code(201).send(await view(req.store, record));
        } catch (err) {
          await workspace.remove(created.id);
          return refuse(reply, err);
        }
      },
    );
  });

  app.get(
    '/api/imports/:id',
    {
      schema: {
        tags: ['imports'],
        summary: 'An import: file, validation, preview and its execution',
        params: IdParams,
      },
    },
    async (req) => view(req.store, await loadOwn(req.store, req.params.id)),
  );

  app.post(
    '/api/imports/:id/run',
    {
      schema: {
        tags: ['imports'],
        summary: 'Run an uploaded import as an execution; with invalid rows only when validRowsOnly is set',
        params: IdParams,
        body: z.object({ validRowsOnly: z.boolean().default(false) }).default({ validRowsOnly: false }),
      },
    },
    async (req, reply) => {
      const record = await loadOwn(req.store, req.params.id);
      const workspace = folderOf(req.store);
      // An import whose run failed, or whose process died mid-way (its execution was closed when its
      // lease ended), may run again: writes are upserts, so rows already written are not doubled.
      const run = record.executionId
        ? await req.store.executions.get(record.executionId).catch(() => null)
        : null;
      const interrupted = record.status === 'running' && run !== null && run.status !== 'running';
      if (record.status !== 'validated' && record.status !== 'failed' && !interrupted)
        return refuse(reply, new ImportError('import_already_run', `import '${record.id}' was already run`));
      let prepared: PreparedImport;
      try {
        // The stored file is checked again against the mapping as it is now.
        prepared = await prepare(req.store, record.id, record.mappingId);
        if (prepared.validation.invalid > 0 && !req.body.validRowsOnly) {
          throw new ImportError(
            'import_has_invalid_rows',
            `${prepared.validation.invalid} of ${prepared.validation.rows} rows are invalid; nothing was imported`,
            {
              details: {
                invalid: prepared.validation.invalid,
                errorFileUrl: `/api/imports/${record.id}/error-file`,
              },
            },
          );
        }
      } catch (err) {
        return refuse(reply, err);
      }
      const started = await new Promise<Execution>((resolve, reject) => {
        executeImport(ctxOf(req.store), prepared, {
          validRowsOnly: req.body.validRowsOnly,
          errorFilePath: workspace.errorFilePath(record.id),
          onBegin: resolve,
        }).then(
          async (result) => {
            await workspace.save({
              ...record,
              status: 'finished',
              executionId: result.execution.id,
              hasErrorFile: result.errorFile !== null,
            });
          },
          async (err: Error & { code?: string }) => {
            reject(err);
            deps.log.error({ err, importId: record.id }, 'import run failed');
            await workspace
              .save({
                ...record,
                status: 'failed',
                error: { code: err.code ?? 'internal_error', message: err.message },
              })
              .catch(() => {});
          },
        );
      });
      await workspace.save({ ...record, status: 'running', executionId: started.id });
      return reply.code(202).send({ importId: record.id, executionId: started.id });
    },
  );

  app.get(
    '/api/imports/:id/error-file',
    {
      schema: {
        tags: ['imports'],
        summary: 'The rows that failed, as .xlsx with the reason in an added column',
        params: IdParams,
      },
    },
    async (req, reply) => {
      const record = await loadOwn(req.store, req.params.id);
      if (!record.hasErrorFile)
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: 'this import has no failed rows' } });
      const name = `${record.fileName.replace(/\.[^.]+$/, '')}-errors.xlsx`;
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', `attachment; filename="${name.replace(/"/g, '')}"`)
        .send(createReadStream(folderOf(req.store).errorFilePath(record.id)));
    },
  );
}

function fileOf(p: PreparedImport) {
  return {
    format: p.sheet.format,
    sheetName: p.sheet.sheetName,
    encoding: p.sheet.encoding,
    delimiter: p.sheet.delimiter,
    header: p.sheet.header,
  };
}
