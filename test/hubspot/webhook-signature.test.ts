// HubSpot's webhook signature v3 and event parsing, alone and without a server: the signature is
// computed here independently from HubSpot's v3 recipe (HMAC-SHA256, Base64, over method + URI with a
// fixed set of percent-escapes decoded + raw body + timestamp), so a slip in Junction's version fails.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  MAX_WEBHOOK_AGE_MS,
  parseHubSpotEvents,
  signableUri,
  verifyHubSpotWebhook,
} from '../../src/connectors/hubspot/webhook.ts';
import { WebhookSignatureError } from '../../src/core/errors.ts';

const SECRET = { clientSecret: 'app-client-secret' };
const NOW = 1_750_000_000_000;
const BODY = '[{"eventId":1,"subscriptionType":"contact.propertyChange","objectId":7}]';
const reference = (method: string, uri: string, body: string, timestamp: string) =>
  createHmac('sha256', SECRET.clientSecret).update(`${method}${uri}${body}${timestamp}`).digest('base64');
const requestOf = (over: { url?: string; method?: string; at?: number; signature?: string } = {}) => {
  const url = over.url ?? 'https://hub.example.ch/api/webhooks/hubspot/crm';
  const timestamp = String(over.at ?? NOW);
  return {
    method: over.method ?? 'POST',
    url,
    rawBody: BODY,
    headers: {
      'x-hubspot-signature-v3': over.signature ?? reference('POST', url, BODY, timestamp),
      'x-hubspot-request-timestamp': timestamp,
    },
  };
};
const refused = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e) => {
    assert.ok(e instanceof WebhookSignatureError, String(e));
    assert.equal(e.code, 'webhook_signature_invalid');
    assert.match(e.message, message);
    return true;
  });

describe('HubSpot webhook signature v3', () => {
  test('a request signed with the client secret is accepted and its signature is the replay key', () => {
    const req = requestOf();
    assert.equal(verifyHubSpotWebhook(SECRET, req, NOW), req.headers['x-hubspot-signature-v3']);
  });
  test('the URI is signed with HubSpot’s percent-escapes decoded, in either case, and others kept', () => {
    const url = 'https://hub.example.ch/hook?next=%2Fa%3Ab%40c%21%24%27%28%29%2a%2C%3B%3f&space=%20';
    const decoded = "https://hub.example.ch/hook?next=/a:b@c!$'()*,;?&space=%20";
    assert.equal(signableUri(url), decoded);
    const at = String(NOW);
    const req = requestOf({ url, signature: reference('POST', decoded, BODY, at) });
    assert.equal(verifyHubSpotWebhook(SECRET, req, NOW), req.headers['x-hubspot-signature-v3']);
    refused(
      () =>
        verifyHubSpotWebhook(SECRET, requestOf({ url, signature: reference('POST', url, BODY, at) }), NOW),
      /does not match/,
    );
  });
  test('the method is signed in capitals whatever case the server reports', () => {
    const req = requestOf();
    assert.ok(verifyHubSpotWebhook(SECRET, { ...req, method: 'post' }, NOW));
  });
  test('a signature over another body, URI or secret is refused', () => {
    refused(
      () => verifyHubSpotWebhook(SECRET, { ...requestOf(), rawBody: `${BODY} ` }, NOW),
      /does not match/,
    );
    refused(
      () => verifyHubSpotWebhook(SECRET, { ...requestOf(), url: 'https://other/' }, NOW),
      /does not match/,
    );
    refused(() => verifyHubSpotWebhook({ clientSecret: 'other' }, requestOf(), NOW), /does not match/);
    refused(() => verifyHubSpotWebhook(SECRET, requestOf({ signature: 'short' }), NOW), /does not match/);
  });
  test('a timestamp up to five minutes old or ahead is accepted, one millisecond more is refused', () => {
    for (const at of [NOW - MAX_WEBHOOK_AGE_MS, NOW + MAX_WEBHOOK_AGE_MS])
      assert.ok(verifyHubSpotWebhook(SECRET, requestOf({ at }), NOW));
    for (const at of [NOW - MAX_WEBHOOK_AGE_MS - 1, NOW + MAX_WEBHOOK_AGE_MS + 1])
      refused(() => verifyHubSpotWebhook(SECRET, requestOf({ at }), NOW), /outside the 5-minute window/);
    assert.equal(MAX_WEBHOOK_AGE_MS, 300_000);
  });
  test('a timestamp that is not a number is refused', () => {
    const req = requestOf();
    const headers = { ...req.headers, 'x-hubspot-request-timestamp': 'yesterday' };
    refused(() => verifyHubSpotWebhook(SECRET, { ...req, headers }, NOW), /outside the 5-minute window/);
  });
  test('a header given as a list is read by its first value', () => {
    const req = requestOf();
    const headers = {
      'x-hubspot-signature-v3': [req.headers['x-hubspot-signature-v3'], 'a second one'],
      'x-hubspot-request-timestamp': [req.headers['x-hubspot-request-timestamp']],
    };
    assert.ok(verifyHubSpotWebhook(SECRET, { ...req, headers }, NOW));
  });
  test('a request without signature or timestamp, or a connection without client secret, is refused', () => {
    const req = requestOf();
    const { 'x-hubspot-signature-v3': _s, ...noSignature } = req.headers;
    const { 'x-hubspot-request-timestamp': _t, ...noTimestamp } = req.headers;
    refused(() => verifyHubSpotWebhook(SECRET, { ...req, headers: noSignature }, NOW), /no signature v3/);
    refused(() => verifyHubSpotWebhook(SECRET, { ...req, headers: noTimestamp }, NOW), /no signature v3/);
    refused(() => verifyHubSpotWebhook({}, req, NOW), /no app client secret/);
  });
});

describe('HubSpot webhook events', () => {
  test('changes and deletions of contacts, companies and deals become domain events', () => {
    const events = parseHubSpotEvents(
      JSON.stringify([
        { eventId: 1, subscriptionType: 'contact.propertyChange', objectId: 7 },
        { eventId: 2, subscriptionType: 'company.creation', objectId: 8 },
        { eventId: 3, subscriptionType: 'deal.restore', objectId: 9 },
        { eventId: 4, subscriptionType: 'contact.merge', objectId: 10 },
        { eventId: 5, subscriptionType: 'contact.deletion', objectId: 11 },
        { eventId: '6', subscriptionType: 'contact.privacyDeletion', objectId: '12' },
      ]),
    );
    assert.deepEqual(events, [
      { kind: 'change', eventId: '1', object: 'contacts', externalId: '7' },
      { kind: 'change', eventId: '2', object: 'companies', externalId: '8' },
      { kind: 'change', eventId: '3', object: 'deals', externalId: '9' },
      { kind: 'change', eventId: '4', object: 'contacts', externalId: '10' },
      { kind: 'deletion', eventId: '5', object: 'contacts', externalId: '11', privacy: false },
      { kind: 'deletion', eventId: '6', object: 'contacts', externalId: '12', privacy: true },
    ]);
  });
  test('a single event object is read like a list of one', () => {
    assert.deepEqual(
      parseHubSpotEvents(JSON.stringify({ eventId: 1, subscriptionType: 'deal.deletion', objectId: 2 })),
      [{ kind: 'deletion', eventId: '1', object: 'deals', externalId: '2', privacy: false }],
    );
  });
  test('unknown objects, unknown actions and malformed events are left out', () => {
    const events = parseHubSpotEvents(
      JSON.stringify([
        { eventId: 1, subscriptionType: 'ticket.creation', objectId: 7 },
        { eventId: 2, subscriptionType: 'contact.associationChange', objectId: 7 },
        { eventId: 3, subscriptionType: 'contact', objectId: 7 },
        { subscriptionType: 'contact.creation', objectId: 7 },
        'noise',
      ]),
    );
    assert.deepEqual(events, []);
  });
  test('a body that is not JSON is refused as a bad webhook', () => {
    refused(() => parseHubSpotEvents('{not json'), /the webhook body is not JSON/);
  });
});
