import {
  type Connector,
  defineConnector,
  type ObjectDescription,
  type RecordMark,
  type SourceRecord,
  urlDestination,
} from '../connector.ts';
import { associateHubSpot } from './associate.ts';
import { createHubSpotClient } from './client.ts';
import { lookupHubSpot } from './lookup.ts';
import { authorizeUrl, createHubSpotTokens, exchangeCode } from './oauth.ts';
import { hubspotBudgetReport } from './rate-limit-headers.ts';
import { listAll, searchChanged } from './read.ts';
import { HubSpotConfigSchema, HubSpotSecretSchema } from './schemas.ts';
import { parseHubSpotEvents, verifyHubSpotWebhook } from './webhook.ts';
import { writeHubSpot } from './write.ts';

/** HubSpot's property types as the mapping editor's field types. */
const FIELD_TYPES: Record<string, ObjectDescription['fields'][number]['type']> = {
  string: 'string',
  number: 'number',
  bool: 'boolean',
  date: 'date',
  datetime: 'datetime',
  enumeration: 'enum',
  phone_number: 'string',
};

/** The CRM objects Junction maps; their fields come from the portal's properties API (custom ones included). */
const OBJECTS = ['contacts', 'companies', 'deals'];

/**
 * HubSpot CRM: contacts, companies, deals (and any object type the portal has) through the batch
 * endpoints, list paging and the search API; v4 associations; private-app token or OAuth 2.0 app with
 * token renewal; webhooks with signature v3.
 */
export const hubspotConnector = defineConnector({
  system: 'hubspot',
  label: { de: 'HubSpot (CRM)', en: 'HubSpot (CRM)' },
  name: 'HubSpot',
  mark: { short: 'HS', color: '#e8663d' },
  auth: 'oauth2',
  // HubSpot's own answers (after the connector's retries) are upstream failures.
  errorStatus: (code) => (code.startsWith('hubspot_') ? 502 : undefined),
  configSchema: HubSpotConfigSchema,
  secretSchema: HubSpotSecretSchema,
  // The token, the client secret and the OAuth tokens all go to the API host (token endpoint included).
  destination: (config) => urlDestination(config.baseUrl),
  http: (config) => ({
    baseUrl: config.baseUrl,
    limits: { batchSize: 100, requestsPer10s: config.requestsPer10s, concurrency: config.concurrency },
    timeoutMs: config.timeoutMs,
    // No static headers: the client adds the bearer token per request and renews OAuth tokens.
    budget: hubspotBudgetReport,
  }),
  // HubSpot counts per app and portal: a private app's token, or an OAuth app's installation (its refresh
  // token stays the same across renewals, the access token does not).
  account: (config, secret) =>
    secret.refreshToken ? `oauth:${config.clientId ?? ''}:${secret.refreshToken}` : secret.accessToken,
  create(ctx): Connector {
    const tokens = createHubSpotTokens(ctx.http, ctx.config, ctx.secret, ctx.saveSecret);
    const client = createHubSpotClient(ctx.http, tokens);

    return {
      system: 'hubspot',
      limits: {
        batchSize: 100,
        requestsPer10s: ctx.config.requestsPer10s,
        concurrency: ctx.config.concurrency,
      },
      async describe() {
        const out: ObjectDescription[] = [];
        for (const name of OBJECTS) {
          const props = await client.properties(name);
          out.push({
            name,
            fields: props.results.map((p) => ({
              name: p.name,
              label: p.label ?? p.name,
              type: FIELD_TYPES[p.type] ?? 'string',
              unique: p.hasUniqueValue ?? false,
              ...(p.modificationMetadata?.readOnlyValue ? { readOnly: true } : {}),
              ...(p.options?.length
                ? { options: p.options.map((x) => ({ value: x.value, label: x.label })) }
                : {}),
            })),
          });
        }
        return out;
      },
      read(object, o) {
        return o.modifiedField || o.after?.m !== undefined
          ? searchChanged(client, object, o)
          : listAll(client, object, o);
      },
      async readByKeys(object, _keyField, keys) {
        const out: SourceRecord[] = [];
        for (let i = 0; i < keys.length; i += 100) {
          const res = await client.batch(
            object,
            'read',
            keys.slice(i, i + 100).map((id) => ({ id })),
            { properties: [], propertiesWithHistory: [] },
          );
          for (const r of res.results) out.push({ key: r.id, data: { id: r.id, ...r.properties } });
        }
        return out;
      },
      write: (object, ops) => writeHubSpot(client, object, ops),
      lookup: (object, property, values) => lookupHubSpot(client, object, property, values),
      async writeMarks(object, _keyField, marks: RecordMark[]) {
        // Marks are plain property updates by record id; dates travel as ISO text.
        const ops = marks.map((m) => ({
          kind: 'update' as const,
          ref: m.key,
          externalId: m.key,
          properties: Object.fromEntries(
            Object.entries(m.values).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
          ),
        }));
        for (let i = 0; i < ops.length; i += 100) await writeHubSpot(client, object, ops.slice(i, i + 100));
      },
      associate: (from, to, pairs) => associateHubSpot(client, from, to, pairs),
      async check() {
        try {
          await client.list('contacts', { limit: 1, properties: [] });
          return { ok: true, message: 'HubSpot accepted the token' };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
  oauth: { authorizeUrl, exchangeCode: (config, secret, o) => exchangeCode(config, secret, o) },
  webhook: {
    verify: (_config, secret, req, now) => verifyHubSpotWebhook(secret, req, now),
    parse: parseHubSpotEvents,
  },
});
