import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient } from '../http-client.ts';
import { type HubSpotConfig, type HubSpotSecret, HubSpotTokenResponseSchema } from './schemas.ts';

/** HubSpot's token endpoint, on the API host. */
export const TOKEN_PATH = '/oauth/v1/token';

/** Renew this long before the access token expires, so no request leaves with a token that dies on the way. */
const RENEW_EARLY_MS = 60_000;

/** Hands out the bearer token for each request and renews OAuth tokens when they expire or are refused. */
export interface HubSpotTokens {
  token(): Promise<string>;
  /** The API answered 401 to `rejected`: renew once (OAuth only); false when there is nothing to renew. */
  renewAfterRejection(rejected: string): Promise<boolean>;
}

async function postToken(http: HttpClient, form: Record<string, string>, what: string, now: () => number) {
  const started = now();
  const res = await http.request('POST', TOKEN_PATH, { form });
  if (res.status >= 400 && res.status < 500) {
    const body = (res.body ?? {}) as { status?: unknown; message?: unknown };
    const reason = [body.status, body.message].filter((x) => typeof x === 'string').join(': ');
    throw new AuthenticationError(
      `HubSpot refused the ${what} (${res.status}${reason ? ` ${reason}` : ''})`,
      res.status,
      false,
    );
  }
  const parsed = HubSpotTokenResponseSchema.safeParse(res.body);
  if (res.status !== 200 || !parsed.success) {
    throw new RemoteError(
      `HubSpot's token endpoint answered ${res.status} without an access token`,
      res.status,
      res.status >= 500,
      {
        code: 'hubspot_token_failed',
      },
    );
  }
  return {
    accessToken: parsed.data.access_token,
    refreshToken: parsed.data.refresh_token,
    expiresAt: started + parsed.data.expires_in * 1000,
  };
}

/** The authorize URL of the authorization-code flow. */
export function authorizeUrl(config: HubSpotConfig, o: { state: string; redirectUri: string }): string {
  if (!config.clientId)
    throw new AuthenticationError(
      'this HubSpot connection has no OAuth client id (config.clientId)',
      0,
      false,
    );
  const url = new URL(config.authorizeUrl);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('scope', config.scopes.join(' '));
  url.searchParams.set('redirect_uri', config.redirectUri ?? o.redirectUri);
  url.searchParams.set('state', o.state);
  return url.toString();
}

/** Exchanges an authorization code for tokens; returns the secret with them. */
export async function exchangeCode(
  config: HubSpotConfig,
  secret: HubSpotSecret,
  o: { code: string; redirectUri: string; http: HttpClient },
  now: () => number = Date.now,
): Promise<HubSpotSecret> {
  if (!config.clientId || !secret.clientSecret) {
    throw new AuthenticationError(
      'the HubSpot connection needs config.clientId and secret.clientSecret for OAuth',
      0,
      false,
    );
  }
  const t = await postToken(
    o.http,
    {
      grant_type: 'authorization_code',
      client_id: config.clientId,
      client_secret: secret.clientSecret,
      redirect_uri: config.redirectUri ?? o.redirectUri,
      code: o.code,
    },
    'authorization code',
    now,
  );
  return {
    ...secret,
    accessToken: t.accessToken,
    refreshToken: t.refreshToken ?? secret.refreshToken,
    expiresAt: t.expiresAt,
  };
}

/**
 * A private-app token is used as is. OAuth tokens are renewed with the refresh token shortly before they
 * expire and once after a 401; the renewed secret is handed to `save` so the next run starts with it.
 * Concurrent requests share one renewal.
 */
export function createHubSpotTokens(
  http: HttpClient,
  config: HubSpotConfig,
  initial: HubSpotSecret,
  save?: (secret: HubSpotSecret) => Promise<void>,
  now: () => number = Date.now,
): HubSpotTokens {
  let secret = { ...initial };
  let pending: Promise<string> | null = null;
  const oauth = () => Boolean(secret.refreshToken);

  async function renew(): Promise<string> {
    if (!config.clientId || !secret.clientSecret || !secret.refreshToken) {
      throw new AuthenticationError(
        'the HubSpot connection cannot renew its token: config.clientId, secret.clientSecret or the refresh token is missing',
        401,
        false,
      );
    }
    const t = await postToken(
      http,
      {
        grant_type: 'refresh_token',
        client_id: config.clientId,
        client_secret: secret.clientSecret,
        refresh_token: secret.refreshToken,
      },
      'refresh token',
      now,
    );
    secret = {
      ...secret,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken ?? secret.refreshToken,
      expiresAt: t.expiresAt,
    };
    await save?.(secret);
    return t.accessToken;
  }
  const shared = () => {
    pending ??= renew().finally(() => {
      pending = null;
    });
    return pending;
  };

  return {
    async token() {
      if (pending) return pending;
      if (!oauth()) {
        if (!secret.accessToken)
          throw new AuthenticationError(
            'the HubSpot connection is not authorised yet: set a private-app token or run the OAuth flow',
            401,
            false,
          );
        return secret.accessToken;
      }
      if (secret.accessToken && (secret.expiresAt === undefined || now() < secret.expiresAt - RENEW_EARLY_MS))
        return secret.accessToken;
      return shared();
    },
    async renewAfterRejection(rejected) {
      if (!oauth()) return false;
      // Several requests may fail with the same stale token; they share one renewal.
      if (secret.accessToken !== rejected && !pending) return true;
      await shared();
      return true;
    },
  };
}
