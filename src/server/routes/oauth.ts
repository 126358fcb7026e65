import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import { z } from 'zod';
import { assertSecretDestination } from '../../connectors/connection-secret.ts';
import { HttpClient } from '../../connectors/http-client.ts';
import { CONNECTORS } from '../../connectors/registry.ts';
import { JunctionError, ValidationError } from '../../core/errors.ts';
import { type Api, IdParams } from '../api.ts';
import type { ServerDeps } from '../app.ts';

/** The `state` of an OAuth callback is forged, altered or too old. */
export class OAuthStateError extends JunctionError {
  override readonly code = 'validation_error';
}

const NONCE_COOKIE = 'junction_oauth';

/** How long a started authorization may take before its state is refused. */
export const STATE_TTL_MS = 10 * 60 * 1000;

interface StatePayload {
  /** Connection id. */
  c: string;
  /** Redirect URI sent to the authorize page (the token exchange must repeat it exactly). */
  r: string;
  /** Expiry, epoch ms. */
  e: number;
  n: string;
}

/** Signs and checks OAuth `state` values: base64url JSON + HMAC-SHA256, expiring. */
export function createStateSigner(key: Buffer = randomBytes(32), now: () => number = Date.now) {
  const mac = (data: string) => createHmac('sha256', key).update(data).digest('base64url');
  return {
    sign(connectionId: string, redirectUri: string): string {
      const payload: StatePayload = {
        c: connectionId,
        r: redirectUri,
        e: now() + STATE_TTL_MS,
        n: randomBytes(9).toString('base64url'),
      };
      const data = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${data}.${mac(data)}`;
    },
    /** The nonce inside a state this signer issued. */
    nonceOf(state: string): string {
      return (
        JSON.parse(Buffer.from(state.split('.')[0] ?? '', 'base64url').toString('utf8')) as StatePayload
      ).n;
    },
    verify(state: string): StatePayload {
      const [data, sig] = state.split('.');
      if (!data || !sig) throw new OAuthStateError('the OAuth state is malformed');
      const want = Buffer.from(mac(data));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got))
        throw new OAuthStateError('the OAuth state is not one this server issued');
      const payload = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as StatePayload;
      if (!(payload.e > now()))
        throw new OAuthStateError('the OAuth state has expired; start the connection again');
      return payload;
    },
  };
}

const CallbackQuery = z.object({
  code: z.string().min(1).optional(),
  state: z.string().min(1),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * OAuth 2.0 authorization-code flow for connections whose system has one (HubSpot apps):
 * `GET /api/connections/:id/oauth/start` redirects to the system's authorize page with a signed,
 * expiring state; `GET /api/oauth/callback` (public: the browser arrives from the system) checks the
 * state, exchanges the code and stores the tokens sealed in the connection's secret.
 */
export async function oauthRoutes(app: Api, { store, log, oauthStateKey }: ServerDeps): Promise<void> {
  const states = createStateSigner(oauthStateKey);

  app.get(
    '/api/connections/:id/oauth/start',
    {
      schema: {
        tags: ['connections'],
        summary: 'Start the OAuth authorization of a connection (redirects to the system)',
        params: IdParams,
      },
      config: { role: 'admin' },
    },
    async (req, reply) => {
      const connection = await req.store.connections.get(req.params.id);
      const def = CONNECTORS[connection.system];
      if (!def?.oauth) throw new ValidationError(`system '${connection.system}' has no OAuth flow`);
      const config = def.configSchema.parse(connection.config);
      const redirectUri = `${req.protocol}://${req.host}/api/oauth/callback`;
      const state = states.sign(connection.id, redirectUri);
      // The state's nonce also goes into a cookie of this browser: a state seen by someone else (history,
      // logs) cannot finish the flow from another browser, and the cookie is gone after one use.
      reply.setCookie(NONCE_COOKIE, states.nonceOf(state), {
        path: '/api/oauth',
        httpOnly: true,
        sameSite: 'lax',
        maxAge: STATE_TTL_MS / 1000,
      });
      const url = def.oauth.authorizeUrl(config, { state, redirectUri });
      return reply.redirect(url, 302);
    },
  );

  app.get(
    '/api/oauth/callback',
    {
      schema: {
        tags: ['connections'],
        summary: 'OAuth callback: exchanges the code and stores the tokens',
        querystring: CallbackQuery,
      },
      config: { public: true },
    },
    async (req, reply) => {
      const state = states.verify(req.query.state);
      const nonce = req.cookies[NONCE_COOKIE];
      reply.clearCookie(NONCE_COOKIE, { path: '/api/oauth' });
      if (!nonce || nonce !== state.n)
        throw new OAuthStateError(
          'this authorization was started in another browser or was already used; start it again',
        );
      if (req.query.error || !req.query.code) {
        throw new ValidationError(
          `the authorization was not granted: ${req.query.error ?? 'no code'}${req.query.error_description ? ` (${req.query.error_description})` : ''}`,
        );
      }
      const connection = await store.connections.get(state.c);
      const def = CONNECTORS[connection.system];
      if (!def?.oauth) throw new ValidationError(`system '${connection.system}' has no OAuth flow`);
      const config = def.configSchema.parse(connection.config);
      const secret = def.secretSchema.parse(connection.secret);
      // The client secret goes to the token endpoint only if it was entered for this API host.
      assertSecretDestination(connection);
      const setup = def.http?.(config, secret);
      const http = new HttpClient({
        baseUrl: setup?.baseUrl ?? 'http://invalid.local',
        retries: 2,
        timeoutMs: setup?.timeoutMs ?? 30_000,
      });
      const next = await def.oauth.exchangeCode(config, secret, {
        code: req.query.code,
        redirectUri: state.r,
        http,
      });
      await store.connections.save({ ...connection, secret: next as Record<string, unknown> });
      log.info({ connectionId: connection.id }, 'OAuth authorization stored');
      return reply.redirect(`/?oauth=connected&connection=${encodeURIComponent(connection.id)}`, 302);
    },
  );
}
