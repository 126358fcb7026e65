/** Attribute definitions, contact lists and the account: the routes around the contacts themselves. */
import type { FastifyPluginAsync } from 'fastify';
import { BrevoHttpError, duplicateParameter, invalidParameter, notFound } from './errors.ts';
import type { AttributeDef, AttributeType, BrevoState } from './store.ts';
import { createListSchema, listMembersSchema, parseBody } from './validate.ts';

/** Largest page `GET /v3/contacts/lists` serves. */
export const MAX_LISTS_LIMIT = 50;

const CATEGORIES = ['normal', 'transactional', 'category', 'calculated', 'global'] as const;
const TYPES: readonly AttributeType[] = ['text', 'date', 'float', 'boolean', 'id', 'category'];

/** Fastify plugin with `/v3/contacts/attributes` and `/v3/contacts/lists`, registered under `/v3/contacts`. */
export function listRoutes(state: BrevoState): FastifyPluginAsync {
  return async (app) => {
    app.get('/attributes', async () => ({ attributes: state.attributes() }));

    app.post('/attributes/:category/:name', async (request, reply) => {
      const { category, name } = request.params as { category: string; name: string };
      if (!(CATEGORIES as readonly string[]).includes(category))
        throw invalidParameter(`attributeCategory must be one of ${CATEGORIES.join(', ')}`);
      if (state.attribute(name)) throw duplicateParameter(`Attribute ${name} already exists`);
      const body = (request.body ?? {}) as {
        type?: string;
        enumeration?: { value: number; label: string }[];
      };
      const type = body.type ?? (category === 'category' ? 'category' : 'text');
      if (!(TYPES as readonly string[]).includes(type))
        throw invalidParameter(`type must be one of ${TYPES.join(', ')}`);
      const def: AttributeDef = {
        name,
        category: category as AttributeDef['category'],
        type: type as AttributeType,
      };
      if (body.enumeration) def.enumeration = body.enumeration;
      state.defineAttribute(def);
      return reply.code(201).send();
    });

    app.get('/lists', async (request) => {
      const q = request.query as Record<string, string | undefined>;
      const limit = q.limit === undefined ? 10 : Number(q.limit);
      const offset = q.offset === undefined ? 0 : Number(q.offset);
      if (!Number.isInteger(limit) || limit < 0 || !Number.isInteger(offset) || offset < 0)
        throw invalidParameter('limit and offset must be non-negative integers');
      if (limit > MAX_LISTS_LIMIT)
        throw new BrevoHttpError(400, 'out_of_range', `limit exceeds its maximum of ${MAX_LISTS_LIMIT}`);
      const all = q.sort === 'asc' ? state.lists() : state.lists().reverse();
      const members = (id: number) => state.list().filter((c) => c.listIds.includes(id));
      return {
        lists: all.slice(offset, offset + limit).map((l) => {
          const inList = members(l.id);
          return {
            id: l.id,
            name: l.name,
            folderId: l.folderId,
            totalSubscribers: inList.filter((c) => !c.emailBlacklisted).length,
            totalBlacklisted: inList.filter((c) => c.emailBlacklisted).length,
            uniqueSubscribers: inList.length,
          };
        }),
        count: all.length,
      };
    });

    app.post('/lists', async (request, reply) => {
      const body = parseBody(createListSchema, request.body);
      return reply.code(201).send({ id: state.createList(body.name, body.folderId).id });
    });

    for (const action of ['add', 'remove'] as const) {
      app.post(`/lists/:listId/contacts/${action}`, async (request, reply) => {
        const listId = Number((request.params as { listId: string }).listId);
        if (!state.getList(listId)) throw notFound('List ID does not exist');
        const body = parseBody(listMembersSchema, request.body);
        const named =
          [body.emails, body.ids, body.extIds].filter((v) => v !== undefined).length + (body.all ? 1 : 0);
        if (named !== 1 || (body.all && action === 'add'))
          throw invalidParameter('pass exactly one of emails, ids or extIds (or all, to remove)');
        const refs: (string | number)[] = body.all
          ? state
              .list()
              .filter((c) => c.listIds.includes(listId))
              .map((c) => c.id)
          : (body.emails ?? body.ids ?? body.extIds ?? []);
        const success: (string | number)[] = [];
        const failure: (string | number)[] = [];
        for (const ref of refs) {
          const contact =
            typeof ref === 'number'
              ? state.get(ref)
              : body.extIds
                ? state.findByExtId(ref)
                : state.findByEmail(ref);
          if (!contact || (action === 'remove' && !contact.listIds.includes(listId))) {
            failure.push(ref);
            continue;
          }
          state.update(contact, action === 'add' ? { listIds: [listId] } : { unlinkListIds: [listId] });
          success.push(ref);
        }
        if (!success.length && refs.length)
          throw invalidParameter('Contact already in list and/or does not exist');
        return reply
          .code(201)
          .send({ contacts: body.all ? { total: success.length } : { success, failure } });
      });
    }
  };
}

/** Fastify plugin with `GET /v3/account`, the cheapest call that proves a key works. */
export function accountRoutes(): FastifyPluginAsync {
  return async (app) => {
    app.get('/account', async () => ({
      email: 'owner@emulator.brevo.local',
      firstName: 'Brevo',
      lastName: 'Emulator',
      companyName: 'Junction emulator',
      address: { street: '', city: '', zipCode: '', country: '' },
      plan: [{ type: 'free', credits: 300, creditsType: 'sendLimit' }],
      relay: { enabled: false, data: { userName: '', relay: '', port: 587 } },
    }));
  };
}
