import {
  type Connector,
  defineConnector,
  type ObjectDescription,
  type Page,
  type ReadOptions,
  type SourceRecord,
  urlDestination,
} from '../connector.ts';
import { createAbacusClient } from './client.ts';
import {
  AbacusConfigSchema,
  AbacusSecretSchema,
  type Collection,
  type Subject,
  SubjectSchema,
} from './schemas.ts';
import { findSubject, swissToday } from './subject-sync.ts';
import { createTokenSource } from './token-source.ts';
import { writeAbacus } from './write.ts';

/** The one object this connector syncs: a person as subject + current address + e-mail and phone. */
export const ABACUS_SUBJECTS = 'subjects';

const FIELDS: ObjectDescription['fields'] = [
  { name: 'Id', label: 'Subject Id (Abacus)', type: 'number', unique: true, readOnly: true },
  {
    name: 'Reference',
    label: 'Reference (business system key, kept in a subject user field)',
    type: 'string',
    unique: true,
  },
  { name: 'Name', label: 'Last name / organisation name', type: 'string', required: true },
  { name: 'FirstName', label: 'First name', type: 'string' },
  { name: 'Title', label: 'Title', type: 'string' },
  { name: 'Language', label: 'Language (de, fr, it, en)', type: 'string' },
  { name: 'SalutationId', label: 'Salutation (Abacus salutation number)', type: 'number' },
  { name: 'EMail', label: 'E-mail', type: 'string', unique: true },
  { name: 'Phone', label: 'Phone', type: 'string' },
  { name: 'Address.Street', label: 'Street', type: 'string' },
  { name: 'Address.HouseNumber', label: 'House number', type: 'string' },
  { name: 'Address.PostCode', label: 'Post code', type: 'string' },
  { name: 'Address.City', label: 'City', type: 'string' },
  { name: 'Address.CountryId', label: 'Country (ISO code, e.g. CH)', type: 'string' },
  { name: 'ChangedOn', label: 'Last change in Abacus', type: 'datetime', readOnly: true },
];

/** A subject from the API as the flat-ish record the engine reads. */
function toRecord(s: Subject, referenceField: string): SourceRecord {
  const today = swissToday();
  const addresses = (s.Addresses ?? []).filter((a) => (a.ValidFrom ?? '') <= today);
  const address = addresses.sort((a, b) => (a.ValidFrom ?? '').localeCompare(b.ValidFrom ?? '')).pop();
  const comm = (type: string) => {
    const of = (s.Communications ?? []).filter((c) => c.Type === type);
    return (of.find((c) => c.Standard) ?? of[0])?.Value ?? null;
  };
  const { Addresses: _a, Communications: _c, ...subject } = s;
  const reference = s.UserFields?.[referenceField];
  return {
    key: String(s.Id),
    data: {
      ...subject,
      Reference: typeof reference === 'string' && reference !== '' ? reference : null,
      EMail: comm('EMail'),
      Phone: comm('Phone'),
      Address: address
        ? {
            Street: address.Street,
            HouseNumber: address.HouseNumber,
            PostCode: address.PostCode,
            City: address.City,
            CountryId: address.CountryId,
            ValidFrom: address.ValidFrom,
          }
        : null,
      ChangedOn: s.ChangeInformation?.ChangedOn ?? null,
    },
  };
}

/**
 * Abacus ERP through its OData v4 entity API: persons as `Subjects` with `Addresses` and
 * `Communications`, in one mandant per connection; OAuth 2.0 client credentials of a service user.
 */
export const abacusConnector = defineConnector({
  system: 'abacus',
  label: { de: 'Abacus (ERP)', en: 'Abacus (ERP)' },
  name: 'Abacus',
  mark: { short: 'AB', color: '#c8102e' },
  auth: 'clientCredentials',
  configSchema: AbacusConfigSchema,
  secretSchema: AbacusSecretSchema,
  // The client credentials go to the installation (its token endpoint is discovered there).
  destination: (config) => urlDestination(config.baseUrl),
  http: (config) => ({
    baseUrl: config.baseUrl,
    limits: { batchSize: 20, requestsPer10s: config.requestsPer10s, concurrency: config.concurrency },
    timeoutMs: config.timeoutMs,
    // No static headers: the client adds a bearer token per request and renews it on expiry or 401.
  }),
  create(ctx): Connector {
    const { config } = ctx;
    const tokens = createTokenSource(ctx.http, ctx.secret);
    const client = createAbacusClient(ctx.http, config.mandant, tokens, config.pageSize);
    const parse = (page: Collection) =>
      page.value.map((v) => toRecord(SubjectSchema.parse(v), config.referenceField));

    const assertObject = (object: string) => {
      if (object !== ABACUS_SUBJECTS)
        throw new Error(`Abacus has no object '${object}' (only '${ABACUS_SUBJECTS}')`);
    };

    /** Every subject in key order, page by page along `@odata.nextLink`; the cursor is the next link. */
    async function* readAll(o: ReadOptions): AsyncIterable<Page> {
      let page =
        typeof o.after?.next === 'string'
          ? await client.next(o.after.next)
          : await client.list('Subjects', { $expand: 'Addresses,Communications' });
      for (;;) {
        const next = page['@odata.nextLink'];
        yield { records: parse(page), cursor: next ? { next } : null };
        if (!next) return;
        page = await client.next(next);
      }
    }

    /**
     * Subjects changed since the cursor, oldest change first. `ge` plus skipping the ids already seen
     * at the cursor's instant, so subjects changed in the same millisecond are not lost.
     */
    async function* readChanged(o: ReadOptions): AsyncIterable<Page> {
      const since = typeof o.after?.m === 'string' ? o.after.m : null;
      const sinceId = typeof o.after?.k === 'number' ? o.after.k : null;
      let page = await client.list('Subjects', {
        $expand: 'Addresses,Communications',
        $orderby: 'ChangeInformation/ChangedOn,Id',
        ...(since ? { $filter: `ChangeInformation/ChangedOn ge ${since}` } : {}),
      });
      let cursor: Page['cursor'] = o.after ?? null;
      for (;;) {
        const records = parse(page).filter(
          (r) => !(since && r.data.ChangedOn === since && sinceId !== null && Number(r.key) <= sinceId),
        );
        const last = records[records.length - 1];
        if (last) cursor = { m: String(last.data.ChangedOn), k: Number(last.key) };
        yield { records, cursor };
        const next = page['@odata.nextLink'];
        if (!next) return;
        page = await client.next(next);
      }
    }

    return {
      system: 'abacus',
      limits: { batchSize: 20, requestsPer10s: config.requestsPer10s, concurrency: config.concurrency },
      async describe() {
        return [{ name: ABACUS_SUBJECTS, label: 'Subjects (persons)', fields: FIELDS }];
      },
      read(object, o) {
        assertObject(object);
        return o.modifiedField || o.after?.m !== undefined ? readChanged(o) : readAll(o);
      },
      async write(object, ops) {
        assertObject(object);
        return writeAbacus(client, config.referenceField, ops);
      },
      /** Initial matching and read-back by Id, Reference, EMail or an indexed subject field; one query per value. */
      async lookup(object, property, values) {
        assertObject(object);
        const hits = [];
        for (const value of values) {
          const subject = await findSubject(
            client,
            config.referenceField,
            property === 'id' ? 'Id' : property,
            value,
          );
          if (subject) {
            const record = toRecord(subject, config.referenceField);
            hits.push({ value, id: record.key, properties: record.data });
          }
        }
        return hits;
      },
      async check() {
        try {
          await tokens.token();
          await client.list('Subjects', { $top: '1', $select: 'Id' });
          return { ok: true, message: `Abacus mandant ${config.mandant} accepted the service user` };
        } catch (err) {
          return { ok: false, message: (err as Error).message };
        }
      },
    };
  },
});
