/**
 * `/crm/v3/properties/{objectType}`: list, read, create, update and archive property definitions, their
 * batch forms, and property groups.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { batchInputError, notFound } from './errors.ts';
import { checkBatchSize, objectTypeOf } from './object-writes.ts';
import type { PropertyDefinition } from './property-registry.ts';
import { parseBody, propertyCreateSchema } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

const nameInputs = z.object({ inputs: z.array(z.object({ name: z.string() })) });
const batchReadSchema = nameInputs.extend({ archived: z.boolean().optional() });
const batchCreateSchema = z.object({ inputs: z.array(propertyCreateSchema) });
const groupCreateSchema = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  displayOrder: z.number().int().optional(),
});
const groupUpdateSchema = groupCreateSchema.omit({ name: true }).partial();
const propertyUpdateSchema = propertyCreateSchema.omit({ name: true, hasUniqueValue: true }).partial();

/** Fastify plugin with the property definition routes. */
export function propertyRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    const typeOf = (params: unknown) => objectTypeOf(params).name;
    const batchAnswer = (startedAt: string, results: unknown[], errors: unknown[]) => ({
      status: 'COMPLETE',
      results,
      startedAt,
      completedAt: new Date().toISOString(),
      ...(errors.length ? { numErrors: errors.length, errors } : {}),
    });

    app.get('/:objectType', async (request) => {
      const type = typeOf(request.params);
      const archived = (request.query as { archived?: string }).archived === 'true';
      return { results: archived ? state.registry.archivedList(type) : state.registry.list(type) };
    });

    app.get('/:objectType/groups', async (request) => ({
      results: state.registry.groups(typeOf(request.params)),
    }));

    app.get('/:objectType/groups/:groupName', async (request) =>
      state.registry.group(typeOf(request.params), (request.params as { groupName: string }).groupName),
    );

    app.post('/:objectType/groups', async (request, reply) => {
      const type = typeOf(request.params);
      return reply
        .code(201)
        .send(state.registry.createGroup(type, parseBody(groupCreateSchema, request.body)));
    });

    app.patch('/:objectType/groups/:groupName', async (request) =>
      state.registry.updateGroup(
        typeOf(request.params),
        (request.params as { groupName: string }).groupName,
        parseBody(groupUpdateSchema, request.body),
      ),
    );

    app.delete('/:objectType/groups/:groupName', async (request, reply) => {
      state.registry.archiveGroup(
        typeOf(request.params),
        (request.params as { groupName: string }).groupName,
      );
      return reply.code(204).send();
    });

    app.get('/:objectType/:propertyName', async (request) => {
      const type = typeOf(request.params);
      const { propertyName } = request.params as { propertyName: string };
      const property = state.registry.get(type, propertyName);
      if (!property) throw notFound(`Unable to find property ${propertyName} for object type ${type}`);
      return property;
    });

    app.post('/:objectType', async (request, reply) => {
      const type = typeOf(request.params);
      const body = parseBody(propertyCreateSchema, request.body);
      return reply.code(201).send(state.registry.create(type, body));
    });

    app.patch('/:objectType/:propertyName', async (request) => {
      const type = typeOf(request.params);
      const { propertyName } = request.params as { propertyName: string };
      return state.registry.update(type, propertyName, parseBody(propertyUpdateSchema, request.body));
    });

    app.delete('/:objectType/:propertyName', async (request, reply) => {
      const type = typeOf(request.params);
      state.registry.archive(type, (request.params as { propertyName: string }).propertyName);
      return reply.code(204).send();
    });

    app.post('/:objectType/batch/read', async (request, reply) => {
      const type = typeOf(request.params);
      const startedAt = new Date().toISOString();
      const body = parseBody(batchReadSchema, request.body);
      checkBatchSize(body.inputs.length);
      const pool = body.archived ? state.registry.archivedList(type) : state.registry.list(type);
      const results = body.inputs.flatMap(({ name }) => pool.filter((p) => p.name === name));
      const missing = body.inputs.map((i) => i.name).filter((n) => !pool.some((p) => p.name === n));
      const errors = missing.length
        ? [
            batchInputError('OBJECT_NOT_FOUND', `Unable to find properties: ${missing.join(', ')}`, {
              names: missing,
            }),
          ]
        : [];
      return reply.code(errors.length ? 207 : 200).send(batchAnswer(startedAt, results, errors));
    });

    app.post('/:objectType/batch/create', async (request, reply) => {
      const type = typeOf(request.params);
      const startedAt = new Date().toISOString();
      const { inputs } = parseBody(batchCreateSchema, request.body);
      checkBatchSize(inputs.length);
      const results: PropertyDefinition[] = [];
      const errors: unknown[] = [];
      // Each input stands alone: a taken name fails that input (207), the others are created.
      for (const input of inputs) {
        try {
          results.push(state.registry.create(type, input));
        } catch (error) {
          const e = error as Error & { category?: string };
          errors.push(batchInputError(e.category ?? 'VALIDATION_ERROR', e.message, { name: [input.name] }));
        }
      }
      return reply.code(errors.length ? 207 : 201).send(batchAnswer(startedAt, results, errors));
    });

    app.post('/:objectType/batch/archive', async (request, reply) => {
      const type = typeOf(request.params);
      const { inputs } = parseBody(nameInputs, request.body);
      checkBatchSize(inputs.length);
      for (const { name } of inputs) state.registry.archive(type, name);
      return reply.code(204).send();
    });
  };
}
