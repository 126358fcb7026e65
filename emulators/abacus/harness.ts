/**
 * A started emulator with a tiny fetch client that fetches its own token: for tests and demo scripts
 * that talk to the entity API directly.
 */
import {
  type AbacusEmulator,
  type AbacusEmulatorOptions,
  createAbacusEmulator,
  DEFAULT_CLIENT,
} from './index.ts';

/** One answer, with the body parsed when it is JSON. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // Tests read many shapes of answer and assert on fields rather than on static types.
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any Abacus answer
  body: any;
}

/** Options of one call. */
export interface CallOptions {
  /** Bearer token to send; null sends none; default a token of the default client, fetched once. */
  token?: string | null;
  headers?: Record<string, string>;
}

/** A started emulator and a client bound to it. */
export interface AbacusHarness {
  emulator: AbacusEmulator;
  baseUrl: string;
  /** Requests a token with client credentials (Basic auth); answers the raw token endpoint reply. */
  requestToken(clientId?: string, clientSecret?: string): Promise<ApiResponse>;
  /** Calls a path (absolute URL or path below the base URL). */
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<ApiResponse>;
  /** Shorthand for paths below `/api/entity/v1/mandants/{mandant}/`. */
  entity(
    mandant: number | string,
    method: string,
    path: string,
    body?: unknown,
    options?: CallOptions,
  ): Promise<ApiResponse>;
  /** Drops the cached token (after `emulator.reset()` or `expireTokens()`). */
  forgetToken(): void;
  close(): Promise<void>;
}

async function parse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  const json = String(res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    headers: res.headers,
    body: text && json ? JSON.parse(text) : text || undefined,
  };
}

/** Starts an emulator on a free loopback port. */
export async function startAbacusHarness(options: AbacusEmulatorOptions = {}): Promise<AbacusHarness> {
  const emulator = createAbacusEmulator(options);
  const baseUrl = await emulator.listen();
  const client = options.clients?.[0] ?? DEFAULT_CLIENT;
  let token: string | null = null;

  const h: AbacusHarness = {
    emulator,
    baseUrl,
    async requestToken(clientId = client.clientId, clientSecret = client.clientSecret) {
      const res = await fetch(`${baseUrl}/oauth/oauth2/v1/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      return parse(res);
    },
    async call(method, path, body, o = {}) {
      let bearer = o.token;
      if (bearer === undefined) {
        if (!token) token = (await h.requestToken()).body.access_token as string;
        bearer = token;
      }
      const headers: Record<string, string> = { ...o.headers };
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(path.startsWith('http') ? path : `${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return parse(res);
    },
    entity(mandant, method, path, body, o) {
      return h.call(method, `/api/entity/v1/mandants/${mandant}/${path}`, body, o);
    },
    forgetToken() {
      token = null;
    },
    close: () => emulator.close(),
  };
  return h;
}
