import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { pino } from 'pino';
import { z } from 'zod';
import type { ObjectDescription } from '../../connectors/connector.ts';
import { createConnector, fileFields, systemNames } from '../../connectors/registry.ts';
import { mb } from '../../connectors/spreadsheet/detect.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Connection } from '../../core/types.ts';
import { workspaceFolderOf } from '../../core/workspace-folders.ts';
import { DEFAULT_WORKSPACE } from '../../core/workspaces.ts';
import { createValidationQueue } from '../../import/validation-queue.ts';
import { RETENTION_EVERY_MS } from '../../scheduler/retention.ts';
import type { Store } from '../../store/store.ts';
import type { Api } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import {
  CONNECTION_UPLOADS,
  MAX_UPLOAD_BYTES,
  purgeUnnamedUploads,
  receiveUpload,
  SAMPLE_UPLOADS,
  safeName,
  UPLOAD_LIMITS,
} from '../uploads.ts';

/**
 * Files from the dashboard for connections that read a file on the hub's disk (a spreadsheet's `file`):
 * `POST /api/files` keeps an upload in Junction's uploads folder for a connection to name; `POST
 * /api/files/sample` reads the objects and fields of a sample file through a connection, for the mapping
 * editor, and keeps nothing. Both check the file as imports do (size, then the connector opens it with
 * its limits: format, zip bombs, header) and describe it with the connector's own `describe()`.
 */
export async function fileRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const files = deps.files;
  const make = deps.connectorFactory ?? createConnector;
  // Opening a workbook holds its shared strings in memory: shares the imports' few slots when given.
  const reading = deps.importValidation ?? createValidationQueue();

  // Junction's own uploads folder (JUNCTION_UPLOADS_DIR), never the customer's files folder; each workspace
  // uploads into its own part, which only its connections may name.
  const folderOf = (store: Pick<Store, 'workspaceId'>, sub: string) => {
    if (!deps.uploadsDir) throw new ValidationError('this hub has no uploads folder (JUNCTION_UPLOADS_DIR)');
    return join(workspaceFolderOf(deps.uploadsDir, store.workspaceId ?? DEFAULT_WORKSPACE), sub);
  };

  // This server owns the uploads folder, so it clears out the files no connection names.
  const first = files?.folders[0];
  const uploadsDir = deps.uploadsDir;
  if (first && uploadsDir) {
    const purge = () =>
      void purgeUnnamedUploads({ store: deps.store, uploadsDir, filesFolder: first })
        .then((n) => {
          if (n) deps.log.info({ uploads: n }, 'removed uploaded files no connection names');
        })
        .catch((err) => deps.log.error({ err }, 'removing unnamed uploads failed'));
    const timer = setInterval(purge, RETENTION_EVERY_MS);
    timer.unref();
    app.addHook('onReady', async () => purge());
    app.addHook('onClose', async () => clearInterval(timer));
  }

  /** The file field of `system` an upload goes into (`field`, or its only one). */
  const fieldOf = (system: string, field?: string) => {
    const own = fileFields(system);
    const chosen = field ?? (own.length === 1 ? own[0] : undefined);
    if (!chosen || !own.includes(chosen))
      throw new ValidationError(
        own.length
          ? `system '${system}' takes a file in ${own.map((f) => `'${f}'`).join(', ')}, not '${field ?? ''}'`
          : `connections of system '${system}' name no file`,
        { details: { field: 'field', fileFields: own } },
      );
    return chosen;
  };

  /** Describes `connection` through its connector (confined to the files folders like every route's). */
  const describe = (connection: Connection): Promise<ObjectDescription[]> =>
    reading.run(async () => {
      const ac = new AbortController();
      const connector = make(connection, { log: deps.log ?? pino({ level: 'silent' }), signal: ac.signal });
      try {
        return await connector.describe();
      } finally {
        ac.abort();
        await connector.close?.();
      }
    });

  await app.register(async (scope) => {
    await scope.register(multipart, { limits: UPLOAD_LIMITS });
    const api = scope.withTypeProvider<ZodTypeProvider>();

    api.post(
      '/api/files',
      {
        schema: {
          tags: ['connections'],
          summary:
            "Upload a file for a connection to read (a spreadsheet's file): kept in Junction's uploads folder",
          description: `multipart/form-data with one part \`file\`, at most ${mb(MAX_UPLOAD_BYTES)}. The file is opened as the system's connector opens it (format, size and zip-bomb checks, header) and answered with its objects and fields; \`path\` is what the connection's field then names.`,
          querystring: z.object({
            system: z.enum(systemNames()),
            /** The config field the file is for; default the system's only file field. */
            field: z.string().min(1).optional(),
          }),
        },
      },
      async (req, reply) => {
        if (!req.isMultipart()) throw new ValidationError('send the file as multipart/form-data');
        const field = fieldOf(req.query.system, req.query.field);
        const part = await req.file();
        if (!part) throw new ValidationError('the upload has no file part');
        const id = randomUUID();
        const dir = folderOf(req.store, join(CONNECTION_UPLOADS, id));
        const fileName = safeName(part.filename);
        const path = join(dir, fileName);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        try {
          await receiveUpload(part, join(dir, fileName));
          const objects = await describe({
            id: `upload-${id}`,
            name: fileName,
            system: req.query.system,
            config: { [field]: path },
            secret: {},
            workspaceId: req.store.workspaceId,
          });
          const { size } = await stat(join(dir, fileName));
          return reply.code(201).send({ path, field, fileName, bytes: size, objects });
        } catch (err) {
          await rm(dir, { recursive: true, force: true });
          throw err;
        }
      },
    );

    api.post(
      '/api/files/sample',
      {
        schema: {
          tags: ['mappings'],
          summary:
            "Read the objects and fields of a sample file through a connection's settings; keeps nothing",
          description: `multipart/form-data with one part \`file\`, at most ${mb(MAX_UPLOAD_BYTES)}: for mappings whose source connection has no file of its own (imports bring theirs). The sample is opened with the connection's settings (delimiter, encoding, limits) and removed once read.`,
          querystring: z.object({ connectionId: z.string().min(1) }),
        },
      },
      async (req) => {
        if (!req.isMultipart()) throw new ValidationError('send the file as multipart/form-data');
        const connection = await req.store.connections.get(req.query.connectionId);
        const field = fieldOf(connection.system);
        const part = await req.file();
        if (!part) throw new ValidationError('the upload has no file part');
        const id = randomUUID();
        const dir = folderOf(req.store, join(SAMPLE_UPLOADS, id));
        const fileName = safeName(part.filename);
        await mkdir(dir, { recursive: true, mode: 0o700 });
        try {
          await receiveUpload(part, join(dir, fileName));
          const objects = await describe({
            ...connection,
            config: { ...connection.config, [field]: join(dir, fileName) },
          });
          return { fileName, objects };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    );
  });
}
