/**
 * OAuth 2.0 client credentials as Abacus serves them: `/.well-known/openid-configuration` names the
 * `token_endpoint` (`/oauth/oauth2/v1/token`); a service user posts `grant_type=client_credentials`
 * with its client id and secret (HTTP Basic, or `client_id`/`client_secret` in the form, which the
 * entity-api-guide shows) and gets `{ access_token, token_type: "Bearer", expires_in: 600 }`.
 * Token endpoint errors follow RFC 6749 §5.2 (`{ error: "invalid_client", error_description }`).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** A service user of the installation. */
export interface ServiceUser {
  clientId: string;
  clientSecret: string;
}

/** Why a bearer token was refused, or `ok`. */
export type TokenCheck = { status: 'ok'; clientId: string } | { status: 'missing' | 'unknown' | 'expired' };

/** Issues and checks access tokens. */
export class TokenIssuer {
  private readonly tokens = new Map<string, { clientId: string; expiresAt: number }>();

  constructor(
    private readonly users: readonly ServiceUser[],
    readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  /** The service user with these credentials, if any. */
  authenticate(clientId: string, clientSecret: string): ServiceUser | undefined {
    return this.users.find((u) => u.clientId === clientId && u.clientSecret === clientSecret);
  }

  /** A new opaque token for a service user. */
  issue(clientId: string): string {
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { clientId, expiresAt: this.now() + this.ttlSeconds * 1000 });
    return token;
  }

  /** Checks the bearer token of an `Authorization` header. */
  check(authorization: string | undefined): TokenCheck {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { status: 'missing' };
    const entry = this.tokens.get(token);
    if (!entry) return { status: 'unknown' };
    if (entry.expiresAt <= this.now()) return { status: 'expired' };
    return { status: 'ok', clientId: entry.clientId };
  }

  /** Makes every issued token expire now (a test's way to let time pass). */
  expireAll(): void {
    const now = this.now();
    for (const t of this.tokens.values()) t.expiresAt = Math.min(t.expiresAt, now);
  }

  /** Forgets every token. */
  reset(): void {
    this.tokens.clear();
  }
}

function basicCredentials(header: string | undefined): ServiceUser | undefined {
  const encoded = /^Basic\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

function formDecoded(u: ServiceUser): ServiceUser | undefined {
  try {
    return {
      clientId: decodeURIComponent(u.clientId.replace(/\+/g, ' ')),
      clientSecret: decodeURIComponent(u.clientSecret.replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}

/** The discovery document and the token endpoint. */
export function authRoutes(issuer: TokenIssuer) {
  return async (app: FastifyInstance) => {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(String(body))));
      },
    );

    app.get('/.well-known/openid-configuration', async (request) => {
      const origin = `${request.protocol}://${request.headers.host}`;
      return {
        issuer: origin,
        token_endpoint: `${origin}/oauth/oauth2/v1/token`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        response_types_supported: ['token'],
      };
    });

    app.post('/oauth/oauth2/v1/token', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const form = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        string
      >;
      if (form.grant_type !== 'client_credentials') {
        return reply.code(400).send({
          error: 'unsupported_grant_type',
          error_description: 'Only grant_type=client_credentials is supported.',
        });
      }
      const basic = basicCredentials(request.headers.authorization);
      const posted =
        form.client_id !== undefined
          ? { clientId: form.client_id, clientSecret: form.client_secret ?? '' }
          : undefined;
      const given = basic ?? posted;
      // Basic credentials are tried as sent and, per RFC 6749 §2.3.1, form-decoded.
      let user = given ? issuer.authenticate(given.clientId, given.clientSecret) : undefined;
      if (!user && basic) {
        const decoded = formDecoded(basic);
        if (decoded) user = issuer.authenticate(decoded.clientId, decoded.clientSecret);
      }
      if (!user) {
        reply.header('www-authenticate', 'Basic realm="abacus"');
        return reply
          .code(401)
          .send({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      }
      return {
        access_token: issuer.issue(user.clientId),
        token_type: 'Bearer',
        expires_in: issuer.ttlSeconds,
      };
    });
  };
}
