import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookSignatureError } from '../../core/errors.ts';
import type { WebhookEvent, WebhookRequest } from '../connector.ts';
import { type HubSpotSecret, HubSpotWebhookEventSchema } from './schemas.ts';

/** HubSpot rejects nothing older; neither do we (signature v3). */
export const MAX_WEBHOOK_AGE_MS = 5 * 60 * 1000;

// HubSpot decodes these percent-escapes in the URI before signing (its v3 validation guide).
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot signs it. */
export function signableUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODED[m.toUpperCase()] ?? m);
}

/** Signature v3: Base64 HMAC-SHA256 over method + URI + raw body + timestamp, keyed with the app's client secret. */
export function signV3(
  clientSecret: string,
  method: string,
  uri: string,
  rawBody: string,
  timestamp: string,
): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${signableUri(uri)}${rawBody}${timestamp}`) // a string is hashed as UTF-8
    .digest('base64');
}

// Node hands header names over in lower case, and `name` is given in lower case.
const header = (h: WebhookRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Verifies `X-HubSpot-Signature-v3` in constant time and the 5-minute window of
 * `X-HubSpot-Request-Timestamp`; returns the signature as the replay-guard key.
 */
export function verifyHubSpotWebhook(
  secret: HubSpotSecret,
  req: WebhookRequest,
  now: number = Date.now(),
): string {
  if (!secret.clientSecret)
    throw new WebhookSignatureError(
      'this HubSpot connection has no app client secret to check webhook signatures with',
    );
  const signature = header(req.headers, 'x-hubspot-signature-v3');
  const timestamp = header(req.headers, 'x-hubspot-request-timestamp');
  if (!signature || !timestamp)
    throw new WebhookSignatureError('the webhook carries no signature v3 or timestamp');
  const at = Number(timestamp);
  if (!Number.isFinite(at) || Math.abs(now - at) > MAX_WEBHOOK_AGE_MS)
    throw new WebhookSignatureError('the webhook timestamp is outside the 5-minute window');
  const expected = Buffer.from(
    signV3(secret.clientSecret, req.method.toUpperCase(), req.url, req.rawBody, timestamp),
  );
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new WebhookSignatureError('the webhook signature does not match');
  return signature;
}

const OBJECTS: Record<string, string> = { contact: 'contacts', company: 'companies', deal: 'deals' };

/** Turns HubSpot's event array into domain events; unknown subscription types are left out. */
export function parseHubSpotEvents(rawBody: string): WebhookEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new WebhookSignatureError('the webhook body is not JSON');
  }
  const list = Array.isArray(json) ? json : [json];
  const out: WebhookEvent[] = [];
  for (const item of list) {
    const parsed = HubSpotWebhookEventSchema.safeParse(item);
    if (!parsed.success) continue;
    const e = parsed.data;
    const [type, action] = e.subscriptionType.split('.');
    // Stryker disable next-line StringLiteral: equivalent — split() always yields a first element; the fallback only satisfies noUncheckedIndexedAccess
    const object = OBJECTS[type ?? ''];
    if (!object) continue;
    const base = { eventId: String(e.eventId), object, externalId: String(e.objectId) };
    if (action === 'deletion' || action === 'privacyDeletion')
      out.push({ kind: 'deletion', ...base, privacy: action === 'privacyDeletion' });
    else if (
      action === 'propertyChange' ||
      action === 'creation' ||
      action === 'restore' ||
      action === 'merge'
    )
      out.push({ kind: 'change', ...base });
  }
  return out;
}
