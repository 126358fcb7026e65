import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookSignatureError } from '../../core/errors.ts';
import type { WebhookEvent, WebhookRequest } from '../connector.ts';
import type { BrevoSecret } from './schemas.ts';

/**
 * One marketing webhook call of Brevo (`contact_deleted`, `unsubscribed`, …): Brevo names the contact by
 * e-mail (a list of addresses when several were deleted at once), not by id.
 */
const BrevoWebhookEventSchema = z.looseObject({
  event: z.string(),
  email: z.union([z.string(), z.array(z.string())]).optional(),
  ts: z.number().optional(),
  ts_event: z.number().optional(),
  date: z.string().optional(),
});

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The token a request carries: `Authorization: Bearer <token>`, or the password of Basic auth (`https://user:token@…`). */
function tokenOf(headers: WebhookRequest['headers']): string | null {
  const raw = headers.authorization;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return null;
  const [scheme, rest = ''] = value.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return rest;
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  return null;
}

/**
 * Brevo signs no webhook; it documents a bearer token or Basic auth in the URL (developers.brevo.com,
 * "Secure webhook calls"). The connection's `webhookToken` must come with the call, compared in constant
 * time. A token has no freshness, so there is no request replay key worth keeping: each call gets its own,
 * and redelivered events are caught by their event ids.
 */
export function verifyBrevoWebhook(secret: BrevoSecret, req: WebhookRequest): string {
  if (!secret.webhookToken)
    throw new WebhookSignatureError('this Brevo connection has no webhook token to check calls with');
  const given = tokenOf(req.headers);
  if (given === null) throw new WebhookSignatureError('the webhook carries no bearer token or basic auth');
  // Hashes first: equal lengths for timingSafeEqual, and the token's length is not timed either.
  if (!timingSafeEqual(digest(given), digest(secret.webhookToken)))
    throw new WebhookSignatureError('the webhook token does not match');
  return `brevo:${randomUUID()}`;
}

/**
 * Brevo's marketing events in domain terms: `contact_deleted` is a deletion of the contact named by its
 * e-mail — a privacy deletion where the mappings into Brevo say so (`privacy`), else an ordinary one that
 * only unlinks; `unsubscribed` (and `contact_updated`) is a change: the contact stays, blocklisted, and
 * the tasks that read from Brevo pick it up. Other events (opens, clicks, bounces) are left out. A body
 * may hold one event or a list (batched webhooks).
 */
export function parseBrevoEvents(
  rawBody: string,
  config: { deletionsArePrivacyRequests?: boolean } = {},
): WebhookEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new WebhookSignatureError('the webhook body is not JSON');
  }
  const out: WebhookEvent[] = [];
  for (const item of Array.isArray(json) ? json : [json]) {
    const parsed = BrevoWebhookEventSchema.safeParse(item);
    if (!parsed.success) continue;
    const e = parsed.data;
    const emails = (Array.isArray(e.email) ? e.email : e.email ? [e.email] : []).filter(Boolean);
    // Brevo gives no event id: the event, the address and its time name one delivery.
    const when = e.ts_event ?? e.ts ?? e.date ?? '';
    for (const email of emails) {
      const eventId = createHash('sha256')
        .update(`${e.event}\u0000${email}\u0000${when}`)
        .digest('base64url');
      if (e.event === 'contact_deleted')
        out.push({
          kind: 'deletion',
          eventId,
          object: 'contacts',
          externalId: email,
          identifiedBy: 'email',
          privacy: false,
          // Only where the operator said Brevo deletions are erasure requests; then the mappings' policy decides.
          privacyPerMapping: config.deletionsArePrivacyRequests === true,
        });
      else if (e.event === 'unsubscribed' || e.event === 'contact_updated')
        out.push({ kind: 'change', eventId, object: 'contacts', externalId: email });
    }
  }
  return out;
}
