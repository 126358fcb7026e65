/**
 * CRM associations v4 between records, and the batch routes of `/crm/v4/associations/{from}/{to}`:
 * create, read, archive, associate/default and labels/archive. Associations are kept in both directions,
 * as HubSpot shows them from either side; archiving or purging a record drops them.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { type AssociationType, objectTypeId, specWithLabel, v3TypeName } from './association-types.ts';
import { batchInputError } from './errors.ts';
import { resolveObjectType } from './object-types.ts';
import { checkBatchSize, objectTypeOf } from './object-writes.ts';
import { parseBody } from './request-schemas.ts';
import type { EmulatorState } from './store.ts';

/** `AssociationSpec`: the type a write names. */
export const associationSpecSchema = z.object({
  associationCategory: z.enum(['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK']),
  associationTypeId: z.number().int(),
});
const idSchema = z.object({ id: z.string() });
const createSchema = z.object({
  inputs: z.array(z.object({ from: idSchema, to: idSchema, types: z.array(associationSpecSchema) })),
});
const readSchema = z.object({ inputs: z.array(z.object({ id: z.string(), after: z.string().optional() })) });
const archiveSchema = z.object({ inputs: z.array(z.object({ from: idSchema, to: z.array(idSchema) })) });
const defaultSchema = z.object({ inputs: z.array(z.object({ from: idSchema, to: idSchema })) });

/** One association of a record: the other record and the types that link them. */
export interface AssociatedRecord {
  toId: string;
  typeIds: number[];
}

/** Associations between records: `type:id` → `toType:toId` → type ids. */
export class AssociationStore {
  private readonly links = new Map<string, Map<string, Set<number>>>();

  /**
   * Adds an association of one type and its reverse. A labelled type brings the pair's unlabelled one
   * with it, as on HubSpot, where every associated pair has the default type.
   */
  add(
    from: string,
    fromId: string,
    to: string,
    toId: string,
    type: AssociationType,
    withDefault?: AssociationType,
  ): void {
    for (const t of withDefault && withDefault !== type ? [type, withDefault] : [type]) {
      this.types(`${from}:${fromId}`, `${to}:${toId}`).add(t.typeId);
      this.types(`${to}:${toId}`, `${from}:${fromId}`).add(t.reverseTypeId);
    }
  }

  /** Removes some types of an association (both sides); with none named, the whole association. */
  remove(from: string, fromId: string, to: string, toId: string, types?: readonly AssociationType[]): void {
    const a = `${from}:${fromId}`;
    const b = `${to}:${toId}`;
    if (types === undefined) {
      this.links.get(a)?.delete(b);
      this.links.get(b)?.delete(a);
      return;
    }
    for (const t of types) {
      this.links.get(a)?.get(b)?.delete(t.typeId);
      this.links.get(b)?.get(a)?.delete(t.reverseTypeId);
    }
  }

  /** The `to` records associated with one record, in id order. */
  of(from: string, fromId: string, to: string): AssociatedRecord[] {
    const out: AssociatedRecord[] = [];
    for (const [key, types] of this.links.get(`${from}:${fromId}`) ?? []) {
      const [type, id] = key.split(':');
      if (type === to && id && types.size > 0)
        out.push({ toId: id, typeIds: [...types].sort((x, y) => x - y) });
    }
    return out.sort((x, y) => Number(x.toId) - Number(y.toId));
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

  private types(a: string, b: string): Set<number> {
    let side = this.links.get(a);
    if (!side) {
      side = new Map();
      this.links.set(a, side);
    }
    let set = side.get(b);
    if (!set) {
      set = new Set();
      side.set(b, set);
    }
    return set;
  }
}

/** The association types of one associated record, as v4 reads list them (`MultiAssociatedObjectWithLabel`). */
export function associatedWithLabels(state: EmulatorState, record: AssociatedRecord) {
  return {
    toObjectId: record.toId,
    associationTypes: record.typeIds.flatMap((id) => {
      const type = state.associationTypes.byId(id);
      return type ? [specWithLabel(type)] : [{ category: 'HUBSPOT_DEFINED', typeId: id }];
    }),
  };
}

/**
 * A record's associations as a v3 read with `?associations=contacts,deals` lists them
 * (`associations` of `SimplePublicObjectWithAssociations`): one entry per associated record and type.
 * Names that are no emulated object type are left out, as HubSpot leaves out what it cannot resolve.
 */
export function v3Associations(state: EmulatorState, from: string, id: string, names: readonly string[]) {
  const out: Record<string, { results: { id: string; type: string }[] }> = {};
  for (const name of names) {
    const to = resolveObjectType(name);
    if (!to) continue;
    const results = state.associations.of(from, id, to.name).flatMap((a) =>
      a.typeIds.flatMap((typeId) => {
        const type = state.associationTypes.byId(typeId);
        return type ? [{ id: a.toId, type: v3TypeName(type) }] : [];
      }),
    );
    if (results.length > 0) out[name] = { results };
  }
  return out;
}

/** The pair and its labels as a v4 write answers (`LabelsBetweenObjectPair`). */
export function labelsBetween(
  from: string,
  fromId: string,
  to: string,
  toId: string,
  types: readonly AssociationType[],
) {
  return {
    fromObjectTypeId: objectTypeId(from),
    fromObjectId: fromId,
    toObjectTypeId: objectTypeId(to),
    toObjectId: toId,
    labels: types.flatMap((t) => (t.label === undefined ? [] : [t.label])),
  };
}

/** Both directions of a default association (`PublicDefaultAssociation`), as HubSpot answers them. */
export function defaultAssociationResults(type: AssociationType, fromId: string, toId: string) {
  return [
    {
      from: { id: fromId },
      to: { id: toId },
      associationSpec: { associationCategory: type.category, associationTypeId: type.typeId },
    },
    {
      from: { id: toId },
      to: { id: fromId },
      associationSpec: { associationCategory: type.category, associationTypeId: type.reverseTypeId },
    },
  ];
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

function missingError(ids: string[]): unknown[] {
  if (ids.length === 0) return [];
  return [batchInputError('OBJECT_NOT_FOUND', `Could not find objects with ids: ${ids.join(', ')}`, { ids })];
}

/** Fastify plugin with the batch routes of `/crm/v4/associations/{from}/{to}/batch/…`. */
export function associationRoutes(state: EmulatorState): FastifyPluginAsync {
  return async (app) => {
    const pair = (params: unknown) => {
      const p = params as { fromObjectType: string; toObjectType: string };
      return {
        from: objectTypeOf({ objectType: p.fromObjectType }).name,
        to: objectTypeOf({ objectType: p.toObjectType }).name,
      };
    };
    const exists = (type: string, id: string) => state.store(type).find(id) !== undefined;

    app.post('/:fromObjectType/:toObjectType/batch/create', async (request, reply) => {
      const { from, to } = pair(request.params);
      const startedAt = new Date().toISOString();
      const { inputs } = parseBody(createSchema, request.body);
      checkBatchSize(inputs.length);
      // An invalid type id fails the whole batch, before anything is written.
      const typed = inputs.map((input) => ({
        input,
        types: input.types.map((t) =>
          state.associationTypes.resolve(from, to, t.associationCategory, t.associationTypeId),
        ),
      }));
      const results: unknown[] = [];
      const missing: string[] = [];
      for (const { input, types } of typed) {
        if (!exists(from, input.from.id)) missing.push(input.from.id);
        else if (!exists(to, input.to.id)) missing.push(input.to.id);
        else {
          const fallback = state.associationTypes.between(from, to).find((t) => t.isDefault);
          for (const t of types) state.associations.add(from, input.from.id, to, input.to.id, t, fallback);
          results.push(labelsBetween(from, input.from.id, to, input.to.id, types));
        }
      }
      return send(reply, 201, startedAt, results, missingError(missing));
    });

    app.post('/:fromObjectType/:toObjectType/batch/read', async (request, reply) => {
      const { from, to } = pair(request.params);
      const startedAt = new Date().toISOString();
      const { inputs } = parseBody(readSchema, request.body);
      checkBatchSize(inputs.length);
      const results = inputs.map((input) => ({
        from: { id: input.id },
        to: state.associations.of(from, input.id, to).map((a) => associatedWithLabels(state, a)),
      }));
      return send(reply, 200, startedAt, results, []);
    });

    app.post('/:fromObjectType/:toObjectType/batch/archive', async (request, reply) => {
      const { from, to } = pair(request.params);
      const { inputs } = parseBody(archiveSchema, request.body);
      checkBatchSize(inputs.length);
      for (const input of inputs)
        for (const target of input.to) state.associations.remove(from, input.from.id, to, target.id);
      return reply.code(204).send();
    });

    app.post('/:fromObjectType/:toObjectType/batch/labels/archive', async (request, reply) => {
      const { from, to } = pair(request.params);
      const { inputs } = parseBody(createSchema, request.body);
      checkBatchSize(inputs.length);
      for (const input of inputs) {
        const types = input.types.map((t) =>
          state.associationTypes.resolve(from, to, t.associationCategory, t.associationTypeId),
        );
        state.associations.remove(from, input.from.id, to, input.to.id, types);
      }
      return reply.code(204).send();
    });

    app.post('/:fromObjectType/:toObjectType/batch/associate/default', async (request, reply) => {
      const { from, to } = pair(request.params);
      const startedAt = new Date().toISOString();
      const { inputs } = parseBody(defaultSchema, request.body);
      checkBatchSize(inputs.length);
      const type = state.associationTypes.defaultType(from, to);
      const results: unknown[] = [];
      const missing: string[] = [];
      for (const input of inputs) {
        if (!exists(from, input.from.id)) missing.push(input.from.id);
        else if (!exists(to, input.to.id)) missing.push(input.to.id);
        else {
          state.associations.add(from, input.from.id, to, input.to.id, type);
          results.push(...defaultAssociationResults(type, input.from.id, input.to.id));
        }
      }
      // The document declares only 200 here: failed inputs are listed in `errors` of the 200 answer.
      const errors = missingError(missing);
      return reply.code(200).send({
        status: 'COMPLETE',
        results,
        startedAt,
        completedAt: new Date().toISOString(),
        ...(errors.length ? { numErrors: errors.length, errors } : {}),
      });
    });
  };
}
