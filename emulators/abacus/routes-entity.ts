/**
 * The entity API of one mandant: `/api/entity/v1/mandants/{mandant}/{EntitySet}` and
 * `…/{EntitySet}(Id=…)` (the short form `(123)` also works), the service document and a `$metadata`
 * stub. Create answers 201 with the entity, PATCH 204, DELETE 204 (OData v4 defaults; `Prefer:
 * return=minimal|representation` is honoured).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  applyPatch,
  ENTITIES,
  ENTITY_SETS,
  type EntityDef,
  type EntitySetName,
  validateBody,
  withDefaults,
} from './entities.ts';
import { AbacusHttpError, badRequest, notFound } from './errors.ts';
import { metadataXml } from './metadata.ts';
import { parseQuery, runQuery, shapeEntity } from './odata-query.ts';
import type { EmulatorState, MandantData } from './store.ts';

/** Settings of the entity routes. */
export interface EntityRouteOptions {
  /** Rows per page before the server adds an `@odata.nextLink`. */
  pageSize: number;
}

const RESOURCE = /^([A-Za-z]+)(?:\((?:Id=)?'?([^')]*)'?\))?$/;

function mandantOf(request: FastifyRequest, state: EmulatorState): { data: MandantData; base: string } {
  const { mandant } = request.params as { mandant: string };
  const data = state.mandant(mandant);
  if (!data) throw notFound(`The mandant ${mandant} does not exist or the service user has no access to it.`);
  return { data, base: `${request.protocol}://${request.headers.host}/api/entity/v1/mandants/${mandant}` };
}

function resourceOf(resource: string): { def: EntityDef; key: string | undefined } {
  const m = RESOURCE.exec(resource);
  const set = m?.[1] as EntitySetName | undefined;
  if (!m || !set || !(ENTITY_SETS as readonly string[]).includes(set))
    throw notFound(`The entity set '${resource.split('(')[0]}' does not exist.`);
  const def = ENTITIES[set];
  const key = m[2];
  if (key !== undefined && def.keyType === 'int' && !/^\d+$/.test(key))
    throw badRequest(`The key '${key}' is not a valid Edm.Int64.`);
  return { def, key };
}

function prefers(request: FastifyRequest, what: string): boolean {
  return String(request.headers.prefer ?? '').includes(what);
}

function maxPageSize(request: FastifyRequest, serverMax: number): number {
  const m = /odata\.maxpagesize=(\d+)/.exec(String(request.headers.prefer ?? ''));
  return m ? Math.max(1, Math.min(serverMax, Number(m[1]))) : serverMax;
}

function nextLink(request: FastifyRequest, token: string): string {
  const query = { ...(request.query as Record<string, string>), $skiptoken: token };
  const qs = Object.entries(query)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${request.protocol}://${request.headers.host}${request.url.split('?')[0]}?${qs}`;
}

function entityUrl(base: string, def: EntityDef, id: unknown): string {
  return `${base}/${def.set}(Id=${String(id)})`;
}

function getCollection(
  request: FastifyRequest,
  reply: FastifyReply,
  data: MandantData,
  base: string,
  def: EntityDef,
  pageSize: number,
) {
  const opts = parseQuery(def, request.query as Record<string, string>);
  const size = maxPageSize(request, pageSize);
  if (size !== pageSize) reply.header('preference-applied', `odata.maxpagesize=${size}`);
  const page = runQuery(data.all(def.set), opts, size);
  const expanded = opts.expand.length ? `(${opts.expand.join(',')})` : '';
  return {
    '@odata.context': `${base}/$metadata#${def.set}${expanded}`,
    value: page.rows.map((r) => shapeEntity(def, r, opts, data, entityUrl(base, def, r.Id))),
    ...(page.nextToken ? { '@odata.nextLink': nextLink(request, page.nextToken) } : {}),
  };
}

/** Registers the entity routes. */
export function entityRoutes(state: EmulatorState, options: EntityRouteOptions) {
  return async (app: FastifyInstance) => {
    const prefix = '/api/entity/v1/mandants/:mandant';
    app.get(prefix, async (request) => {
      const { base } = mandantOf(request, state);
      return {
        '@odata.context': `${base}/$metadata`,
        value: ENTITY_SETS.map((name) => ({ name, kind: 'EntitySet', url: name })),
      };
    });

    app.route({
      method: ['GET', 'POST', 'PATCH', 'DELETE'],
      url: `${prefix}/:resource`,
      handler: async (request, reply) => {
        reply.header('odata-version', '4.0');
        const { resource } = request.params as { resource: string };
        const { data, base } = mandantOf(request, state);
        if (resource === '$metadata' && request.method === 'GET')
          return reply.type('application/xml').send(metadataXml());
        const { def, key } = resourceOf(resource);
        const method = request.method;
        if (key === undefined) {
          if (method === 'GET') return getCollection(request, reply, data, base, def, options.pageSize);
          if (method !== 'POST')
            throw new AbacusHttpError(
              405,
              'MethodNotAllowed',
              `${method} needs an entity key, e.g. ${def.set}(Id=1).`,
            );
          const row = data.insert(def.set, withDefaults(def, validateBody(def, request.body, 'create')));
          const url = entityUrl(base, def, row.Id);
          reply.header('location', url);
          if (prefers(request, 'return=minimal')) return reply.code(204).header('odata-entityid', url).send();
          return reply.code(201).send({ '@odata.context': `${base}/$metadata#${def.set}/$entity`, ...row });
        }
        const current = data.get(def.set, key);
        if (!current)
          throw notFound(`No ${def.set} entity with key ${key} exists in mandant ${data.mandant}.`);
        if (method === 'GET') {
          const opts = parseQuery(def, request.query as Record<string, string>, true);
          return {
            '@odata.context': `${base}/$metadata#${def.set}/$entity`,
            ...shapeEntity(def, current, opts, data, entityUrl(base, def, key)),
          };
        }
        if (method === 'PATCH') {
          const row = data.replace(
            def.set,
            key,
            applyPatch(current, validateBody(def, request.body, 'patch')),
          );
          if (prefers(request, 'return=representation'))
            return reply.code(200).send({ '@odata.context': `${base}/$metadata#${def.set}/$entity`, ...row });
          return reply.code(204).send();
        }
        if (method === 'DELETE') {
          data.delete(def.set, key);
          return reply.code(204).send();
        }
        throw new AbacusHttpError(405, 'MethodNotAllowed', `${method} is not allowed on a single entity.`);
      },
    });
  };
}
