import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookEvent } from '../../connectors/connector.ts';
import { CONNECTORS } from '../../connectors/registry.ts';
import { NotFoundError, WebhookSignatureError } from '../../core/errors.ts';
import { runsOnChange } from '../../core/schedule.ts';
import { mappingsInto, targetIdsByValue } from '../../engine/deletion-targets.ts';
import { handleDeletionRequest } from '../../engine/deletions.ts';
import type { ServerDeps } from '../app.ts';

/** Event ids are remembered this long (HubSpot retries a failed delivery for about a day). */
const RECEIPT_TTL_MS = 3 * 24 * 60 * 60 * 1000;

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

/** The one answer to a call that does not verify, whatever the reason: it must not tell connections apart. */
const REFUSED = 'the webhook could not be verified';

/** One deletion per record: HubSpot sends `privacyDeletion` and `deletion` for the same GDPR delete. */
function deletionsOf(events: WebhookEvent[]) {
  const byRecord = new Map<string, Extract<WebhookEvent, { kind: 'deletion' }>>();
  for (const e of events) {
    if (e.kind !== 'deletion') continue;
    const k = `${e.object}/${e.externalId}`;
    const prior = byRecord.get(k);
    byRecord.set(k, prior ? { ...prior, privacy: prior.privacy || e.privacy } : e);
  }
  return [...byRecord.values()];
}

/**
 * `POST /api/webhooks/:connectionId`: public, but the connection's system must verify every request (HubSpot:
 * signature v3 over the raw body, fresh within 5 minutes) and it must never have been seen before (replay
 * guard); otherwise 401 and nothing happens. Deletion events become deletion requests; change events run
 * the tasks scheduled `onChange` that read the changed object from the connection (soon, coalesced). Redelivered events (same event id) are skipped.
 */
export async function webhookRoutes(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const { store, log } = deps;
  await app.register(async (scoped) => {
    // Signatures cover the exact bytes sent: keep the body as text (scoped to this plugin only).
    scoped.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) =>
      done(null, body),
    );

    const receive = async (
      req: FastifyRequest<{ Params: { connectionId: string } }>,
      reply: FastifyReply,
    ) => {
      // An unknown receiver looks like a bad signature: callers learn nothing about connection ids.
      const connection = await store.connections.get(req.params.connectionId).catch((err) => {
        throw err instanceof NotFoundError ? new WebhookSignatureError(REFUSED) : err;
      });
      const def = CONNECTORS[connection.system];
      if (!def?.webhook) throw new WebhookSignatureError(REFUSED);
      const rawBody = typeof req.body === 'string' ? req.body : '';
      const url = `${req.protocol}://${req.host}${req.url}`;
      const config = def.configSchema.parse(connection.config);
      const secret = def.secretSchema.parse(connection.secret);
      let signature: string | null;
      try {
        signature = def.webhook.verify(config, secret, {
          method: req.method,
          url,
          rawBody,
          headers: req.headers,
        });
      } catch (err) {
        if (!(err instanceof WebhookSignatureError)) throw err;
        // The reason is the operator's (logged); the caller gets the one answer an unknown receiver gets too.
        log.info({ connectionId: connection.id, reason: err.message }, 'webhook call refused');
        throw new WebhookSignatureError(REFUSED);
      }
      // Only a verified call with a replay key leaves a receipt (a static token has none).
      if (signature !== null && !(await store.audit.claimReceipt(connection.id, `sig:${sha(signature)}`)))
        throw new WebhookSignatureError('this webhook was received before (replay)');
      if (Math.random() < 0.01)
        void store.audit.pruneReceipts(new Date(Date.now() - RECEIPT_TTL_MS)).catch(() => {});

      const fresh: WebhookEvent[] = [];
      for (const e of def.webhook.parse(rawBody, config))
        if (await store.audit.claimReceipt(connection.id, `event:${e.eventId}`)) fresh.push(e);
      try {
        const deletions = deletionsOf(fresh);
        for (const d of deletions) {
          const o = {
            log,
            connectorFactory: deps.connectorFactory,
            ...(deps.importsDir ? { importsDir: deps.importsDir } : {}),
          };
          // Named by a unique value (Brevo: the e-mail of a contact that is gone): the linked ids, if any.
          const ids = d.identifiedBy
            ? await targetIdsByValue(
                store,
                {
                  connectionId: connection.id,
                  object: d.object,
                  property: d.identifiedBy,
                  value: d.externalId,
                },
                o,
              )
            : [d.externalId];
          // A system that cannot tell a privacy deletion from a clean-up: the mappings' privacy policy decides.
          const privacy =
            d.privacy ||
            (d.privacyPerMapping === true &&
              (await mappingsInto(store, connection.id, d.object)).some((m) => m.privacy !== undefined));
          for (const externalId of ids)
            await handleDeletionRequest(
              store,
              { connectionId: connection.id, object: d.object, externalId, privacy, eventId: d.eventId },
              o,
            );
        }
        const changed = new Set(fresh.filter((e) => e.kind === 'change').map((e) => e.object));
        const runs: string[] = [];
        if (changed.size) {
          const mappings = new Map((await store.mappings.list()).map((m) => [m.id, m]));
          for (const task of await store.tasks.list()) {
            const m = mappings.get(task.mappingId);
            if (
              !task.enabled ||
              !runsOnChange(task.schedule) ||
              !m ||
              m.source.connectionId !== connection.id ||
              !changed.has(m.source.object)
            )
              continue;
            // Coalesced: a burst of events is one run; an event during a run gets one more after it.
            await deps.runs.runSoon(task.id, 'webhook');
            runs.push(task.id);
          }
        }
        return reply.code(200).send({ received: fresh.length, deletions: deletions.length, runs });
      } catch (err) {
        // Let HubSpot's retry deliver these events again.
        await Promise.allSettled(
          fresh.map((e) => store.audit.releaseReceipt(connection.id, `event:${e.eventId}`)),
        );
        throw err;
      }
    };
    const options = {
      schema: {
        tags: ['webhooks'],
        summary: "Webhook receiver of one connection (the connection's system verifies it; public)",
      },
      config: { public: true },
      bodyLimit: 1024 * 1024,
    };
    scoped.post('/api/webhooks/:connectionId', options, receive);
    // The address HubSpot apps were given before webhooks were generic; kept so they keep arriving.
    scoped.post(
      '/api/webhooks/hubspot/:connectionId',
      {
        ...options,
        schema: { ...options.schema, summary: 'The same receiver at its former address', deprecated: true },
      },
      receive,
    );
  });
}
