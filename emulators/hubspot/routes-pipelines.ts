/** `/crm/v3/pipelines/{objectType}`: pipelines and their stages, for the object types that have them. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { validationError } from './errors.ts';
import { objectTypeOf } from './object-writes.ts';
import { PIPELINE_OBJECT_TYPES } from './pipelines.ts';
import { parseBody } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

// Metadata values are strings in the document; clients often send numbers (probability: 0.5).
const metadataSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const stageInputSchema = z.object({
  label: z.string().min(1),
  displayOrder: z.number().int(),
  metadata: metadataSchema,
  stageId: z.string().optional(),
});
const pipelineInputSchema = z.object({
  label: z.string().min(1),
  displayOrder: z.number().int(),
  stages: z.array(stageInputSchema),
  pipelineId: z.string().optional(),
});
const pipelinePatchSchema = z.object({
  label: z.string().min(1).optional(),
  displayOrder: z.number().int().optional(),
  archived: z.boolean().optional(),
});
const stagePatchSchema = z.object({
  label: z.string().min(1).optional(),
  displayOrder: z.number().int().optional(),
  metadata: metadataSchema,
  archived: z.boolean().optional(),
});

type Params = { objectType: string; pipelineId: string; stageId: string };

/** Fastify plugin with the pipeline and stage routes (prefix `/crm/v3/pipelines`). */
export function pipelineRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    const pipelines = (params: unknown) => {
      const def = objectTypeOf(params);
      if (!(PIPELINE_OBJECT_TYPES as readonly string[]).includes(def.name))
        throw validationError(`Object type ${def.name} does not have pipelines.`);
      return state.pipelines;
    };
    const p = (request: { params: unknown }) => request.params as Params;

    app.get('/:objectType', async (request) => ({ results: pipelines(request.params).list() }));

    app.post('/:objectType', async (request, reply) => {
      const store = pipelines(request.params);
      return reply.code(201).send(store.create(parseBody(pipelineInputSchema, request.body)));
    });

    app.get('/:objectType/:pipelineId', async (request) =>
      pipelines(request.params).get(p(request).pipelineId),
    );

    app.put('/:objectType/:pipelineId', async (request) =>
      pipelines(request.params).replace(p(request).pipelineId, parseBody(pipelineInputSchema, request.body)),
    );

    app.patch('/:objectType/:pipelineId', async (request) =>
      pipelines(request.params).update(p(request).pipelineId, parseBody(pipelinePatchSchema, request.body)),
    );

    app.delete('/:objectType/:pipelineId', async (request, reply) => {
      const store = pipelines(request.params);
      const { pipelineId } = p(request);
      const q = request.query as Record<string, string | undefined>;
      const validate =
        q.validateReferencesBeforeDelete === 'true' || q.validateDealStageUsagesBeforeDelete === 'true';
      store.get(pipelineId);
      if (
        validate &&
        state
          .store('deals')
          .list()
          .some((d) => (d.properties.pipeline ?? 'default') === pipelineId)
      )
        throw validationError(`Pipeline ${pipelineId} still has deals; move them before deleting it.`);
      store.archive(pipelineId);
      return reply.code(204).send();
    });

    app.get('/:objectType/:pipelineId/stages', async (request) => ({
      results: pipelines(request.params).get(p(request).pipelineId).stages,
    }));

    app.post('/:objectType/:pipelineId/stages', async (request, reply) => {
      const store = pipelines(request.params);
      const stage = store.addStage(p(request).pipelineId, parseBody(stageInputSchema, request.body));
      return reply.code(201).send(stage);
    });

    app.get('/:objectType/:pipelineId/stages/:stageId', async (request) =>
      pipelines(request.params).stage(p(request).pipelineId, p(request).stageId),
    );

    app.put('/:objectType/:pipelineId/stages/:stageId', async (request) =>
      pipelines(request.params).updateStage(
        p(request).pipelineId,
        p(request).stageId,
        parseBody(stageInputSchema, request.body),
      ),
    );

    app.patch('/:objectType/:pipelineId/stages/:stageId', async (request) =>
      pipelines(request.params).updateStage(
        p(request).pipelineId,
        p(request).stageId,
        parseBody(stagePatchSchema, request.body),
      ),
    );

    app.delete('/:objectType/:pipelineId/stages/:stageId', async (request, reply) => {
      const { pipelineId, stageId } = p(request);
      const store = pipelines(request.params);
      store.stage(pipelineId, stageId);
      const q = request.query as Record<string, string | undefined>;
      if (
        q.validateReferencesBeforeDelete === 'true' &&
        state
          .store('deals')
          .list()
          .some((d) => d.properties.dealstage === stageId)
      )
        throw validationError(`Stage ${stageId} still has deals; move them before deleting it.`);
      store.archiveStage(pipelineId, stageId);
      return reply.code(204).send();
    });
  };
}
