/**
 * Batch routes: create, read, update, upsert and archive of at most 100 inputs. Invalid values fail
 * the whole batch (400); record-level failures fail only their input and make the answer a 207.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  batchInputError,
  notFound,
  propertyIssue,
  propertyIssuesMessage,
  validationError,
} from './errors.ts';
import type { FaultInjector } from './faults.ts';
import type { ObjectTypeDef } from './object-types.ts';
import {
  checkBatchSize,
  checkDuplicateIds,
  checkedBatchValues,
  checkIdProperty,
  conflictError,
  objectTypeOf,
} from './object-writes.ts';
import {
  batchArchiveSchema,
  batchCreateSchema,
  batchReadSchema,
  batchUpdateSchema,
  parseBody,
} from './request-schemas.ts';
import { type PublicObject, toReadObject, toWriteObject } from './serialize.ts';
import type { EmulatorStats } from './server.ts';
import type { EmulatorState } from './store.ts';
import { normaliseUnique } from './validate-properties.ts';

type BatchError = Record<string, unknown>;

function send(
  reply: FastifyReply,
  okStatus: number,
  startedAt: string,
  results: PublicObject[],
  errors: BatchError[],
) {
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    startedAt,
    completedAt: new Date().toISOString(),
  };
  if (errors.length === 0) return reply.code(okStatus).send(body);
  return reply.code(207).send({ ...body, numErrors: errors.length, errors });
}

function withTrace(obj: PublicObject, traceId: string | undefined): PublicObject {
  return traceId === undefined ? obj : { ...obj, objectWriteTraceId: traceId };
}

function context(ids: Record<string, string | undefined>): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(ids)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, [v as string]]),
  );
}

function rejectedEmail(email: string, ids: Record<string, string | undefined>): BatchError {
  const issue = propertyIssue('email', 'INVALID_EMAIL', `Email address ${email} is invalid`);
  return batchInputError('VALIDATION_ERROR', propertyIssuesMessage([issue]), context({ ...ids, email }));
}

function missing(def: ObjectTypeDef, ids: string[]): BatchError[] {
  if (ids.length === 0) return [];
  const message = `Could not get some ${def.label.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`;
  return [batchInputError('OBJECT_NOT_FOUND', message, { ids })];
}

/** Fastify plugin with `POST /crm/v3/objects/{objectType}/batch/{action}`. */
export function batchRoutes(
  state: EmulatorState,
  faults: FaultInjector,
  stats?: EmulatorStats,
): FastifyPluginAsync {
  return async (app) => {
    app.post('/:objectType/batch/:action', async (request, reply) => {
      const def = objectTypeOf(request.params);
      const { action } = request.params as { action: string };
      const startedAt = new Date().toISOString();
      const store = state.store(def.name);
      const results: PublicObject[] = [];
      const errors: BatchError[] = [];

      if (action === 'create') {
        const { inputs } = parseBody(batchCreateSchema, request.body);
        checkBatchSize(inputs.length);
        const values = checkedBatchValues(
          state,
          def,
          inputs.map((i) => i.properties),
        );
        const accepted = inputs.flatMap((input, i) => {
          const v = values[i] ?? {};
          if (faults.rejectsEmail(v.email)) {
            errors.push(rejectedEmail(v.email ?? '', { objectWriteTraceId: input.objectWriteTraceId }));
            return [];
          }
          return [{ input, values: v }];
        });
        // A duplicate unique value fails the whole batch before anything is written, as on HubSpot.
        for (const { values: v } of accepted) {
          const conflict = store.conflict(v);
          if (conflict) throw conflictError(def, conflict.existingId);
        }
        for (const name of state.registry.uniqueNames(def.name)) {
          const given = accepted.flatMap(({ values: v }) => (v[name] ? [v[name]] : []));
          checkDuplicateIds(given, (x) => normaliseUnique(name, x));
        }
        for (const { input, values: v } of accepted) {
          results.push(withTrace(toWriteObject(store.create(v)), input.objectWriteTraceId));
        }
        return send(reply, 201, startedAt, results, errors);
      }

      if (action === 'read') {
        const body = parseBody(batchReadSchema, request.body);
        checkBatchSize(body.inputs.length);
        checkIdProperty(state, def, body.idProperty, { allowObjectId: true });
        const archived = (request.query as { archived?: string }).archived === 'true';
        const notFoundIds: string[] = [];
        for (const { id } of body.inputs) {
          const byId = archived && body.idProperty === undefined ? store.get(id) : undefined;
          const record = byId?.archived ? byId : store.find(id, body.idProperty);
          if (record) results.push(toReadObject(record, def, state.registry, body.properties));
          else notFoundIds.push(id);
        }
        errors.push(...missing(def, notFoundIds));
        return send(reply, 200, startedAt, results, errors);
      }

      if (action === 'update' || action === 'upsert') {
        const { inputs } = parseBody(batchUpdateSchema, request.body);
        checkBatchSize(inputs.length);
        for (const input of inputs) {
          if (action === 'upsert' && input.idProperty === undefined) {
            throw validationError('Upsert inputs need an idProperty naming a unique property, e.g. "email".');
          }
          checkIdProperty(state, def, input.idProperty, { allowObjectId: action === 'update' });
        }
        checkDuplicateIds(
          inputs.map((i) => `${i.idProperty ?? ''}\u0000${i.id}`),
          (key) => {
            const [prop = '', id = ''] = key.split('\u0000');
            return `${prop}\u0000${normaliseUnique(prop, id)}`;
          },
        );
        // For an upsert the id is the value of idProperty, so it is validated like the other values.
        const values = checkedBatchValues(
          state,
          def,
          inputs.map((i) =>
            action === 'upsert' && i.idProperty ? { ...i.properties, [i.idProperty]: i.id } : i.properties,
          ),
          inputs.map((i) => store.find(i.id, i.idProperty)),
        );
        const notFoundIds: string[] = [];
        for (const [i, input] of inputs.entries()) {
          const v = values[i] ?? {};
          const existing = store.find(input.id, input.idProperty);
          const email = v.email ?? existing?.properties.email;
          const ids = { ids: input.id, objectWriteTraceId: input.objectWriteTraceId };
          if (email && faults.rejectsEmail(email)) {
            errors.push(rejectedEmail(email, ids));
            continue;
          }
          if (!existing && action === 'update') {
            notFoundIds.push(input.id);
            continue;
          }
          const conflict = store.conflict(v, existing?.id);
          if (conflict) {
            const message = conflictError(def, conflict.existingId).message;
            errors.push(batchInputError('CONFLICT', message, context(ids)));
            if (stats) stats.conflicts++;
            continue;
          }
          const record = existing ? store.update(existing, v) : store.create(v);
          const out = withTrace(toWriteObject(record), input.objectWriteTraceId);
          results.push(action === 'upsert' ? { ...out, new: !existing } : out);
        }
        errors.push(...missing(def, notFoundIds));
        return send(reply, 200, startedAt, results, errors);
      }

      if (action === 'archive') {
        const { inputs } = parseBody(batchArchiveSchema, request.body);
        checkBatchSize(inputs.length);
        for (const { id } of inputs) store.archive(id);
        return reply.code(204).send();
      }

      throw notFound(`No batch action ${action}`);
    });
  };
}
