import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient } from '../http-client.ts';
import { type AbacusSecret, OpenIdConfigurationSchema, TokenResponseSchema } from './schemas.ts';

/** Hands out a valid bearer token, fetching a new one when the cached one is about to expire. */
export interface TokenSource {
  token(): Promise<string>;
  /** The API refused this token (401): forget it so the next `token()` fetches a fresh one. */
  invalidate(token: string): void;
}

/**
 * OAuth 2.0 client credentials against the installation's token endpoint, found through
 * `/.well-known/openid-configuration` as Abacus documents. Concurrent callers share one token request.
 * The token is renewed a little before `expires_in` ends (10 %, at most 30 s) so that a request never
 * leaves with a token that expires on the way.
 */
export function createTokenSource(
  http: HttpClient,
  secret: AbacusSecret,
  now: () => number = Date.now,
): TokenSource {
  let endpoint: string | null = null;
  let cached: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;
  // Raw `id:secret` in Base64, as Abacus integrations in production send it (no form-encoding first).
  const basic = `Basic ${Buffer.from(`${secret.clientId}:${secret.clientSecret}`).toString('base64')}`;

  async function discover(): Promise<string> {
    if (endpoint) return endpoint;
    const res = await http.request('GET', '/.well-known/openid-configuration');
    const parsed = OpenIdConfigurationSchema.safeParse(res.body);
    if (res.status !== 200 || !parsed.success) {
      throw new RemoteError(
        `Abacus openid-configuration answered ${res.status} without a token_endpoint`,
        res.status,
        res.status >= 500,
        {
          code: 'abacus_discovery_failed',
        },
      );
    }
    endpoint = parsed.data.token_endpoint;
    return endpoint;
  }

  async function fetchToken(): Promise<string> {
    const url = await discover();
    const started = now();
    const res = await http.request('POST', url, {
      form: { grant_type: 'client_credentials' },
      headers: { authorization: basic },
    });
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const body = res.body as { error?: unknown; error_description?: unknown } | undefined;
      const reason = [body?.error, body?.error_description].filter((x) => typeof x === 'string').join(': ');
      throw new AuthenticationError(
        `Abacus refused the client credentials (${res.status}${reason ? ` ${reason}` : ''})`,
        res.status,
        false,
      );
    }
    const parsed = TokenResponseSchema.safeParse(res.body);
    if (res.status !== 200 || !parsed.success) {
      throw new RemoteError(
        `Abacus token endpoint answered ${res.status} without an access_token`,
        res.status,
        res.status === 429 || res.status >= 500,
        {
          code: 'abacus_token_failed',
        },
      );
    }
    const ttlMs = (parsed.data.expires_in ?? 600) * 1000;
    cached = { token: parsed.data.access_token, renewAt: started + ttlMs - Math.min(30_000, ttlMs / 10) };
    return cached.token;
  }

  return {
    async token() {
      if (cached && now() < cached.renewAt) return cached.token;
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate(token) {
      // Several requests may fail with the same stale token; only the first one drops it.
      if (cached?.token === token) cached = null;
    },
  };
}
