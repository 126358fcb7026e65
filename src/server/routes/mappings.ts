import { pino } from 'pino';
import { z } from 'zod';
import type { ObjectDescription } from '../../connectors/connector.ts';
import { createConnector } from '../../connectors/registry.ts';
import { ExpressionSyntaxError, ValidationError } from '../../core/errors.ts';
import { prepareExpression } from '../../core/expression/index.ts';
import { compileMapping } from '../../core/mapper.ts';
import { type MappingDefinition, MappingDefinitionSchema } from '../../core/mapping-definition.ts';
import type { Connection } from '../../core/types.ts';
import { checkMappingTypes, describeSourceForCheck } from '../../engine/check-mapping.ts';
import type { ConnectorFactory } from '../../engine/open-mapping.ts';
import { previewMapping } from '../../engine/preview.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';

const MappingBody = MappingDefinitionSchema.omit({ id: true });

const silent = pino({ level: 'silent' });

/**
 * Checks what the schema cannot: the filter parses, transforms compile, connections exist. Errors point
 * at the field (`filter`, `fields.2.transform.0`).
 */
export async function validateMapping(
  store: ServerDeps['store'],
  mapping: MappingDefinition,
  make: ConnectorFactory = createConnector,
): Promise<void> {
  const issues: { field: string; message: string; position?: number }[] = [];
  if (mapping.filter?.trim()) {
    try {
      prepareExpression(mapping.filter);
    } catch (err) {
      issues.push({
        field: 'filter',
        message: (err as Error).message,
        ...(err instanceof ExpressionSyntaxError ? { position: err.position } : {}),
      });
    }
  }
  try {
    compileMapping(mapping.fields);
  } catch (err) {
    issues.push({ field: 'fields', message: (err as Error).message });
  }
  const connections = await store.connections.list();
  const known = new Set(connections.map((c) => c.id));
  if (!issues.length) {
    // Unknown fields and type errors of filters and formulas, with their positions (SQL sources).
    issues.push(
      ...(await checkMappingTypes(mapping, async (id) =>
        known.has(id) ? describeSourceForCheck(await store.connections.get(id), make) : null,
      )),
    );
  }
  for (const side of ['source', 'target'] as const) {
    if (!known.has(mapping[side].connectionId))
      issues.push({
        field: `${side}.connectionId`,
        message: `connection '${mapping[side].connectionId}' does not exist`,
      });
  }
  if (issues.length)
    throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
      details: { issues },
    });
}

/** Mapping definitions: CRUD with validation, preview on sample records, JSON export/import. */
export async function mappingRoutes(app: Api, deps: ServerDeps): Promise<void> {
  const { store } = deps;
  app.get(
    '/api/mappings',
    { schema: { tags: ['mappings'], summary: 'List mapping definitions' } },
    async () => ({ mappings: await store.mappings.list() }),
  );
  app.get(
    '/api/mappings/export',
    { schema: { tags: ['mappings'], summary: 'Export all mapping definitions as JSON' } },
    async (_req, reply) => {
      reply.header('content-disposition', 'attachment; filename="junction-mappings.json"');
      return { version: 1, exportedAt: new Date().toISOString(), mappings: await store.mappings.list() };
    },
  );
  app.post(
    '/api/mappings/import',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Import mapping definitions (create or replace by id); nothing is saved if one is invalid',
        body: z.object({ mappings: z.array(MappingDefinitionSchema).min(1) }),
      },
    },
    async (req) => {
      for (const m of req.body.mappings) await validateMapping(store, m, deps.connectorFactory);
      for (const m of req.body.mappings) await store.mappings.save(m);
      return { imported: req.body.mappings.map((m) => m.id) };
    },
  );
  app.post(
    '/api/mappings/preview',
    {
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
      await validateMapping(store, req.body.mapping, deps.connectorFactory);
      return {
        rows: await previewMapping(store, req.body.mapping, {
          log: deps.log,
          limit: req.body.limit,
          connectorFactory: deps.connectorFactory,
        }),
      };
    },
  );
  app.get(
    '/api/mappings/:id',
    { schema: { tags: ['mappings'], summary: 'One mapping definition', params: IdParams } },
    async (req) => store.mappings.get(req.params.id),
  );
  app.put(
    '/api/mappings/:id',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Create or replace a mapping definition',
        params: IdParams,
        body: MappingBody,
      },
    },
    async (req) => {
      const parsed = MappingDefinitionSchema.safeParse({ ...req.body, id: req.params.id });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
        throw new ValidationError(issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
          details: { issues },
        });
      }
      await validateMapping(store, parsed.data, deps.connectorFactory);
      await store.mappings.save(parsed.data);
      return parsed.data;
    },
  );
  app.delete(
    '/api/mappings/:id',
    { schema: { tags: ['mappings'], summary: 'Delete a mapping definition', params: IdParams } },
    async (req) => {
      await store.mappings.get(req.params.id);
      await store.mappings.delete(req.params.id);
      return { ok: true };
    },
  );
}
