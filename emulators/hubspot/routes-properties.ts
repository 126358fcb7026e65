/** `/crm/v3/properties/{objectType}`: list, read one, and create custom properties. */
import type { FastifyPluginAsync } from 'fastify';
import { notFound } from './errors.ts';
import { objectTypeOf } from './object-writes.ts';
import { parseBody, propertyCreateSchema } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

/** Fastify plugin with the property definition routes. */
export function propertyRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    app.get('/:objectType', async (request) => {
      const def = objectTypeOf(request.params);
      const archived = (request.query as { archived?: string }).archived === 'true';
      return { results: state.registry.list(def.name).filter((p) => p.archived === archived) };
    });

    app.get('/:objectType/:propertyName', async (request) => {
      const def = objectTypeOf(request.params);
      const { propertyName } = request.params as { propertyName: string };
      const property = state.registry.get(def.name, propertyName);
      if (!property) throw notFound(`Unable to find property ${propertyName} for object type ${def.name}`);
      return property;
    });

    app.post('/:objectType', async (request, reply) => {
      const def = objectTypeOf(request.params);
      const body = parseBody(propertyCreateSchema, request.body);
      return reply.code(201).send(state.registry.create(def.name, body));
    });
  };
}
