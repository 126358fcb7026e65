import type { z } from 'zod';
import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http-client.ts';
import { type AbacusErrorBody, AbacusErrorSchema, type Collection, CollectionSchema } from './schemas.ts';
import type { TokenSource } from './token-source.ts';

const snake = (code: string) =>
  code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();

/** An entity API answer that was not a success, parsed; `code` is `abacus_<error.code in snake case>`. */
export class AbacusApiError extends RemoteError {
  constructor(
    status: number,
    readonly body: AbacusErrorBody,
  ) {
    const raw = body.code !== undefined && String(body.code) !== '' ? String(body.code) : `http_${status}`;
    super(
      `Abacus answered ${status} ${raw}: ${body.message ?? 'no message'}`,
      status,
      status === 429 || status >= 500,
      {
        code: `abacus_${snake(raw)}`,
        details: body.target ? { target: body.target } : undefined,
      },
    );
  }
}

function errorBody(res: HttpResponse): AbacusErrorBody {
  const parsed = AbacusErrorSchema.safeParse(res.body);
  return parsed.success
    ? parsed.data.error
    : { message: typeof res.body === 'string' ? res.body.slice(0, 300) : '' };
}

/** A string literal for `$filter`: single quotes, a quote inside doubled (OData ABNF). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A query string with `%20` for spaces: OData servers do not all read `+` as a space. */
function queryString(query: Record<string, string | undefined>): string {
  const parts = Object.entries(query)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** The entity API calls of one mandant, each authenticated with a fresh-enough bearer token. */
export function createAbacusClient(http: HttpClient, mandant: number, tokens: TokenSource, pageSize: number) {
  const root = `/api/entity/v1/mandants/${mandant}`;
  const keyPath = (set: string, key: string | number) => `${root}/${set}(Id=${key})`;

  /** Sends with the current token; a 401 drops the token and sends once more with a new one. */
  async function send(method: string, path: string, req: HttpRequest = {}): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await tokens.token();
      const res = await http.request(method, path, {
        ...req,
        headers: { ...req.headers, authorization: `Bearer ${token}` },
      });
      if (res.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const body = errorBody(res);
        throw new AuthenticationError(
          `Abacus refused the service user (${res.status}): ${body.message ?? ''}`,
          res.status,
          false,
        );
      }
      return res;
    }
  }

  function parse<S extends z.ZodType>(res: HttpResponse, schema: S): z.infer<S> {
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) {
      throw new RemoteError(
        `Abacus answered ${res.status} with an unexpected body: ${parsed.error.message.slice(0, 300)}`,
        res.status,
        false,
        {
          code: 'abacus_unexpected_response',
        },
      );
    }
    return parsed.data;
  }

  const prefer = { prefer: `odata.maxpagesize=${pageSize}` };

  return {
    /** First page of a collection query. */
    async list(set: string, query: Record<string, string | undefined>): Promise<Collection> {
      const res = await send('GET', `${root}/${set}${queryString(query)}`, { headers: prefer });
      if (res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
      return parse(res, CollectionSchema);
    },

    /** The page an `@odata.nextLink` points to (an absolute URL made by the server). */
    async next(nextLink: string): Promise<Collection> {
      const res = await send('GET', nextLink, { headers: prefer });
      if (res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
      return parse(res, CollectionSchema);
    },

    /** One entity by key, or null when it does not exist. */
    async get<S extends z.ZodType>(
      set: string,
      key: string | number,
      schema: S,
      query: Record<string, string> = {},
    ): Promise<z.infer<S> | null> {
      const res = await send('GET', `${keyPath(set, key)}${queryString(query)}`);
      if (res.status === 404) return null;
      if (res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
      return parse(res, schema);
    },

    /** POST: creates an entity and answers it. Not idempotent, so timeouts are not re-sent. */
    async create<S extends z.ZodType>(
      set: string,
      body: Record<string, unknown>,
      schema: S,
    ): Promise<z.infer<S>> {
      const res = await send('POST', `${root}/${set}`, { json: body, idempotent: false });
      if (res.status !== 201 && res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
      return parse(res, schema);
    },

    /** PATCH: changes the given properties only. */
    async patch(set: string, key: string | number, body: Record<string, unknown>): Promise<void> {
      const res = await send('PATCH', keyPath(set, key), { json: body });
      if (res.status !== 204 && res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
    },

    /** DELETE: true when deleted, false when it was already gone. */
    async remove(set: string, key: string | number): Promise<boolean> {
      const res = await send('DELETE', keyPath(set, key));
      if (res.status === 404) return false;
      if (res.status !== 204 && res.status !== 200) throw new AbacusApiError(res.status, errorBody(res));
      return true;
    },
  };
}
/** The entity API client of one mandant. */
export type AbacusClient = ReturnType<typeof createAbacusClient>;
