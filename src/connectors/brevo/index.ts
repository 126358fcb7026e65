import { setMaxListeners } from 'node:events';
import {
  type Connector,
  defineConnector,
  type FieldDescription,
  type SourceRecord,
  urlDestination,
} from '../connector.ts';
import { HttpClient } from '../http-client.ts';
import { chainLimiters } from '../limiter-chain.ts';
import { limiterFor, UNLIMITED } from '../rate-limiter.ts';
import { createBrevoClient, type IdentifierType } from './client.ts';
import { brevoBudgetReport } from './rate-limit-headers.ts';
import { readContacts, toRecord } from './read.ts';
import { BrevoConfigSchema, BrevoSecretSchema } from './schemas.ts';
import { parseBrevoEvents, verifyBrevoWebhook } from './webhook.ts';
import { writeBrevo } from './write.ts';

/** Brevo's attribute types as the mapping editor's field types. */
const FIELD_TYPES: Record<string, FieldDescription['type']> = {
  text: 'string',
  float: 'number',
  date: 'date',
  boolean: 'boolean',
  category: 'enum',
  id: 'string',
};

/** Fields every contact has, outside its attributes. */
const CONTACT_FIELDS: FieldDescription[] = [
  { name: 'id', label: 'Brevo contact id', type: 'number', unique: true, readOnly: true },
  { name: 'email', label: 'E-mail', type: 'string', unique: true },
  { name: 'ext_id', label: 'External id (EXT_ID)', type: 'string', unique: true },
  { name: 'listIds', label: 'Lists', type: 'json' },
  { name: 'emailBlacklisted', label: 'Unsubscribed from e-mails', type: 'boolean' },
  { name: 'smsBlacklisted', label: 'Unsubscribed from SMS', type: 'boolean' },
  { name: 'modifiedAt', label: 'Last modified', type: 'datetime', readOnly: true },
];

// Calculated and global attributes are computed by Brevo and cannot be written.
const WRITABLE_CATEGORIES = new Set(['normal', 'category', 'transactional']);

/**
 * Most ops one `write` takes: the engine hands over a whole page (up to this many writes) at once, so the
 * connector can plan it — imports for new contacts, batch updates for changed ones.
 */
const WRITE_PLAN_SIZE = 2000;

const KEY_TYPES: Record<string, IdentifierType> = { id: 'contact_id', email: 'email_id', ext_id: 'ext_id' };

/**
 * Brevo (API v3): a page's writes planned onto Brevo's bulk calls — new contacts through import processes,
 * changed ones through batch updates, single calls only where nothing else fits (see write.ts); read
 * incrementally with `modifiedSince`; `api-key` auth.
 */
export const brevoConnector = defineConnector({
  system: 'brevo',
  label: { de: 'Brevo (Newsletter)', en: 'Brevo (newsletters)' },
  name: 'Brevo',
  mark: { short: 'BR', color: '#0b996e' },
  auth: 'apiKey',
  configSchema: BrevoConfigSchema,
  secretSchema: BrevoSecretSchema,
  destination: (config) => urlDestination(config.baseUrl),
  // Contact deletions and unsubscribes arrive on /api/webhooks/<connection> with the webhook token.
  webhook: {
    verify: (_config, secret, req) => verifyBrevoWebhook(secret, req),
    parse: (rawBody, config) => parseBrevoEvents(rawBody, config),
  },
  // One budget per API key (Brevo counts per account key), whichever connections use it.
  account: (_config, secret) => secret.apiKey,
  http: (config, secret) => ({
    baseUrl: config.baseUrl,
    limits: {
      batchSize: WRITE_PLAN_SIZE,
      requestsPer10s: config.requestsPerSecond * 10,
      concurrency: config.concurrency,
    },
    timeoutMs: config.timeoutMs,
    headers: () => ({ 'api-key': secret.apiKey }),
    budget: brevoBudgetReport,
  }),
  create(ctx): Connector {
    // A plan's single calls are all in flight at once, each listening on the run's signal; that is by design.
    setMaxListeners(Math.max(64, ctx.config.concurrency * WRITE_PLAN_SIZE * 4), ctx.signal);
    // Shared by every run on this connection (across workers in scale-out mode), like the 10-second limiter.
    const perSecond =
      ctx.limiter?.(ctx.config.requestsPerSecond, 1000) ??
      limiterFor(ctx.connectionId, ctx.config.requestsPerSecond, 1000);
    // Every attempt (a retry too) waits for both budgets, and Brevo's headers reach both.
    const http = new HttpClient({
      ...ctx.http.options,
      limiter: chainLimiters(perSecond, ctx.http.options.limiter ?? UNLIMITED),
    });
    const client = createBrevoClient(http);
    const onlyContacts = (object: string) => {
      if (object !== 'contacts') throw new Error(`Brevo has no object '${object}' (only 'contacts')`);
    };

    return {
      system: 'brevo',
      // A whole page a write: the connector plans it onto imports, batch updates and single calls.
      limits: {
        batchSize: WRITE_PLAN_SIZE,
        requestsPer10s: ctx.config.requestsPerSecond * 10,
        concurrency: ctx.config.concurrency,
      },
      async describe() {
        const attributes = await client.attributes();
        const fields = [...CONTACT_FIELDS];
        for (const a of attributes) {
          if (!WRITABLE_CATEGORIES.has(a.category) || a.name === 'EMAIL' || a.name === 'EXT_ID') continue;
          fields.push({
            name: `attributes.${a.name}`,
            label: a.name,
            type: FIELD_TYPES[a.type ?? (a.category === 'category' ? 'category' : 'text')] ?? 'string',
            ...(a.enumeration?.length
              ? { options: a.enumeration.map((o) => ({ value: String(o.value), label: o.label })) }
              : {}),
          });
        }
        return [{ name: 'contacts', label: 'Contacts', fields }];
      },
      read(object, o) {
        onlyContacts(object);
        return readContacts(client, o);
      },
      async readByKeys(object, _keyField, keys) {
        onlyContacts(object);
        // `read` keys every record by its contact id, whatever the mapping names as key: the keys asked
        // for are those ids (asking by e-mail would find none, and every contact would look deleted).
        const found = await Promise.all(keys.map((key) => client.getContact(key, 'contact_id')));
        return found.filter((c) => c !== null).map((c): SourceRecord => toRecord(c));
      },
      async write(object, ops, options) {
        onlyContacts(object);
        return writeBrevo(client, ops, {
          journal: options?.journal,
          signal: ctx.signal,
          importFrom: ctx.config.importFrom,
        });
      },
      /** Initial matching and read-back: one GET per value (Brevo has no lookup by several identifiers). */
      async lookup(object, property, values) {
        onlyContacts(object);
        const type = KEY_TYPES[property === 'email' ? 'email' : property];
        if (!type) throw new Error(`Brevo contacts cannot be looked up by '${property}'`);
        const found = await Promise.all(
          values.map(async (value) => ({ value, contact: await client.getContact(value, type) })),
        );
        return found.flatMap(({ value, contact }) =>
          contact ? [{ value, id: String(contact.id), properties: toRecord(contact).data }] : [],
        );
      },
      async check() {
        try {
          const account = await client.account();
          return {
            ok: true,
            message: `Brevo accepted the API key${account.email ? ` (account ${account.email})` : ''}`,
          };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
});
