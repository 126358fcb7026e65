import { z } from 'zod';
import { createConnector } from '../../connectors/registry.ts';
import { type MappingDefinition, MappingDefinitionSchema } from '../../core/mapping-definition.ts';
import { issuesFromSchema, type MappingIssue, mappingIssue } from '../../core/mapping-issues.ts';
import { mappingTable } from '../../core/mapping-table.ts';
import { DEFAULT_WORKSPACE } from '../../core/workspaces.ts';
import type { ConnectorFactory } from '../../engine/open-mapping.ts';
import { previewMapping } from '../../engine/preview.ts';
import {
  describeConnections,
  parseMappingDefinition,
  refuse,
  validateMappingDefinition,
} from '../../engine/validate-mapping.ts';
import { importsOfWorkspace } from '../../import/workspace.ts';
import { limitersFor } from '../../runs/limiters.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';
import { mappingTableCsv, mappingTableXlsx } from '../mapping-table-file.ts';

const MappingBody = MappingDefinitionSchema.omit({ id: true });

/**
 * A client may save a mapping as it loaded it (GET's definition with its id) or as the save answered it (with
 * `warnings`): those are taken out before the body is checked. Any other key the mapping does not have is
 * refused as `unknown_key`; so is an id that is not the path's.
 */
async function withoutAnswerFields(req: { body: unknown; params: unknown }): Promise<void> {
  const body = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const { warnings: _warnings, ...own } = body as Record<string, unknown>;
  if (own.id === (req.params as { id?: unknown }).id) delete own.id;
  req.body = own;
}

/** `field` inside the request's `prefix` (`body`, `body.mapping`); the definition itself is the prefix. */
const inside = (prefix: string, field: string) => (field ? `${prefix}.${field}` : prefix);

/**
 * Checks a mapping against its systems as saved connections describe them: errors refuse it (400
 * `validation_error`, each issue with its place, code and parameters in `details.issues`), warnings are
 * answered. Unknown connections are errors; a system that cannot be reached is a warning.
 */
export async function validateMapping(
  store: ServerDeps['store'],
  mapping: MappingDefinition,
  make: ConnectorFactory = createConnector,
  /** Mappings saved together with this one (an import of several), which associations may name. */
  alongside: string[] = [],
): Promise<MappingIssue[]> {
  const known = new Set((await store.connections.list()).map((c) => c.id));
  // An association's related mapping is looked up where the run will look: in the mapping's workspace.
  const mappings = new Set([mapping.id, ...alongside, ...(await store.mappings.list()).map((m) => m.id)]);
  const unknown = (mapping.associations ?? []).flatMap((assoc, i) =>
    mappings.has(assoc.mapping)
      ? []
      : [mappingIssue(`associations.${i}.mapping`, 'unknown_mapping', { mapping: assoc.mapping })],
  );
  if (unknown.length) refuse(unknown);
  return validateMappingDefinition(
    mapping,
    describeConnections(
      async (id) => (known.has(id) ? store.connections.get(id) : undefined),
      make,
      limitersFor(store),
    ),
  );
}

/**
 * A body the route schema refused, refused again with the mapping's own wording (an unknown transform
 * option names the option and the ones the transform has) at the place inside the request, as every
 * route names it (`body.fields.1.transform.0`, `body.mapping.filter`).
 */
function refuseInvalidBody(req: { validationError?: Error; body: unknown }, inMapping = false): void {
  if (!req.validationError) return;
  const body = req.body as Record<string, unknown> | null;
  const input = inMapping ? body?.mapping : body;
  // Not even an object: the route's own answer names it.
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw req.validationError;
  const schema = inMapping ? MappingDefinitionSchema : MappingDefinitionSchema.omit({ id: true });
  const parsed = schema.safeParse(input);
  const prefix = inMapping ? 'body.mapping' : 'body';
  if (!parsed.success)
    refuse(
      issuesFromSchema(parsed.error.issues, input).map((i) => ({ ...i, field: inside(prefix, i.field) })),
    );
  throw req.validationError;
}

/** Mapping definitions: CRUD with validation, preview on sample records, JSON export/import. */
export async function mappingRoutes(app: Api, deps: ServerDeps): Promise<void> {
  app.get(
    '/api/mappings',
    { schema: { tags: ['mappings'], summary: 'List mapping definitions' } },
    async (req) => ({ mappings: await req.store.mappings.list() }),
  );
  app.get(
    '/api/mappings/export',
    { schema: { tags: ['mappings'], summary: 'Export all mapping definitions as JSON' } },
    async (req, reply) => {
      reply.header('content-disposition', 'attachment; filename="junction-mappings.json"');
      return { version: 1, exportedAt: new Date().toISOString(), mappings: await req.store.mappings.list() };
    },
  );
  app.get(
    '/api/mappings/:id/table',
    {
      schema: {
        tags: ['mappings'],
        summary:
          'The mapping table to sign off (source field, transform, target property, required; filter, match key) as .xlsx or CSV',
        params: IdParams,
        querystring: z.object({
          format: z.enum(['xlsx', 'csv']).default('xlsx'),
          lang: z.enum(['de', 'en']).default('de'),
        }),
      },
    },
    async (req, reply) => {
      const mapping = await req.store.mappings.get(req.params.id);
      const table = mappingTable(mapping, req.query.lang);
      const name = `${mapping.id.replace(/[^\w.-]/g, '_')}-${req.query.lang === 'de' ? 'mapping-tabelle' : 'mapping-table'}`;
      if (req.query.format === 'csv') {
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`);
        return mappingTableCsv(table);
      }
      reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`);
      return mappingTableXlsx(table, mapping.name);
    },
  );
  app.post(
    '/api/mappings/import',
    {
      attachValidation: true,
      schema: {
        tags: ['mappings'],
        summary: 'Import mapping definitions (create or replace by id); nothing is saved if one is invalid',
        // What the export writes (its version and time are read past): a save of an export is an import.
        body: z.strictObject({
          version: z.literal(1).optional(),
          exportedAt: z.string().optional(),
          mappings: z.array(MappingDefinitionSchema).min(1),
        }),
      },
    },
    async (req) => {
      if (req.validationError) {
        const list = (req.body as { mappings?: unknown } | null)?.mappings;
        // Each definition's own issues, at `mappings.<n>.<place>`; else the body's shape was wrong.
        for (const [n, m] of (Array.isArray(list) ? list : []).entries()) {
          const parsed = MappingDefinitionSchema.safeParse(m);
          if (!parsed.success)
            refuse(
              issuesFromSchema(parsed.error.issues, m).map((i) => ({
                ...i,
                field: inside(`mappings.${n}`, i.field),
              })),
            );
        }
        throw req.validationError;
      }
      const warnings: MappingIssue[] = [];
      for (const [n, m] of req.body.mappings.entries()) {
        try {
          const batch = req.body.mappings.map((x) => x.id);
          for (const w of await validateMapping(req.store, m, deps.connectorFactory, batch))
            warnings.push({ ...w, field: `mappings.${n}.${w.field}` });
        } catch (err) {
          const details = (err as { details?: { issues?: MappingIssue[] } }).details;
          if (!details?.issues) throw err;
          refuse(details.issues.map((i) => ({ ...i, field: inside(`mappings.${n}`, i.field) })));
        }
      }
      await req.store.mappings.saveAll(req.body.mappings);
      return { imported: req.body.mappings.map((m) => m.id), warnings };
    },
  );
  app.post(
    '/api/mappings/preview',
    {
      attachValidation: true,
      schema: {
        tags: ['mappings'],
        summary: 'Apply a mapping (saved or not) to sample source records; writes nothing',
        body: z.object({
          mapping: MappingDefinitionSchema,
          limit: z.number().int().min(1).max(200).default(10),
        }),
      },
    },
    async (req) => {
      refuseInvalidBody(req, true);
      const warnings = await validateMapping(req.store, req.body.mapping, deps.connectorFactory);
      return {
        rows: await previewMapping(req.store, req.body.mapping, {
          log: deps.log,
          limit: req.body.limit,
          connectorFactory: deps.connectorFactory,
        }),
        warnings,
      };
    },
  );
  app.get(
    '/api/mappings/:id',
    { schema: { tags: ['mappings'], summary: 'One mapping definition', params: IdParams } },
    async (req) => req.store.mappings.get(req.params.id),
  );
  app.put(
    '/api/mappings/:id',
    {
      attachValidation: true,
      preValidation: withoutAnswerFields,
      schema: {
        tags: ['mappings'],
        summary:
          'Create or replace a mapping definition, checked against its systems (errors refuse it with their place, code and parameters — a key it does not have as unknown_key; warnings come back with it)',
        params: IdParams,
        body: MappingBody,
      },
    },
    async (req) => {
      refuseInvalidBody(req);
      const mapping = parseMappingDefinition({ ...req.body, id: req.params.id });
      const warnings = await validateMapping(req.store, mapping, deps.connectorFactory);
      await req.store.mappings.save(mapping);
      return { ...mapping, warnings };
    },
  );
  app.delete(
    '/api/mappings/:id',
    { schema: { tags: ['mappings'], summary: 'Delete a mapping definition', params: IdParams } },
    async (req) => {
      await req.store.mappings.get(req.params.id);
      await req.store.mappings.delete(req.params.id);
      // Its uploads go too: a mapping made again under the same id must not show (or rerun) the old imports.
      if (deps.importsDir) {
        const imports = importsOfWorkspace(deps.importsDir, req.store.workspaceId ?? DEFAULT_WORKSPACE);
        for (const record of await imports.list())
          if (record.mappingId === req.params.id) await imports.remove(record.id);
      }
      return { ok: true };
    },
  );
}
