import type { z } from 'zod';
import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http-client.ts';
import type { HubSpotTokens } from './oauth.ts';
import {
  HubSpotAssociationBatchResponseSchema,
  HubSpotBatchResponseSchema,
  type HubSpotErrorBody,
  HubSpotErrorSchema,
  HubSpotListResponseSchema,
  HubSpotPropertiesResponseSchema,
  HubSpotSearchResponseSchema,
} from './schemas.ts';

/** A HubSpot answer that was neither success nor 207, parsed. */
export class HubSpotApiError extends RemoteError {
  constructor(
    status: number,
    readonly body: HubSpotErrorBody,
  ) {
    super(
      `HubSpot answered ${status}${body.category ? ` ${body.category}` : ''}: ${body.message || 'no message'}`,
      status,
      status === 429 || status >= 500 || status === 0,
      {
        code: `hubspot_${(body.category ?? (status === 429 ? 'RATE_LIMITS' : `HTTP_${status}`)).toLowerCase()}`,
        details: { correlationId: body.correlationId },
      },
    );
  }
}

function errorBody(res: HttpResponse): HubSpotErrorBody {
  const parsed = HubSpotErrorSchema.safeParse(res.body);
  return parsed.success
    ? parsed.data
    : { message: typeof res.body === 'string' ? res.body.slice(0, 300) : '' };
}

function parseOk<S extends z.ZodType>(res: HttpResponse, schema: S, ok: number[]): z.infer<S> {
  if (res.status === 401 || res.status === 403) {
    const body = errorBody(res);
    throw new AuthenticationError(
      `HubSpot rejected the credentials (${res.status}): ${body.message}`,
      res.status,
      false,
      {
        details: { correlationId: body.correlationId },
      },
    );
  }
  if (!ok.includes(res.status)) throw new HubSpotApiError(res.status, errorBody(res));
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) {
    throw new RemoteError(
      `HubSpot answered ${res.status} with an unexpected body: ${parsed.error.message.slice(0, 300)}`,
      res.status,
      false,
      {
        code: 'hubspot_unexpected_response',
      },
    );
  }
  return parsed.data;
}

/** HubSpot's v4 association type ids of the HUBSPOT_DEFINED default (unlabelled) associations. */
export const DEFAULT_ASSOCIATION_TYPES: Record<string, number> = {
  'contacts/companies': 279,
  'companies/contacts': 280,
  'deals/contacts': 3,
  'contacts/deals': 4,
  'deals/companies': 341,
  'companies/deals': 342,
};

/** The HubSpot CRM v3 endpoints Junction uses, each a thin, parsed call. Bearer token per request, renewed once on a 401. */
export function createHubSpotClient(raw: HttpClient, tokens?: HubSpotTokens) {
  const http = {
    async request(method: string, path: string, req: HttpRequest = {}): Promise<HttpResponse> {
      if (!tokens) return raw.request(method, path, req);
      for (let attempt = 0; ; attempt++) {
        const token = await tokens.token();
        const res = await raw.request(method, path, {
          ...req,
          headers: { ...req.headers, authorization: `Bearer ${token}` },
        });
        if (res.status !== 401 || attempt > 0 || !(await tokens.renewAfterRejection(token))) return res;
      }
    },
  };
  const objects = (type: string) => `/crm/v3/objects/${encodeURIComponent(type)}`;
  return {
    /** v4 batch create of default associations; 201 all made, 207 some failed. */
    async associate(from: string, to: string, pairs: { fromId: string; toId: string }[]) {
      const typeId = DEFAULT_ASSOCIATION_TYPES[`${from}/${to}`];
      if (typeId === undefined)
        throw new RemoteError(`no default HubSpot association from ${from} to ${to}`, 0, false, {
          code: 'hubspot_association_unknown',
        });
      const res = await http.request(
        'POST',
        `/crm/v4/associations/${encodeURIComponent(from)}/${encodeURIComponent(to)}/batch/create`,
        {
          json: {
            inputs: pairs.map((p) => ({
              from: { id: p.fromId },
              to: { id: p.toId },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId }],
            })),
          },
        },
      );
      return parseOk(res, HubSpotAssociationBatchResponseSchema, [200, 201, 207]);
    },

    /** Batch upsert/update/create: 200/201 all done, 207 some failed (the rest applied). */
    async batch(
      type: string,
      action: 'upsert' | 'update' | 'create' | 'read',
      inputs: unknown[],
      extra: Record<string, unknown> = {},
    ) {
      const res = await http.request('POST', `${objects(type)}/batch/${action}`, {
        json: { inputs, ...extra },
        idempotent: action !== 'create',
      });
      return { httpStatus: res.status, ...parseOk(res, HubSpotBatchResponseSchema, [200, 201, 207]) };
    },

    /**
     * Deletes a contact permanently with everything attached (GDPR delete; an archive is restorable for
     * 90 days). By id only: by e-mail HubSpot would blocklist an unknown address. False when it was gone.
     */
    async gdprDelete(type: string, id: string): Promise<boolean> {
      const res = await http.request('POST', `${objects(type)}/gdpr-delete`, {
        json: { objectId: id },
        // Deleting twice deletes nothing more: safe to send again.
        idempotent: true,
      });
      if (res.status === 404) return false;
      if (res.status !== 204) parseOk(res, HubSpotErrorSchema, []);
      return true;
    },

    async archive(type: string, ids: string[]): Promise<void> {
      const res = await http.request('POST', `${objects(type)}/batch/archive`, {
        json: { inputs: ids.map((id) => ({ id })) },
      });
      if (res.status !== 204) parseOk(res, HubSpotErrorSchema, []);
    },

    async list(type: string, o: { after?: string | undefined; limit: number; properties: string[] }) {
      const res = await http.request('GET', objects(type), {
        query: {
          limit: o.limit,
          after: o.after,
          properties: o.properties.join(',') || undefined,
          archived: false,
        },
      });
      return parseOk(res, HubSpotListResponseSchema, [200]);
    },

    async search(type: string, body: Record<string, unknown>) {
      const res = await http.request('POST', `${objects(type)}/search`, { json: body });
      return parseOk(res, HubSpotSearchResponseSchema, [200]);
    },

    async properties(type: string) {
      const res = await http.request('GET', `/crm/v3/properties/${encodeURIComponent(type)}`);
      return parseOk(res, HubSpotPropertiesResponseSchema, [200]);
    },
  };
}
export type HubSpotClient = ReturnType<typeof createHubSpotClient>;
