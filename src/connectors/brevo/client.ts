import type { z } from 'zod';
import { AuthenticationError, RemoteError } from '../../core/errors.ts';
import type { HttpClient, HttpRequest, HttpResponse } from '../http-client.ts';
import {
  BrevoAccountSchema,
  BrevoAttributesSchema,
  type BrevoContact,
  BrevoContactSchema,
  BrevoContactsPageSchema,
  BrevoCreatedSchema,
  type BrevoErrorBody,
  BrevoErrorSchema,
  BrevoImportStartedSchema,
  BrevoProcessSchema,
} from './schemas.ts';

/** How a path identifier names a contact (`identifierType`). */
export type IdentifierType = 'email_id' | 'contact_id' | 'ext_id';

/** A Brevo answer that was not a success, parsed; `code` is `brevo_<Brevo's code>`. */
export class BrevoApiError extends RemoteError {
  constructor(
    status: number,
    readonly body: BrevoErrorBody,
  ) {
    super(
      `Brevo answered ${status} ${body.code}: ${body.message || 'no message'}`,
      status,
      status === 429 || status >= 500,
      { code: `brevo_${body.code}` },
    );
  }
}

function errorBody(res: HttpResponse): BrevoErrorBody {
  const parsed = BrevoErrorSchema.safeParse(res.body);
  if (parsed.success && parsed.data.code !== 'error') return parsed.data;
  const code =
    res.status === 429 ? 'too_many_requests' : res.status >= 500 ? 'server_error' : `http_${res.status}`;
  return { code, message: typeof res.body === 'string' ? res.body.slice(0, 300) : '' };
}

function check(res: HttpResponse, ok: number[]): void {
  if (res.status === 401 || res.status === 403) {
    const body = errorBody(res);
    throw new AuthenticationError(
      `Brevo rejected the API key (${res.status} ${body.code}): ${body.message}`,
      res.status,
      false,
    );
  }
  if (!ok.includes(res.status)) throw new BrevoApiError(res.status, errorBody(res));
}

function parse<S extends z.ZodType>(res: HttpResponse, schema: S): z.infer<S> {
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) {
    throw new RemoteError(
      `Brevo answered ${res.status} with an unexpected body: ${parsed.error.message.slice(0, 300)}`,
      res.status,
      false,
      {
        code: 'brevo_unexpected_response',
      },
    );
  }
  return parsed.data;
}

/**
 * The Brevo v3 contact endpoints Junction uses, each a thin, parsed call. The HTTP client's limiter paces
 * them per second (Brevo counts per second, a 10-second window would let a burst of a whole window's budget
 * through at once) and follows Brevo's `x-sib-ratelimit-*` headers.
 */
export function createBrevoClient(http: HttpClient) {
  const signal = http.options.signal;
  const call = (method: string, path: string, req: HttpRequest = {}): Promise<HttpResponse> =>
    http.request(method, path, req);
  const contactPath = (identifier: string) => `/contacts/${encodeURIComponent(identifier)}`;

  return {
    /**
     * Creates a contact; with `updateEnabled` an existing one (same e-mail) is updated instead, which
     * makes the call safe to repeat. Brevo answers 201 `{ id }` for a new contact, 204 for an update.
     */
    async createContact(
      body: Record<string, unknown>,
    ): Promise<{ created: true; id: number } | { created: false }> {
      const res = await call('POST', '/contacts', { json: body, idempotent: body.updateEnabled === true });
      check(res, [201, 204]);
      return res.status === 201
        ? { created: true, id: parse(res, BrevoCreatedSchema).id }
        : { created: false };
    },

    /** Updates the contact the identifier names (204). */
    async updateContact(
      identifier: string,
      type: IdentifierType,
      body: Record<string, unknown>,
    ): Promise<void> {
      const res = await call('PUT', contactPath(identifier), { query: { identifierType: type }, json: body });
      check(res, [204]);
    },

    /** One contact, or null when Brevo does not know it. */
    async getContact(identifier: string, type: IdentifierType): Promise<BrevoContact | null> {
      const res = await call('GET', contactPath(identifier), { query: { identifierType: type } });
      if (res.status === 404) return null;
      check(res, [200]);
      return parse(res, BrevoContactSchema);
    },

    /** Deletes a contact; false when it was already gone. */
    async deleteContact(identifier: string, type: IdentifierType): Promise<boolean> {
      const res = await call('DELETE', contactPath(identifier), { query: { identifierType: type } });
      if (res.status === 404) return false;
      check(res, [204]);
      return true;
    },

    /** One page of contacts in creation order, optionally only those modified after `modifiedSince`. */
    async listContacts(o: {
      limit: number;
      offset: number;
      modifiedSince?: string | undefined;
      sort?: 'asc' | 'desc';
    }) {
      const res = await call('GET', '/contacts', {
        query: { limit: o.limit, offset: o.offset, modifiedSince: o.modifiedSince, sort: o.sort ?? 'asc' },
      });
      check(res, [200]);
      return parse(res, BrevoContactsPageSchema);
    },

    /**
     * Updates existing contacts in one call (`POST /contacts/batch`, 204), each named by its `id`. Brevo
     * answers all or nothing: one entry it refuses fails the whole call with that entry's error.
     */
    async batchUpdate(contacts: Record<string, unknown>[]): Promise<void> {
      const res = await call('POST', '/contacts/batch', { json: { contacts } });
      check(res, [204]);
    },

    /**
     * Starts an import (`POST /contacts/import`, 202) and returns its process id. Sending it again is
     * harmless with `updateExistingContacts` (Brevo matches rows by e-mail), so it may be retried.
     */
    async importContacts(body: Record<string, unknown>): Promise<number> {
      const res = await call('POST', '/contacts/import', {
        json: body,
        idempotent: body.updateExistingContacts !== false,
      });
      check(res, [202]);
      return parse(res, BrevoImportStartedSchema).processId;
    },

    /** A background process: its status and, once an import completed, its report files. */
    async getProcess(id: number) {
      const res = await call('GET', `/processes/${id}`);
      check(res, [200]);
      return parse(res, BrevoProcessSchema);
    },

    /**
     * A report file a completed import names. On the API's own host it is fetched like any call; a file on
     * another host (Brevo's storage) is fetched without the API key, which must not leave for other hosts.
     */
    async report(url: string): Promise<string> {
      const base = new URL(http.options.baseUrl);
      const target = new URL(url, base);
      if (target.origin === base.origin) {
        // An absolute URL as the path: the HTTP client resolves it against the base URL, so it stays as is.
        const res = await call('GET', target.href);
        check(res, [200]);
        return typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
      }
      const res = await fetch(target, { signal: signal ?? null });
      if (!res.ok)
        throw new RemoteError(
          `Brevo's import report ${target.href} answered ${res.status}`,
          res.status,
          res.status >= 500,
          { code: 'brevo_report_unavailable' },
        );
      return res.text();
    },

    async attributes() {
      const res = await call('GET', '/contacts/attributes');
      check(res, [200]);
      return parse(res, BrevoAttributesSchema).attributes;
    },

    async account() {
      const res = await call('GET', '/account');
      check(res, [200]);
      return parse(res, BrevoAccountSchema);
    },
  };
}
export type BrevoClient = ReturnType<typeof createBrevoClient>;
