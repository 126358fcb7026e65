import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { WebhookSignatureError, WebhookTooManyEventsError } from '../../core/errors.ts';
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
 * time. A connection without a token, a call without one and a wrong one are refused alike (same words, a
 * comparison each): the answer tells nothing of how the connection is set up. A token has no freshness, so
 * there is no replay key (null): redelivered events are caught by their event ids.
 */
export function verifyBrevoWebhook(secret: BrevoSecret, req: WebhookRequest): null {
  const given = tokenOf(req.headers);
  // Hashes first: equal lengths for timingSafeEqual, and the token's length is not timed either. Without a
  // token of its own the connection compares against one nobody knows.
  const expected = secret.webhookToken ?? randomBytes(32).toString('hex');
  const matches = timingSafeEqual(digest(given ?? ''), digest(expected));
  if (!secret.webhookToken || given === null || !matches)
    throw new WebhookSignatureError(BREVO_TOKEN_REFUSED);
  return null;
}

/** The one answer to a Brevo webhook call that does not bring the connection's token. */
export const BREVO_TOKEN_REFUSED = 'the webhook token is missing or does not match';

/**
 * Most items one call may bring: Brevo's batched webhooks send at most 500 events a call
 * (developers.brevo.com, "Batched webhooks").
 */
export const MAX_BREVO_EVENTS_PER_CALL = 500;
/** Most contacts the events of one call may name (a `contact_deleted` names a list when several went at once). */
export const MAX_BREVO_CONTACTS_PER_CALL = 10_000;

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
  const items = Array.isArray(json) ? json : [json];
  // Refused whole before anything is claimed: each event costs store look-ups and possibly a deletion.
  if (items.length > MAX_BREVO_EVENTS_PER_CALL)
    throw new WebhookTooManyEventsError(
      `the webhook brings ${items.length} events; at most ${MAX_BREVO_EVENTS_PER_CALL} are taken in one call`,
      { details: { events: items.length, maxEvents: MAX_BREVO_EVENTS_PER_CALL } },
    );
  const out: WebhookEvent[] = [];
  for (const item of items) {
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
  if (out.length > MAX_BREVO_CONTACTS_PER_CALL)
    throw new WebhookTooManyEventsError(
      `the webhook names ${out.length} contacts; at most ${MAX_BREVO_CONTACTS_PER_CALL} are taken in one call`,
      { details: { contacts: out.length, maxContacts: MAX_BREVO_CONTACTS_PER_CALL } },
    );
  return out;
}
