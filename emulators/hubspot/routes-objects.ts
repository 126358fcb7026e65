/** Single-object routes: list, create, read (with `?associations=`), update, archive, and GDPR delete of contacts. */
import type { FastifyPluginAsync } from 'fastify';
import { v3Associations } from './associations.ts';
import { notFound, propertyIssue, propertyValidationError, validationError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { ObjectTypeDef } from './object-types.ts';
import { checkedValues, checkIdProperty, conflictError, objectTypeOf } from './object-writes.ts';
import { gdprDeleteSchema, objectInputSchema, parseBody } from './request-schemas.ts';
import { type PublicObject, parseNameList, toReadObject, toWriteObject } from './serialize.ts';
import type { EmulatorState } from './store.ts';

/** Largest page the list endpoint serves. */
export const MAX_LIST_LIMIT = 100;

type Query = Record<string, string | string[] | undefined>;

function flag(value: unknown): boolean {
  return value === 'true' || value === true;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Fastify plugin with the `/crm/v3/objects/{objectType}` and `/{objectId}` routes. */
export function objectRoutes(state: EmulatorState, faults: FaultInjector): FastifyPluginAsync {
  // `?associations=companies` adds the record's associations; HubSpot leaves the key out when none.
  const withAssociations = (read: PublicObject, def: ObjectTypeDef, names: string[] | undefined) => {
    if (!names) return read;
    const associations = v3Associations(state, def.name, read.id, names);
    return Object.keys(associations).length > 0 ? { ...read, associations } : read;
  };

  return async (app) => {
    app.get('/:objectType', async (request) => {
      const def = objectTypeOf(request.params);
      const q = request.query as Query;
      const limit = q.limit === undefined ? 10 : Number(single(q.limit));
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw validationError(
          `limit must be an integer between 1 and ${MAX_LIST_LIMIT}, got ${single(q.limit)}`,
        );
      }
      const after = single(q.after);
      if (after !== undefined && !/^\d+$/.test(after))
        throw validationError(`Invalid paging cursor after=${after}`);
      const requested = parseNameList(q.properties);
      // Ids grow with creation, so "id >= after" is a stable cursor even while records are added.
      const from = after === undefined ? 0 : Number(after);
      const records = state
        .store(def.name)
        .list(flag(q.archived))
        .filter((r) => Number(r.id) >= from);
      const page = records.slice(0, limit);
      const next = records[limit];
      const associations = parseNameList(q.associations);
      return {
        results: page.map((r) =>
          withAssociations(toReadObject(r, def, state.registry, requested), def, associations),
        ),
        ...(next ? { paging: { next: { after: next.id, link: `?after=${next.id}` } } } : {}),
      };
    });

    app.post('/:objectType', async (request, reply) => {
      const def = objectTypeOf(request.params);
      const body = parseBody(objectInputSchema, request.body);
      const values = checkedValues(state, def, body.properties);
      if (faults.rejectsEmail(values.email)) {
        throw propertyValidationError([
          propertyIssue('email', 'INVALID_EMAIL', `Email address ${values.email} is invalid`),
        ]);
      }
      const store = state.store(def.name);
      const conflict = store.conflict(values);
      if (conflict) throw conflictError(def, conflict.existingId);
      return reply.code(201).send(toWriteObject(store.create(values)));
    });

    app.get('/:objectType/:objectId', async (request) => {
      const def = objectTypeOf(request.params);
      const { objectId } = request.params as { objectId: string };
      const q = request.query as Query;
      const idProperty = single(q.idProperty);
      checkIdProperty(state, def, idProperty, { allowObjectId: true });
      const store = state.store(def.name);
      let record = store.find(objectId, idProperty);
      if (!record && flag(q.archived) && idProperty === undefined) {
        const archived = store.get(objectId);
        record = archived?.archived ? archived : undefined;
      }
      if (!record) throw notFound(`Object not found. objectId are usually numeric.`, objectId);
      const read = toReadObject(record, def, state.registry, parseNameList(q.properties));
      return withAssociations(read, def, parseNameList(q.associations));
    });

    app.patch('/:objectType/:objectId', async (request) => {
      const def = objectTypeOf(request.params);
      const { objectId } = request.params as { objectId: string };
      const idProperty = single((request.query as Query).idProperty);
      checkIdProperty(state, def, idProperty, { allowObjectId: true });
      const body = parseBody(objectInputSchema, request.body);
      const store = state.store(def.name);
      const record = store.find(objectId, idProperty);
      if (!record) throw notFound(`Object not found. objectId are usually numeric.`, objectId);
      const values = checkedValues(state, def, body.properties, record);
      if (faults.rejectsEmail(values.email ?? record.properties.email)) {
        throw propertyValidationError([
          propertyIssue(
            'email',
            'INVALID_EMAIL',
            `Email address ${values.email ?? record.properties.email} is invalid`,
          ),
        ]);
      }
      const conflict = store.conflict(values, record.id);
      if (conflict) throw conflictError(def, conflict.existingId);
      return toWriteObject(store.update(record, values));
    });

    // HubSpot answers 204 whether or not the record existed, so deletes are idempotent.
    app.delete('/:objectType/:objectId', async (request, reply) => {
      const def = objectTypeOf(request.params);
      const { objectId } = request.params as { objectId: string };
      state.store(def.name).archive(objectId);
      return reply.code(204).send();
    });

    app.post('/:objectType/gdpr-delete', async (request, reply) => {
      const def = objectTypeOf(request.params);
      if (!def.gdprDelete) throw notFound(`GDPR delete is not available for ${def.name}`);
      const body = parseBody(gdprDeleteSchema, request.body);
      checkIdProperty(state, def, body.idProperty, { allowObjectId: true });
      const store = state.store(def.name);
      const record = store.find(body.objectId, body.idProperty) ?? store.get(body.objectId);
      // By e-mail, an unknown address is blocklisted by HubSpot and still answers 204.
      if (!record && body.idProperty === undefined) throw notFound('Object not found.', body.objectId);
      if (record) store.purge(record.id);
      return reply.code(204).send();
    });
  };
}
