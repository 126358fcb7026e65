/**
 * HubSpot's OAuth 2.0 for apps: the authorize page (auto-approves and redirects back with a code), the
 * token endpoint (`authorization_code` and `refresh_token` grants, form-encoded) and the bookkeeping of
 * issued access tokens, which expire after `accessTokenTtlSeconds` (HubSpot: 1800).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** The app the emulator plays HubSpot for. */
export interface OAuthAppOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of access tokens (default 1800 s, as HubSpot). */
  accessTokenTtlSeconds?: number;
  /** Portal ("hub") the authorising user picks. */
  portalId?: number;
}

/** What the API hook learns about a bearer token. */
export type TokenStatus = { kind: 'valid' } | { kind: 'expired'; agoSeconds: number } | { kind: 'unknown' };

const token = (prefix: string) => `${prefix}-${randomBytes(18).toString('base64url')}`;

/** Issued codes and tokens, and the routes that issue them. */
export class OAuthServer {
  private readonly codes = new Map<string, { redirectUri: string; scopes: string[]; expiresAt: number }>();
  private readonly access = new Map<string, number>();
  private readonly refresh = new Set<string>();
  // The scopes granted to each access and refresh token, for the token-info routes.
  private readonly scopes = new Map<string, string[]>();
  /** Token endpoint calls by grant type, for tests. */
  readonly grants = { authorization_code: 0, refresh_token: 0 };

  constructor(
    readonly app: OAuthAppOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an access token is one this server issued and still valid. */
  check(accessToken: string): TokenStatus {
    const expiresAt = this.access.get(accessToken);
    if (expiresAt === undefined) return { kind: 'unknown' };
    const left = expiresAt - this.now();
    return left > 0 ? { kind: 'valid' } : { kind: 'expired', agoSeconds: Math.ceil(-left / 1000) };
  }

  /** Lets every issued access token expire now (refresh tokens stay valid). */
  expireAccessTokens(): void {
    const at = this.now() - 1000;
    for (const t of this.access.keys()) this.access.set(t, at);
  }

  /** Forgets every code and token. */
  reset(): void {
    this.codes.clear();
    this.access.clear();
    this.refresh.clear();
    this.scopes.clear();
    this.grants.authorization_code = 0;
    this.grants.refresh_token = 0;
  }

  private issue(scopes: string[]) {
    const ttl = this.app.accessTokenTtlSeconds ?? 1800;
    const accessToken = token('emu-at');
    const refreshToken = token('emu-rt');
    this.access.set(accessToken, this.now() + ttl * 1000);
    this.refresh.add(refreshToken);
    this.scopes.set(accessToken, scopes);
    this.scopes.set(refreshToken, scopes);
    return {
      token_type: 'bearer',
      access_token: accessToken,
      refresh_token: refreshToken,
      expires_in: ttl,
      token_use: 'access_token',
      hub_id: this.app.portalId ?? 62515,
    };
  }

  /**
   * Fastify plugin: `GET /oauth/authorize`, `POST /oauth/v1/token`, and the token-info routes
   * (`GET /oauth/v1/access-tokens/{token}`, `GET` and `DELETE /oauth/v1/refresh-tokens/{token}`).
   */
  routes(): FastifyPluginAsync {
    return async (app) => {
      app.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string' },
        (_req, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(body as string)));
        },
      );

      app.get('/oauth/authorize', async (request, reply) => {
        const q = request.query as Record<string, string | undefined>;
        if (q.client_id !== this.app.clientId)
          return reply.code(400).type('text/html').send('<h1>Invalid client_id</h1>');
        if (!q.redirect_uri) return reply.code(400).type('text/html').send('<h1>Missing redirect_uri</h1>');
        // The user "approves" at once: back to the app with a code and the state it sent.
        const code = randomUUID();
        this.codes.set(code, {
          redirectUri: q.redirect_uri,
          scopes: (q.scope ?? '').split(/[ +]/).filter(Boolean),
          expiresAt: this.now() + 10 * 60 * 1000,
        });
        const back = new URL(q.redirect_uri);
        back.searchParams.set('code', code);
        if (q.state !== undefined) back.searchParams.set('state', q.state);
        return reply.redirect(back.toString(), 302);
      });

      app.post('/oauth/v1/token', async (request, reply) => {
        const f = (request.body ?? {}) as Record<string, string | undefined>;
        const fail = (status: string, message: string) =>
          reply
            .code(400)
            .send({ status, message, correlationId: randomUUID(), category: 'VALIDATION_ERROR' });
        if (f.client_id !== this.app.clientId) return fail('BAD_CLIENT_ID', 'missing or unknown client id');
        if (f.client_secret !== this.app.clientSecret)
          return fail('BAD_CLIENT_SECRET', 'missing or invalid client secret');
        if (f.grant_type === 'authorization_code') {
          const code = f.code ? this.codes.get(f.code) : undefined;
          if (!code || code.expiresAt < this.now())
            return fail('BAD_AUTH_CODE', 'missing or unknown auth code');
          if (code.redirectUri !== f.redirect_uri)
            return fail('BAD_REDIRECT_URI', 'redirect_uri does not match the one of the authorization');
          this.codes.delete(f.code as string);
          this.grants.authorization_code++;
          return this.issue(code.scopes);
        }
        if (f.grant_type === 'refresh_token') {
          if (!f.refresh_token || !this.refresh.has(f.refresh_token))
            return fail('BAD_REFRESH_TOKEN', 'missing or unknown refresh token');
          this.grants.refresh_token++;
          const issued = this.issue(this.scopes.get(f.refresh_token) ?? []);
          // HubSpot keeps the refresh token of an installation: hand the same one back.
          this.refresh.delete(issued.refresh_token);
          return { ...issued, refresh_token: f.refresh_token };
        }
        return fail('BAD_GRANT_TYPE', `unsupported grant_type ${f.grant_type ?? ''}`);
      });

      const unknown = (reply: FastifyReply, kind: string) =>
        reply.code(404).send({
          status: 'error',
          message: `${kind} token not found`,
          correlationId: randomUUID(),
          category: 'OBJECT_NOT_FOUND',
        });
      const owner = () => ({
        user: 'emulator-user@example.com',
        hub_domain: `emulator-${this.app.portalId ?? 62515}.hubspot.local`,
        hub_id: this.app.portalId ?? 62515,
        user_id: 1,
      });

      app.get('/oauth/v1/access-tokens/:token', async (request, reply) => {
        const { token: t } = request.params as { token: string };
        const status = this.check(t);
        if (status.kind !== 'valid') return unknown(reply, 'Access');
        const left = Math.floor(((this.access.get(t) ?? 0) - this.now()) / 1000);
        return {
          token: t,
          ...owner(),
          app_id: 1,
          scopes: this.scopes.get(t) ?? [],
          expires_in: left,
          token_type: 'access',
        };
      });

      app.get('/oauth/v1/refresh-tokens/:token', async (request, reply) => {
        const { token: t } = request.params as { token: string };
        if (!this.refresh.has(t)) return unknown(reply, 'Refresh');
        return {
          token: t,
          ...owner(),
          client_id: this.app.clientId,
          scopes: this.scopes.get(t) ?? [],
          token_type: 'refresh',
        };
      });

      // Revoking a refresh token is how an app is uninstalled: its later refresh grants fail.
      app.delete('/oauth/v1/refresh-tokens/:token', async (request, reply) => {
        const { token: t } = request.params as { token: string };
        if (!this.refresh.delete(t)) return unknown(reply, 'Refresh');
        this.scopes.delete(t);
        return reply.code(204).send();
      });
    };
  }
}
