/**
 * The per-record routes of associations v4 (`/crm/v4/objects/{objectType}/{objectId}/associations/…`:
 * list, create with labels, create the default, archive) and the label definitions of the v4 schema
 * document (`/crm/associations/v4/{from}/{to}/labels`).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { specWithLabel } from './association-types.ts';
import {
  associatedWithLabels,
  associationSpecSchema,
  defaultAssociationResults,
  labelsBetween,
} from './associations.ts';
import { notFound, validationError } from './errors.ts';
import { objectTypeOf } from './object-writes.ts';
import { parseBody } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

/** Largest page of `GET …/associations/{toObjectType}` (HubSpot: 500). */
export const MAX_ASSOCIATION_PAGE = 500;

type Params = Record<string, string>;

const labelCreateSchema = z.object({
  name: z.string().min(1),
  label: z.string().min(1),
  inverseLabel: z.string().optional(),
});
const labelUpdateSchema = z.object({
  associationTypeId: z.number().int(),
  label: z.string().min(1),
  inverseLabel: z.string().optional(),
});

/** Fastify plugin with the per-record association routes (prefix `/crm/v4/objects`). */
export function associationRecordRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    const record = (type: string, id: string) => {
      if (!state.store(type).find(id)) throw notFound(`Object not found. objectId are usually numeric.`, id);
    };

    app.get('/:objectType/:objectId/associations/:toObjectType', async (request) => {
      const p = request.params as Params;
      const from = objectTypeOf({ objectType: p.objectType }).name;
      const to = objectTypeOf({ objectType: p.toObjectType }).name;
      const q = request.query as { after?: string; limit?: string };
      const limit = q.limit === undefined ? MAX_ASSOCIATION_PAGE : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ASSOCIATION_PAGE)
        throw validationError(
          `limit must be an integer between 1 and ${MAX_ASSOCIATION_PAGE}, got ${q.limit}`,
        );
      const all = state.associations.of(from, p.objectId as string, to);
      // The cursor is the next associated record's id; ids only grow, so it stays valid while links change.
      const start = q.after === undefined ? 0 : all.findIndex((a) => Number(a.toId) >= Number(q.after));
      const page = start < 0 ? [] : all.slice(start, start + limit);
      const next = start < 0 ? undefined : all[start + limit];
      return {
        results: page.map((a) => associatedWithLabels(state, a)),
        ...(next ? { paging: { next: { after: next.toId, link: `?after=${next.toId}` } } } : {}),
      };
    });

    app.put('/:objectType/:objectId/associations/:toObjectType/:toObjectId', async (request, reply) => {
      const p = request.params as Params;
      const from = objectTypeOf({ objectType: p.objectType }).name;
      const to = objectTypeOf({ objectType: p.toObjectType }).name;
      const specs = parseBody(z.array(associationSpecSchema).min(1), request.body);
      const types = specs.map((s) =>
        state.associationTypes.resolve(from, to, s.associationCategory, s.associationTypeId),
      );
      record(from, p.objectId as string);
      record(to, p.toObjectId as string);
      const fallback = state.associationTypes.between(from, to).find((t) => t.isDefault);
      for (const t of types)
        state.associations.add(from, p.objectId as string, to, p.toObjectId as string, t, fallback);
      return reply
        .code(201)
        .send(labelsBetween(from, p.objectId as string, to, p.toObjectId as string, types));
    });

    // Like the record archive, removing an association that does not exist still answers 204.
    app.delete('/:objectType/:objectId/associations/:toObjectType/:toObjectId', async (request, reply) => {
      const p = request.params as Params;
      const from = objectTypeOf({ objectType: p.objectType }).name;
      const to = objectTypeOf({ objectType: p.toObjectType }).name;
      state.associations.remove(from, p.objectId as string, to, p.toObjectId as string);
      return reply.code(204).send();
    });

    app.put(
      '/:fromObjectType/:fromObjectId/associations/default/:toObjectType/:toObjectId',
      async (request) => {
        const p = request.params as Params;
        const from = objectTypeOf({ objectType: p.fromObjectType }).name;
        const to = objectTypeOf({ objectType: p.toObjectType }).name;
        const type = state.associationTypes.defaultType(from, to);
        record(from, p.fromObjectId as string);
        record(to, p.toObjectId as string);
        state.associations.add(from, p.fromObjectId as string, to, p.toObjectId as string, type);
        const now = new Date().toISOString();
        return {
          status: 'COMPLETE',
          results: defaultAssociationResults(type, p.fromObjectId as string, p.toObjectId as string),
          startedAt: now,
          completedAt: now,
        };
      },
    );
  };
}

/** Fastify plugin with the label definitions (prefix `/crm/associations/v4`). */
export function associationLabelRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    const pair = (params: unknown) => {
      const p = params as Params;
      return {
        from: objectTypeOf({ objectType: p.fromObjectType }).name,
        to: objectTypeOf({ objectType: p.toObjectType }).name,
      };
    };

    app.get('/:fromObjectType/:toObjectType/labels', async (request) => {
      const { from, to } = pair(request.params);
      return { results: state.associationTypes.between(from, to).map(specWithLabel) };
    });

    app.post('/:fromObjectType/:toObjectType/labels', async (request) => {
      const { from, to } = pair(request.params);
      const input = parseBody(labelCreateSchema, request.body);
      return { results: state.associationTypes.createLabel(from, to, input).map(specWithLabel) };
    });

    app.put('/:fromObjectType/:toObjectType/labels', async (request, reply) => {
      const { from, to } = pair(request.params);
      state.associationTypes.updateLabel(from, to, parseBody(labelUpdateSchema, request.body));
      return reply.code(204).send();
    });

    app.delete('/:fromObjectType/:toObjectType/labels/:associationTypeId', async (request, reply) => {
      const { from, to } = pair(request.params);
      const id = Number((request.params as Params).associationTypeId);
      if (!Number.isInteger(id)) throw validationError(`associationTypeId must be an integer`);
      state.associationTypes.deleteLabel(from, to, id);
      return reply.code(204).send();
    });
  };
}
