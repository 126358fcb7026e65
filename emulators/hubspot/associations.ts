/**
 * CRM associations v4: `batch/create` and `batch/read` between object types. Associations are kept in
 * both directions, as HubSpot shows them from either side; archiving or purging a record drops them.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { batchInputError, validationError } from './errors.ts';
import { OBJECT_TYPES } from './object-types.ts';
import { checkBatchSize, objectTypeOf } from './object-writes.ts';
import { parseBody } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

const typeIdOf = (name: string) => OBJECT_TYPES[name]?.aliases.find((a) => /^\d+-\d+$/.test(a)) ?? name;

/** The HUBSPOT_DEFINED type ids of the reverse direction (contact→company 279 ↔ company→contact 280…). */
const REVERSE: Record<number, number> = { 279: 280, 280: 279, 1: 2, 2: 1, 3: 4, 4: 3, 341: 342, 342: 341 };

const specSchema = z.object({
  associationCategory: z.enum(['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK']),
  associationTypeId: z.number().int(),
});
const createSchema = z.object({
  inputs: z.array(
    z.object({
      from: z.object({ id: z.string() }),
      to: z.object({ id: z.string() }),
      types: z.array(specSchema),
    }),
  ),
});
const readSchema = z.object({ inputs: z.array(z.object({ id: z.string(), after: z.string().optional() })) });

/** Associations between records: `type:id` → `toType:toId` → type ids. */
export class AssociationStore {
  private readonly links = new Map<string, Map<string, Set<number>>>();

  /** Adds an association and its reverse. */
  add(from: string, fromId: string, to: string, toId: string, typeId: number): void {
    this.side(`${from}:${fromId}`).set(
      `${to}:${toId}`,
      new Set([...(this.side(`${from}:${fromId}`).get(`${to}:${toId}`) ?? []), typeId]),
    );
    const back = REVERSE[typeId] ?? typeId;
    this.side(`${to}:${toId}`).set(
      `${from}:${fromId}`,
      new Set([...(this.side(`${to}:${toId}`).get(`${from}:${fromId}`) ?? []), back]),
    );
  }

  /** Ids of the `to` records associated with one record. */
  of(from: string, fromId: string, to: string): { toId: string; typeIds: number[] }[] {
    const out: { toId: string; typeIds: number[] }[] = [];
    for (const [key, types] of this.links.get(`${from}:${fromId}`) ?? []) {
      const [type, id] = key.split(':');
      if (type === to && id) out.push({ toId: id, typeIds: [...types] });
    }
    return out;
  }

  /** Drops every association of a record (it was archived or purged). */
  forget(type: string, id: string): void {
    const key = `${type}:${id}`;
    for (const other of this.links.get(key)?.keys() ?? []) this.links.get(other)?.delete(key);
    this.links.delete(key);
  }

  clear(): void {
    this.links.clear();
  }

  private side(key: string): Map<string, Set<number>> {
    let m = this.links.get(key);
    if (!m) {
      m = new Map();
      this.links.set(key, m);
    }
    return m;
  }
}

function send(
  reply: FastifyReply,
  okStatus: number,
  startedAt: string,
  results: unknown[],
  errors: unknown[],
) {
  const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  return errors.length
    ? reply.code(207).send({ ...body, numErrors: errors.length, errors })
    : reply.code(okStatus).send(body);
}

/** Fastify plugin with `POST /crm/v4/associations/{from}/{to}/batch/{create|read}`. */
export function associationRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    app.post('/:fromObjectType/:toObjectType/batch/:action', async (request, reply) => {
      const params = request.params as { fromObjectType: string; toObjectType: string; action: string };
      const from = objectTypeOf({ objectType: params.fromObjectType });
      const to = objectTypeOf({ objectType: params.toObjectType });
      const startedAt = new Date().toISOString();
      const exists = (type: string, id: string) => state.store(type).find(id) !== undefined;
      if (params.action === 'create') {
        const { inputs } = parseBody(createSchema, request.body);
        checkBatchSize(inputs.length);
        const results: unknown[] = [];
        const missing: string[] = [];
        for (const input of inputs) {
          if (!exists(from.name, input.from.id)) missing.push(input.from.id);
          else if (!exists(to.name, input.to.id)) missing.push(input.to.id);
          else {
            for (const t of input.types)
              state.associations.add(from.name, input.from.id, to.name, input.to.id, t.associationTypeId);
            results.push({
              fromObjectTypeId: typeIdOf(from.name),
              fromObjectId: input.from.id,
              toObjectTypeId: typeIdOf(to.name),
              toObjectId: input.to.id,
              labels: [],
            });
          }
        }
        const errors = missing.length
          ? [
              batchInputError('OBJECT_NOT_FOUND', `Could not find objects with ids: ${missing.join(', ')}`, {
                ids: missing,
              }),
            ]
          : [];
        return send(reply, 201, startedAt, results, errors);
      }
      if (params.action === 'read') {
        const { inputs } = parseBody(readSchema, request.body);
        checkBatchSize(inputs.length);
        const results = inputs.map((input) => ({
          from: { id: input.id },
          to: state.associations.of(from.name, input.id, to.name).map((a) => ({
            toObjectId: a.toId,
            associationTypes: a.typeIds.map((typeId) => ({ category: 'HUBSPOT_DEFINED', typeId })),
          })),
        }));
        return send(reply, 200, startedAt, results, []);
      }
      throw validationError(`No association batch action ${params.action}`);
    });
  };
}
