import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHubSpotEmulator, type HubSpotEmulator } from '../../emulators/hubspot/index.ts';
import { ZERO_COUNTS } from '../../src/core/types.ts';
import type { WorkspaceRole } from '../../src/core/workspaces.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import type { Store } from '../../src/store/store.ts';
import { createPeopleTable, generatePeople } from '../helpers/business-db.ts';
import { DIALECTS, type TempDatabase } from '../helpers/databases.ts';
import { eventually } from '../helpers/eventually.ts';
import { createTestServer, login } from '../helpers/server.ts';
import { openTestStore } from '../helpers/store.ts';

/**
 * Issue 21's isolation proof, both ways: every route of the OpenAPI document, called by each user and token
 * of one workspace against the other's objects (B against A, then A against B), answers 403 (role too low,
 * instance only) or exactly what it answers for an object that does not exist at all (404, or an empty
 * list) — and no answer carries a name, an id, a payload or a count of the other's. The same holds for the
 * other workspace's ids inside bodies and query strings (a mapping's connections, a task's mapping, the
 * records of a retry): every id-like field of the document's request schemas has a probe.
 */

type Needs = WorkspaceRole | 'instance' | 'self';
const RANK: Record<WorkspaceRole, number> = { admin: 0, operator: 1, viewer: 2 };

/** Values a probe fills in: A's objects, or (for the comparison) objects that do not exist anywhere. */
interface Ids {
  connection: string;
  hubspot: string;
  uploadConnection: string;
  mapping: string;
  fileMapping: string;
  task: string;
  execution: string;
  import: string;
  user: string;
  token: string;
  session: string;
  workspace: string;
}

interface Probe {
  /** What the route needs (the spec, written here on purpose rather than read from the route). */
  needs: Needs;
  /** Statuses allowed once the role suffices (default 404: another workspace's object does not exist). */
  ok?: number[];
  /** Path parameters. */
  /** `ids`: the other workspace's objects (or a ghost's); `own`: the caller's workspace's. */
  params?: (ids: Ids, own: Ids) => Record<string, string>;
  query?: (ids: Ids, own: Ids) => Record<string, string>;
  body?: (ids: Ids, own: Ids) => unknown;
  /** A multipart upload (`file` part, a small CSV) instead of a JSON body. */
  upload?: true;
  /** The same call with ids that do not exist would create something: no comparison with it. */
  createsWithGhost?: true;
  /** A server-sent-events answer: read over HTTP until the first event. */
  stream?: true;
  /** Ends or changes the session it is sent with: sent with a fresh login of the same user. */
  freshSession?: true;
}

/** Routes nobody logs in for; what they answer does not depend on a workspace. */
const OUT_OF_SCOPE: Record<string, string> = {
  'POST /api/webhooks/{connectionId}':
    "public: the connection's system signs each request; proven in test/hubspot/webhooks (no user, no workspace)",
  'POST /api/webhooks/hubspot/{connectionId}': 'public: the same receiver under its HubSpot address',
  'GET /api/oauth/callback':
    'public: the browser comes back from the system; the signed state and the nonce cookie of the browser that started it decide (test/hubspot/oauth-flow)',
};

/** What the probes upload: nobody's record. */
const CSV = 'Kundennummer,E-Mail\nK-1,probe.upload@example.ch\n';
/** A workspace's own import: its row is that workspace's, and must not reach the other. */
const importCsv = (prefix: string) => `Kundennummer,E-Mail\nK-1,${prefix}.import@example.ch\n`;
const mappingBody = (source: string, target: string) => ({
  name: 'Probe mapping',
  source: { connectionId: source, object: 'people', key: 'id', modifiedField: 'modified_at' },
  target: { connectionId: target, object: 'contacts' },
  matchKey: { target: 'email' },
  fields: [{ target: 'email', from: 'email', transform: [{ type: 'email' }] }],
});
const records = (ids: Ids) => [{ taskId: ids.task, sourceKey: '1' }];
const privacyRecord = (ids: Ids) => ({ connectionId: ids.connection, object: 'people', key: '1' });

/**
 * Every route of the OpenAPI document with what a caller of one workspace must get against the other's
 * objects. A route missing here fails the test: a new route is looked at before it ships.
 */
const PROBES: Record<string, Probe> = {
  'GET /healthz': { needs: 'self', ok: [200] },
  // One process counts the runs of every workspace: a workspace's people get the series of its own.
  'GET /metrics': { needs: 'viewer', ok: [200] },
  'GET /api/audit': { needs: 'admin', ok: [200] },
  'POST /api/auth/login': {
    needs: 'self',
    ok: [200],
    // A user of no workspace, one for each side (logins are limited per username).
    body: (_, own) => ({ username: `lone-${own.workspace}`, password: 'probe-password-1' }),
  },
  'POST /api/auth/logout': { needs: 'self', ok: [200], freshSession: true },
  'GET /api/auth/me': { needs: 'self', ok: [200] },
  // A wrong current password: nothing changes (a right one would end the caller's other sessions).
  'POST /api/auth/password': {
    needs: 'self',
    ok: [400],
    freshSession: true,
    body: () => ({ currentPassword: 'not-the-password', newPassword: 'another-password-9' }),
  },
  'GET /api/auth/tokens': { needs: 'self', ok: [200] },
  'POST /api/auth/tokens': {
    needs: 'self',
    ok: [404],
    body: (ids) => ({ name: 'probe', workspace: ids.workspace }),
  },
  'GET /api/auth/sessions': { needs: 'self', ok: [200] },
  'DELETE /api/auth/sessions/{id}': { needs: 'self', params: (ids) => ({ id: ids.session }) },
  'DELETE /api/auth/tokens/{id}': { needs: 'self', params: (ids) => ({ id: ids.token }) },
  'GET /api/connections': { needs: 'viewer', ok: [200] },
  'GET /api/connections/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.connection }) },
  // Ids are unique in the hub: taking another workspace's is refused as taken, never as "exists there".
  'PUT /api/connections/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.connection }),
    body: () => ({ name: 'Probe', system: 'sql', config: { url: 'sqlite::memory:' } }),
  },
  'DELETE /api/connections/{id}': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'POST /api/connections/{id}/test': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/connections/{id}/describe': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/connections/{id}/oauth/start': { needs: 'admin', params: (ids) => ({ id: ids.connection }) },
  'GET /api/systems': { needs: 'viewer', ok: [200] },
  'GET /api/mappings': { needs: 'viewer', ok: [200] },
  'GET /api/mappings/export': { needs: 'viewer', ok: [200] },
  'GET /api/mappings/{id}/table': {
    needs: 'viewer',
    params: (ids) => ({ id: ids.mapping }),
    query: () => ({ format: 'csv' }),
  },
  // A new mapping of the caller's own first: the taken id refuses the whole import, nothing is saved.
  'POST /api/mappings/import': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    body: (ids, own) => ({
      mappings: [
        { id: `probe-batch-${own.workspace}`, ...mappingBody(own.connection, own.hubspot) },
        { id: ids.mapping, ...mappingBody(own.connection, own.hubspot) },
      ],
    }),
  },
  // A's connections in a mapping are unknown connections: refused as for any unknown one.
  'POST /api/mappings/preview': {
    needs: 'admin',
    ok: [400],
    body: (ids) => ({ mapping: { id: 'probe', ...mappingBody(ids.connection, ids.connection) }, limit: 2 }),
  },
  'GET /api/mappings/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.mapping }) },
  'PUT /api/mappings/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.mapping }),
    body: (_, own) => mappingBody(own.connection, own.hubspot),
  },
  'DELETE /api/mappings/{id}': { needs: 'admin', params: (ids) => ({ id: ids.mapping }) },
  'GET /api/tasks': { needs: 'viewer', ok: [200] },
  'GET /api/tasks/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.task }) },
  'PUT /api/tasks/{id}': {
    needs: 'admin',
    ok: [409],
    createsWithGhost: true,
    params: (ids) => ({ id: ids.task }),
    body: (_, own) => ({ name: 'Probe', mappingId: own.mapping }),
  },
  'PATCH /api/tasks/{id}/schedule': {
    needs: 'operator',
    params: (ids) => ({ id: ids.task }),
    body: () => ({ everyMinutes: 20 }),
  },
  'DELETE /api/tasks/{id}': { needs: 'admin', params: (ids) => ({ id: ids.task }) },
  'POST /api/tasks/{id}/run': { needs: 'operator', params: (ids) => ({ id: ids.task }), body: () => ({}) },
  'POST /api/tasks/{id}/dry-run': {
    needs: 'operator',
    params: (ids) => ({ id: ids.task }),
    body: () => ({}),
  },
  'GET /api/executions': { needs: 'viewer', ok: [200], query: (ids) => ({ taskId: ids.task }) },
  'GET /api/executions/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.execution }) },
  'GET /api/executions/{id}/items': {
    needs: 'viewer',
    params: (ids) => ({ id: ids.execution }),
    query: () => ({ action: 'fail' }),
  },
  'GET /api/executions/{id}/events': {
    needs: 'viewer',
    stream: true,
    params: (ids) => ({ id: ids.execution }),
  },
  'POST /api/executions/{id}/retry': { needs: 'operator', params: (ids) => ({ id: ids.execution }) },
  'GET /api/events': { needs: 'viewer', ok: [200], stream: true },
  'GET /api/errors': { needs: 'viewer', ok: [200], query: (ids) => ({ taskId: ids.task }) },
  'GET /api/errors/count': { needs: 'viewer', ok: [200] },
  'POST /api/errors/resolve': {
    needs: 'operator',
    body: (ids) => ({ records: records(ids), state: 'resolved', note: 'probe' }),
  },
  'POST /api/errors/retry': { needs: 'operator', body: (ids) => ({ records: records(ids) }) },
  'GET /api/records/failing/count': { needs: 'viewer', ok: [200] },
  // Source keys are no workspace's ('1' may be anyone's record): B sees no link of A's under it.
  'GET /api/records/{sourceKey}/links': {
    needs: 'viewer',
    ok: [200],
    params: () => ({ sourceKey: '1' }),
    query: (ids) => ({ connection: ids.connection, object: 'people' }),
  },
  'POST /api/imports': { needs: 'admin', upload: true, query: (ids) => ({ mappingId: ids.fileMapping }) },
  'GET /api/imports/{id}': { needs: 'viewer', params: (ids) => ({ id: ids.import }) },
  'POST /api/imports/{id}/run': { needs: 'admin', params: (ids) => ({ id: ids.import }), body: () => ({}) },
  'GET /api/imports/{id}/error-file': { needs: 'viewer', params: (ids) => ({ id: ids.import }) },
  // Keeps an upload for a connection yet to be made: names nothing of any workspace.
  'POST /api/files': { needs: 'admin', ok: [201], upload: true, query: () => ({ system: 'spreadsheet' }) },
  'POST /api/files/sample': {
    needs: 'admin',
    upload: true,
    query: (ids) => ({ connectionId: ids.uploadConnection }),
  },
  'GET /api/users': { needs: 'instance' },
  'POST /api/users': {
    needs: 'instance',
    body: (ids) => ({
      username: 'probe-user',
      name: 'Probe',
      role: 'viewer',
      password: 'probe-password-1',
      workspaces: [{ id: ids.workspace, role: 'admin' }],
    }),
  },
  'PATCH /api/users/{id}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.user }),
    body: () => ({ name: 'Probe' }),
  },
  'DELETE /api/users/{id}': { needs: 'instance', params: (ids) => ({ id: ids.user }) },
  'GET /api/users/{id}/tokens': { needs: 'instance', params: (ids) => ({ id: ids.user }) },
  'DELETE /api/users/{id}/tokens/{tokenId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.user, tokenId: ids.token }),
  },
  'GET /api/workspaces': { needs: 'self', ok: [200] },
  'PUT /api/workspaces/{id}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace }),
    body: () => ({ name: 'Probe' }),
  },
  'DELETE /api/workspaces/{id}': { needs: 'instance', params: (ids) => ({ id: ids.workspace }) },
  'GET /api/workspaces/{id}/members': { needs: 'instance', params: (ids) => ({ id: ids.workspace }) },
  'PUT /api/workspaces/{id}/members/{userId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace, userId: ids.user }),
    body: () => ({ role: 'admin' }),
  },
  'DELETE /api/workspaces/{id}/members/{userId}': {
    needs: 'instance',
    params: (ids) => ({ id: ids.workspace, userId: ids.user }),
  },
  'POST /api/privacy/erasures': { needs: 'admin', body: privacyRecord },
  'POST /api/privacy/exports': { needs: 'admin', body: privacyRecord },
  'GET /api/settings': { needs: 'instance' },
  'PATCH /api/settings': { needs: 'instance', body: () => ({ retentionDays: 1 }) },
  'POST /api/settings/test-email': { needs: 'instance', body: () => ({}) },
};

/**
 * A request that is the caller's own in every part but one field, which names the other workspace's object
 * (or, for the comparison, an object no one has).
 */
interface FieldProbe {
  needs: WorkspaceRole | 'self';
  params?: (them: Ids, own: Ids) => Record<string, string>;
  query?: (them: Ids, own: Ids) => Record<string, string>;
  body?: (them: Ids, own: Ids) => unknown;
  upload?: true;
  /** Changes nothing (a preview): a missing object may be answered with success, as a read's empty list. */
  reads?: true;
}

/** A field of a request's body (`body.a.b`, `[]` for each element) or query string (`?name`) naming an object. */
const ID_FIELD = /^(id|\w+Ids?|connection|mapping|task|workspace|after)$/;

/** The caller's own mapping with one place changed to name another object. */
const MAPPING_FIELDS: Record<string, (them: Ids, own: Ids) => Record<string, unknown>> = {
  'source.connectionId': (them, own) => mappingBody(them.connection, own.hubspot),
  'target.connectionId': (them, own) => mappingBody(own.connection, them.hubspot),
  'associations[].mapping': (them, own) => ({
    ...mappingBody(own.connection, own.hubspot),
    associations: [{ object: 'companies', from: 'canton', mapping: them.mapping }],
  }),
  'assignments[].source.connectionId': (them, own) => ({
    ...mappingBody(own.connection, own.hubspot),
    assignments: [
      { source: { connectionId: them.connection }, fields: [{ target: 'email', from: 'email' }] },
    ],
  }),
  'assignments[].target.connectionId': (them, own) => ({
    ...mappingBody(own.connection, own.hubspot),
    assignments: [{ target: { connectionId: them.hubspot }, fields: [{ target: 'email', from: 'email' }] }],
  }),
};

/**
 * Every id-like field of every request schema in the OpenAPI document, with a request that puts the other
 * workspace's id there. A field missing here (and from FIELDS_OUT_OF_SCOPE) fails the test.
 */
const FIELD_PROBES: Record<string, FieldProbe> = {
  ...Object.fromEntries(
    Object.entries(MAPPING_FIELDS).flatMap(([field, mapping]) => [
      [
        `PUT /api/mappings/{id} body.${field}`,
        { needs: 'admin', params: (_, own) => ({ id: `probe-mapping-${own.workspace}` }), body: mapping },
      ],
      [
        `POST /api/mappings/import body.mappings[].${field}`,
        {
          needs: 'admin',
          body: (them, own) => ({
            mappings: [{ id: `probe-mapping-${own.workspace}`, ...mapping(them, own) }],
          }),
        },
      ],
      [
        `POST /api/mappings/preview body.mapping.${field}`,
        {
          needs: 'admin',
          body: (them, own) => ({ mapping: { id: 'probe', ...mapping(them, own) }, limit: 2 }),
        },
      ],
    ]),
  ),
  // A preview is of the mapping in the body: the id of another workspace's changes nothing it shows.
  'POST /api/mappings/preview body.mapping.id': {
    needs: 'admin',
    reads: true,
    body: (them, own) => ({
      mapping: { id: them.mapping, ...mappingBody(own.connection, own.hubspot) },
      limit: 2,
    }),
  },
  'PUT /api/tasks/{id} body.mappingId': {
    needs: 'admin',
    params: (_, own) => ({ id: `probe-task-${own.workspace}` }),
    body: (them) => ({ name: 'Probe', mappingId: them.mapping }),
  },
  'PUT /api/tasks/{id} body.after[]': {
    needs: 'admin',
    params: (_, own) => ({ id: `probe-task-${own.workspace}` }),
    body: (them, own) => ({ name: 'Probe', mappingId: own.mapping, after: [own.task, them.task] }),
  },
  'GET /api/executions ?taskId': { needs: 'viewer', query: (them) => ({ taskId: them.task }) },
  'GET /api/errors ?taskId': { needs: 'viewer', query: (them) => ({ taskId: them.task }) },
  // The caller's own record first: one foreign task refuses the whole request, the own record untouched.
  'POST /api/errors/resolve body.records[].taskId': {
    needs: 'operator',
    body: (them, own) => ({
      records: [...records(own), ...records(them)],
      state: 'resolved',
      note: 'probe',
    }),
  },
  'POST /api/errors/retry body.records[].taskId': {
    needs: 'operator',
    body: (them, own) => ({ records: [...records(own), ...records(them)] }),
  },
  'GET /api/records/{sourceKey}/links ?connection': {
    needs: 'viewer',
    params: () => ({ sourceKey: '1' }),
    query: (them) => ({ connection: them.connection, object: 'people' }),
  },
  'POST /api/imports ?mappingId': {
    needs: 'admin',
    upload: true,
    query: (them) => ({ mappingId: them.fileMapping }),
  },
  'POST /api/files/sample ?connectionId': {
    needs: 'admin',
    upload: true,
    query: (them) => ({ connectionId: them.uploadConnection }),
  },
  'POST /api/privacy/erasures body.connectionId': { needs: 'admin', body: privacyRecord },
  'POST /api/privacy/exports body.connectionId': { needs: 'admin', body: privacyRecord },
  'POST /api/auth/tokens body.workspace': {
    needs: 'self',
    body: (them) => ({ name: 'probe', workspace: them.workspace }),
  },
};

/** Id-like fields that name no object of a workspace, or that no workspace's user reaches. */
const FIELDS_OUT_OF_SCOPE: Record<string, string> = {
  ...Object.fromEntries(
    [
      'PUT /api/mappings/{id} body.',
      'POST /api/mappings/import body.mappings[].',
      'POST /api/mappings/preview body.mapping.',
    ]
      .flatMap((prefix) => [`${prefix}writeBack.externalId`, `${prefix}assignments[].writeBack.externalId`])
      .map((k) => [k, "a field of the target system's records (where its id goes), no object of Junction's"]),
  ),
  'POST /api/mappings/import body.mappings[].id':
    "the id it saves under: another workspace's is refused as taken (PROBES; DESIGN: ids unique in the hub)",
  'POST /api/users body.workspaces[].id':
    'the instance administrator only (PROBES: 403 for every workspace user)',
};

/** The parts of an OpenAPI operation the field walk reads. */
interface OpenApiOperation {
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: JsonSchema | boolean;
}

/**
 * Every field of the document's request schemas (query parameters, JSON bodies) whose name says it names
 * an object: `PUT /api/tasks/{id} body.mappingId`, `GET /api/errors ?taskId`. Only strings and lists of
 * strings: an object (a whole mapping in `body.mapping`) is walked into instead.
 */
function idFields(doc: { paths: Record<string, Record<string, OpenApiOperation>> }): string[] {
  const found = new Set<string>();
  const isString = (s: JsonSchema): boolean =>
    s.type === 'string' ||
    (Array.isArray(s.type) && s.type.includes('string')) ||
    [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(isString);
  const walk = (route: string, s: JsonSchema | undefined, at: string, name: string): void => {
    if (!s) return;
    if (ID_FIELD.test(name) && (isString(s) || (s.items && isString(s.items))))
      found.add(`${route} ${at}${s.items ? '[]' : ''}`);
    for (const x of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) walk(route, x, at, name);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(route, v, `${at}.${k}`, k);
    if (s.items) walk(route, s.items, `${at}[]`, '');
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      walk(route, s.additionalProperties, `${at}{}`, '');
  };
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops)) {
      const route = `${method.toUpperCase()} ${path}`;
      for (const p of op.parameters ?? [])
        if (p.in === 'query' && ID_FIELD.test(p.name)) found.add(`${route} ?${p.name}`);
      walk(route, op.requestBody?.content?.['application/json']?.schema, 'body', '');
    }
  return [...found].sort();
}

function multipart(file: { name: string; content: string }) {
  const boundary = `----junction${randomUUID().slice(0, 8)}`;
  return {
    payload: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n--${boundary}--\r\n`,
    ),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

interface Caller {
  name: string;
  role: WorkspaceRole;
  kind: 'session' | 'token';
  headers: Record<string, string>;
  /** A new session of the same user (for routes that end or change the one they are sent with). */
  fresh(): Promise<Record<string, string>>;
}

interface Answer {
  status: number;
  body: string;
}

/** One workspace of the two, as the other side sees it: what it has, who works in it, what must not leak. */
interface Side {
  workspace: string;
  /** The workspace's name. */
  name: string;
  /** Ids and names start with it (`alpha-erp`, `Alpha ERP`). */
  prefix: string;
  ids: Ids;
  /** What only this workspace has: none of it may reach the other's callers (unless they sent it). */
  secrets: string[];
  /** Its users of every role, each with a session and a token. */
  callers: Caller[];
  /** Its administrator, logged in: what this workspace sees of itself. */
  admin: { cookie: string; csrf: string };
}

for (const dialect of DIALECTS) {
  describe(`workspace isolation over every API route (${dialect.name})`, () => {
    const businessDbs: TempDatabase[] = [];
    let storeDb: TempDatabase;
    let store: Store;
    let hs: HubSpotEmulator;
    let app: FastifyInstance;
    let base: string;
    let skip: string | undefined;
    const alpha = { workspace: 'a', prefix: 'alpha', callers: [] } as unknown as Side;
    const beta = { workspace: 'b', prefix: 'beta', callers: [] } as unknown as Side;
    /** Who probes whom: B's callers against A's objects, and A's against B's. */
    const DIRECTIONS = [
      { callers: beta, them: alpha },
      { callers: alpha, them: beta },
    ];
    const ghost: Ids = {
      connection: 'ghost-erp',
      hubspot: 'ghost-hubspot',
      uploadConnection: 'ghost-upload',
      mapping: 'ghost-people',
      fileMapping: 'ghost-file',
      task: 'ghost-sync',
      execution: randomUUID(),
      import: randomUUID(),
      user: randomUUID(),
      token: 'ghosttokenid1',
      session: 'ghost-session',
      workspace: 'zzz',
    };

    type Send = (o: {
      method: string;
      url: string;
      headers?: Record<string, string>;
      payload?: unknown;
    }) => Promise<LightMyRequestResponse>;
    let inject: Send;
    const as = (workspace: string, cookie: string, csrf: string) => ({
      send: (method: string, url: string, payload?: unknown) =>
        inject({
          method,
          url,
          headers: { cookie, 'x-csrf-token': csrf, 'x-junction-workspace': workspace },
          ...(payload === undefined ? {} : { payload }),
        }),
    });
    const ok = (res: LightMyRequestResponse, status = 200) => {
      assert.equal(res.statusCode, status, `${res.statusCode} ${res.body}`);
      return res.body ? res.json() : null;
    };
    const upload = (
      url: string,
      headers: Record<string, string>,
      file: { name: string; content: string },
    ) => {
      const form = multipart(file);
      return inject({ method: 'POST', url, payload: form.payload, headers: { ...headers, ...form.headers } });
    };

    /**
     * One workspace with everything a route can name: connections, mappings, a task with a finished run
     * that failed one record, an uploaded import, users of every role with a session and a token each.
     */
    const seed = async (
      side: Side,
      label: string,
      workspaceName: string,
      inWs: ReturnType<typeof as>,
      hubspotUrl: string,
    ) => {
      const p = side.prefix;
      side.name = workspaceName;
      const business = await dialect.create();
      businessDbs.push(business);
      // Each workspace's own people (their e-mails are its secrets); the first fails in HubSpot.
      const people = generatePeople(5).map((x) => ({ ...x, email: x.email.replace('Person', label) }));
      await createPeopleTable(business, people);
      ok(
        await inWs.send('PUT', `/api/connections/${p}-erp`, {
          name: `${label} ERP`,
          system: 'sql',
          config: { url: business.url },
        }),
      );
      ok(
        await inWs.send('PUT', `/api/connections/${p}-hubspot`, {
          name: `${label} HubSpot`,
          system: 'hubspot',
          config: { baseUrl: hubspotUrl },
          secret: { accessToken: 'tok' },
        }),
      );
      ok(
        await inWs.send('PUT', `/api/connections/${p}-upload`, {
          name: `${label} Uploads`,
          system: 'spreadsheet',
          config: {},
        }),
      );
      ok(
        await inWs.send('PUT', `/api/mappings/${p}-people`, {
          ...mappingBody(`${p}-erp`, `${p}-hubspot`),
          name: `${label} People`,
        }),
      );
      ok(
        await inWs.send('PUT', `/api/mappings/${p}-file`, {
          name: `${label} File Import`,
          source: { connectionId: `${p}-upload`, object: 'Kunden', key: 'Kundennummer' },
          target: { connectionId: `${p}-hubspot`, object: 'contacts' },
          matchKey: { target: 'email' },
          fields: [{ target: 'email', from: 'E-Mail', transform: [{ type: 'email' }] }],
        }),
      );
      ok(await inWs.send('PUT', `/api/tasks/${p}-sync`, { name: `${label} Sync`, mappingId: `${p}-people` }));
      const { executionId } = ok(await inWs.send('POST', `/api/tasks/${p}-sync/run`, {}), 202);
      const run = await eventually(
        `${label}'s run ends`,
        async () => {
          const r = ok(await inWs.send('GET', `/api/executions/${executionId}`));
          return r.status !== 'running' && r.status !== 'queued' && r;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      assert.equal(run.status, 'warning', 'one of the records failed');
      const imported = ok(
        await upload(
          `/api/imports?mappingId=${p}-file`,
          {
            cookie: side.admin.cookie,
            'x-csrf-token': side.admin.csrf,
            'x-junction-workspace': side.workspace,
          },
          { name: `${p}-kunden.csv`, content: importCsv(p) },
        ),
        201,
      );

      // Users of every role; each logs in and makes a token of their role there.
      const password = 'member-password-1';
      const passwordHash = await hashPassword(password);
      let adminUser: { id: string } | undefined;
      let adminToken: { id: string } | undefined;
      let adminSession: { id: string } | undefined;
      for (const role of ['admin', 'operator', 'viewer'] as const) {
        const username = `${p}-${role}`;
        const user = await store.users.create({
          username,
          name: `${label} ${role}`,
          role: 'viewer',
          passwordHash,
          workspaces: [{ id: side.workspace, role }],
        });
        const session = await login(app, { username, password });
        const token = ok(await session.send('POST', '/api/auth/tokens', { name: `${username} script` }), 201);
        assert.equal(token.workspaceId, side.workspace);
        assert.equal(token.role, role);
        if (role === 'admin') {
          adminUser = user;
          adminToken = token;
          [adminSession] = ok(await session.get('/api/auth/sessions')).sessions;
          side.admin = { cookie: session.cookie, csrf: session.csrf };
        }
        const fresh = async () => {
          const s = await login(app, { username, password });
          return { cookie: s.cookie, 'x-csrf-token': s.csrf };
        };
        side.callers.push(
          {
            name: `${username} (session)`,
            role,
            kind: 'session',
            headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
            fresh,
          },
          {
            name: `${username} (token)`,
            role,
            kind: 'token',
            headers: { authorization: `Bearer ${token.token}` },
            fresh: async () => ({ authorization: `Bearer ${token.token}` }),
          },
        );
      }
      assert.ok(adminUser && adminToken && adminSession);
      side.ids = {
        connection: `${p}-erp`,
        hubspot: `${p}-hubspot`,
        uploadConnection: `${p}-upload`,
        mapping: `${p}-people`,
        fileMapping: `${p}-file`,
        task: `${p}-sync`,
        execution: executionId,
        import: imported.id,
        user: adminUser.id,
        token: adminToken.id,
        session: adminSession.id,
        workspace: side.workspace,
      };
      side.secrets = [
        ...[
          'erp',
          'hubspot',
          'upload',
          'people',
          'file',
          'sync',
          'kunden',
          'admin',
          'operator',
          'viewer',
        ].map((x) => `${p}-${x}`),
        ...['ERP', 'HubSpot', 'Uploads', 'People', 'File Import', 'Sync'].map((x) => `${label} ${x}`),
        workspaceName,
        `${label.toLowerCase()}.1@example.ch`,
        `${p}.import@example.ch`,
        executionId,
        imported.id,
        adminUser.id,
        adminToken.id,
        adminSession.id,
      ];
    };

    before(async () => {
      try {
        storeDb = await dialect.create();
      } catch (err) {
        skip = `${dialect.name} not reachable: ${(err as Error).message}`;
        return;
      }
      store = await openTestStore(storeDb);
      hs = createHubSpotEmulator({
        tokens: ['tok'],
        faults: { rejectEmails: ['alpha.1@example.ch', 'beta.1@example.ch'] },
      });
      const hubspotUrl = await hs.listen();
      const server = await createTestServer(store, { liveFeed: { intervalMs: 100 } });
      app = server.app;
      inject = (o) => app.inject(o as InjectOptions);
      base = await app.listen({ port: 0, host: '127.0.0.1' });
      const admin = server.admin;
      alpha.admin = beta.admin = { cookie: admin.cookie, csrf: admin.csrf };
      ok(await admin.send('PUT', '/api/workspaces/a', { name: 'Alpha Kunde AG' }));
      ok(await admin.send('PUT', '/api/workspaces/b', { name: 'Beta GmbH' }));
      await seed(alpha, 'Alpha', 'Alpha Kunde AG', as('a', admin.cookie, admin.csrf), hubspotUrl);
      await seed(beta, 'Beta', 'Beta GmbH', as('b', admin.cookie, admin.csrf), hubspotUrl);
      // Log in for the login probe: users of no workspace, so the answer is nobody's.
      for (const ws of ['a', 'b'])
        await store.users.create({
          username: `lone-${ws}`,
          name: 'Probe',
          role: 'viewer',
          passwordHash: await hashPassword('probe-password-1'),
        });
    });
    after(async () => {
      await app?.close();
      await hs?.close();
      await store?.close();
      for (const db of businessDbs) await db.drop();
      await storeDb?.drop();
    });

    const openApi = () => app.swagger() as { paths: Record<string, Record<string, OpenApiOperation>> };
    const openApiRoutes = () =>
      Object.entries(openApi().paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
    const toUrl = (key: string, probe: Probe | FieldProbe, ids: Ids, own: Ids) => {
      const [, path = ''] = key.split(' ');
      const params = probe.params?.(ids, own) ?? {};
      const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = params[name];
        assert.ok(value, `${key}: no value for {${name}}`);
        return encodeURIComponent(value);
      });
      const query = probe.query?.(ids, own);
      return query ? `${filled}?${new URLSearchParams(query)}` : filled;
    };

    /** Reads a server-sent-events answer until its first event (or the whole answer when it is no stream). */
    const readStream = async (url: string, headers: Record<string, string>): Promise<Answer> => {
      const ac = new AbortController();
      const res = await fetch(`${base}${url}`, { headers, signal: ac.signal });
      let body = '';
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          body += decoder.decode(chunk, { stream: true });
          if (res.headers.get('content-type') === 'text/event-stream' && body.includes('\n\n')) break;
        }
      } finally {
        ac.abort();
      }
      return { status: res.status, body };
    };

    /** Opens the live feed and keeps everything it says until `stop()`. */
    const listen = async (headers: Record<string, string>) => {
      const ac = new AbortController();
      const res = await fetch(`${base}/api/events`, { headers, signal: ac.signal });
      assert.equal(res.status, 200);
      const feed = { text: '', stop: () => ac.abort(), ended: Promise.resolve() };
      feed.ended = (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
            feed.text += decoder.decode(chunk, { stream: true });
        } catch (err) {
          if (!ac.signal.aborted) throw err;
        }
      })();
      await eventually('the snapshot', () => feed.text.includes('event: snapshot'));
      return feed;
    };

    const call = async (
      key: string,
      probe: Probe | FieldProbe,
      ids: Ids,
      own: Ids,
      caller: Caller,
    ): Promise<Answer> => {
      const [method = 'GET'] = key.split(' ');
      const url = toUrl(key, probe, ids, own);
      const headers =
        'freshSession' in probe && probe.freshSession ? await caller.fresh() : { ...caller.headers };
      if ('stream' in probe && probe.stream) return readStream(url, headers);
      if (probe.upload) {
        const res = await upload(url, headers, { name: 'probe.csv', content: CSV });
        return { status: res.statusCode, body: res.body };
      }
      const body = probe.body?.(ids, own);
      const res = await inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) });
      return { status: res.statusCode, body: res.body };
    };

    /** The answer with the ids the request named replaced, so the other's and a ghost's answers compare. */
    const normalise = (text: string, ids: Ids) =>
      Object.entries(ids)
        .sort(([, a], [, b]) => b.length - a.length)
        // A one-letter workspace id only where it is quoted as one, not inside every word.
        .reduce(
          (t, [k, v]) => (v.length < 4 ? t.split(`'${v}'`).join(`'<${k}>'`) : t.split(v).join(`<${k}>`)),
          text,
        );

    /**
     * Nothing of the callers' own workspace was done on the way to a refusal: its error still open, its
     * record not marked for retry, no further run, no new task or mapping.
     */
    const assertUntouched = async (side: Side) => {
      const inSide = as(side.workspace, side.admin.cookie, side.admin.csrf);
      const get = async (url: string) => ok(await inSide.send('GET', url));
      assert.deepEqual(await get('/api/errors/count'), { open: 1 });
      assert.deepEqual(await get('/api/records/failing/count'), { failed: 1, retry: 0 });
      assert.deepEqual(
        (await get('/api/executions')).executions.map((x: { id: string }) => x.id),
        [side.ids.execution],
      );
      assert.deepEqual(
        (await get('/api/tasks')).tasks.map((x: { id: string }) => x.id),
        [side.ids.task],
      );
      assert.deepEqual(
        (await get('/api/mappings')).mappings.map((x: { id: string }) => x.id).sort(),
        [side.ids.fileMapping, side.ids.mapping].sort(),
      );
    };

    const leaks = (answer: Answer, sent: string, them: Side) =>
      them.secrets.filter(
        (s) => answer.body.toLowerCase().includes(s.toLowerCase()) && !sent.includes(s.toLowerCase()),
      );

    /** What a probe sent, to tell an echo of the request from a leak. */
    const sentIn = (key: string, probe: Probe | FieldProbe, ids: Ids, own: Ids) =>
      `${toUrl(key, probe, ids, own)} ${JSON.stringify(probe.body?.(ids, own) ?? '')}`.toLowerCase();

    test('the OpenAPI document lists every route, and every listed route has a probe or a reason', (t) => {
      if (skip) return t.skip(skip);
      const documented = new Set(openApiRoutes());
      const undocumented = app.routeList
        .filter((r) => !r.url.startsWith('/docs'))
        .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
        .filter((k) => !documented.has(k));
      assert.deepEqual(undocumented, [], 'routes missing from the OpenAPI document');
      const unprobed = [...documented].filter((k) => !PROBES[k] && !OUT_OF_SCOPE[k]);
      assert.deepEqual(
        unprobed,
        [],
        'routes without a probe: add one to PROBES (or a reason to OUT_OF_SCOPE)',
      );
      const stale = Object.keys({ ...PROBES, ...OUT_OF_SCOPE }).filter((k) => !documented.has(k));
      assert.deepEqual(stale, [], 'probes of routes that are gone');
    });

    test('every id-like field of a request schema has a probe that names the other workspace there', (t) => {
      if (skip) return t.skip(skip);
      const fields = idFields(openApi());
      // The walk finds what it should: a known field of each kind.
      for (const known of ['PUT /api/tasks/{id} body.mappingId', 'GET /api/errors ?taskId'])
        assert.ok(fields.includes(known), `${known} among ${fields.join(', ')}`);
      const unprobed = fields.filter((k) => !FIELD_PROBES[k] && !FIELDS_OUT_OF_SCOPE[k]);
      assert.deepEqual(
        unprobed,
        [],
        'id-like request fields without a probe: add one to FIELD_PROBES (or a reason to FIELDS_OUT_OF_SCOPE)',
      );
      const stale = Object.keys({ ...FIELD_PROBES, ...FIELDS_OUT_OF_SCOPE }).filter(
        (k) => !fields.includes(k),
      );
      assert.deepEqual(stale, [], 'probes of fields that are gone');
    });

    for (const { callers: mine, them } of DIRECTIONS) {
      const who = `${mine.workspace.toUpperCase()}'s`;
      const whose = `${them.workspace.toUpperCase()}'s`;

      test(`each ${mine.workspace.toUpperCase()} user and token gets 403 or exactly a missing object's answer for ${whose} objects, never ${whose} data`, async (t) => {
        if (skip) return t.skip(skip);
        const failures: string[] = [];
        for (const key of openApiRoutes()) {
          const probe = PROBES[key];
          if (!probe) continue;
          for (const caller of mine.callers) {
            const where = `${key} as ${caller.name}`;
            const answer = await call(key, probe, them.ids, mine.ids, caller);
            const leaked = leaks(answer, sentIn(key, probe, them.ids, mine.ids), them);
            if (leaked.length)
              failures.push(
                `${where}: ${answer.status} carries ${leaked.join(', ')}: ${answer.body.slice(0, 300)}`,
              );
            const refused =
              probe.needs === 'instance' || (probe.needs !== 'self' && RANK[caller.role] > RANK[probe.needs]);
            const expected = refused ? [403] : (probe.ok ?? [404]);
            // The account itself is managed logged in, never with a token (auth.ts sessionOnly).
            const sessionOnly =
              caller.kind === 'token' &&
              /^(GET|POST|DELETE) \/api\/auth\/(password|tokens|sessions)/.test(key);
            const allowed = sessionOnly ? [403] : expected;
            if (!allowed.includes(answer.status)) {
              failures.push(
                `${where}: ${answer.status} (expected ${allowed.join(' or ')}): ${answer.body.slice(0, 300)}`,
              );
              continue;
            }
            // What would another workspace's id tell? Exactly what an id no one has tells.
            if (probe.createsWithGhost || answer.status === 403) continue;
            if (sentIn(key, probe, them.ids, mine.ids) === sentIn(key, probe, ghost, mine.ids)) continue;
            const other = await call(key, probe, ghost, mine.ids, caller);
            const theirs = normalise(answer.body, them.ids);
            const nobodys = normalise(other.body, ghost);
            if (other.status !== answer.status || theirs !== nobodys)
              failures.push(
                `${where}: ${whose} object answers ${answer.status} ${theirs.slice(0, 200)}, a missing one ${other.status} ${nobodys.slice(0, 200)}`,
              );
          }
        }
        assert.deepEqual(failures, []);
        await assertUntouched(mine);
      });

      test(`${whose} id inside a body or query string is answered as an id no one has, and ${who} own request is not half done`, async (t) => {
        if (skip) return t.skip(skip);
        const failures: string[] = [];
        for (const [key, probe] of Object.entries(FIELD_PROBES)) {
          const route = key.split(' ').slice(0, 2).join(' ');
          // The id is what is probed, not the caller (the routes above prove every role and token): the
          // session of the lowest role that may call the route.
          const lowest = probe.needs === 'self' ? 'viewer' : probe.needs;
          const caller = mine.callers.find((c) => c.kind === 'session' && c.role === lowest);
          assert.ok(caller);
          const where = `${key} as ${caller.name}`;
          // Side by side, to keep the run short: they name different ids, and the one no one has is refused
          // whatever the other request does.
          const [answer, other] = await Promise.all([
            call(route, probe, them.ids, mine.ids, caller),
            call(route, probe, ghost, mine.ids, caller),
          ]);
          const leaked = leaks(answer, sentIn(route, probe, them.ids, mine.ids), them);
          if (leaked.length)
            failures.push(
              `${where}: ${answer.status} carries ${leaked.join(', ')}: ${answer.body.slice(0, 300)}`,
            );
          // Only a read may answer a missing object with success (an empty list); a change must refuse it.
          if (other.status < 400 && !probe.reads && !route.startsWith('GET '))
            failures.push(
              `${where}: a missing object is accepted (${other.status}): the probe proves nothing`,
            );
          const theirs = normalise(answer.body, them.ids);
          const nobodys = normalise(other.body, ghost);
          // A refusal must be about the id: one for another reason (a wrong body) would prove nothing.
          if (other.status >= 400 && !/<\w+>/.test(nobodys))
            failures.push(`${where}: the refusal does not name the id: ${nobodys.slice(0, 300)}`);
          if (other.status !== answer.status || theirs !== nobodys)
            failures.push(
              `${where}: ${whose} id answers ${answer.status} ${theirs.slice(0, 300)}, a missing one ${other.status} ${nobodys.slice(0, 300)}`,
            );
        }
        assert.deepEqual(failures, []);
        await assertUntouched(mine);
      });

      test(`naming workspace ${them.workspace.toUpperCase()} (header or ?workspace=) is answered as naming one that does not exist, on every route`, async (t) => {
        if (skip) return t.skip(skip);
        const failures: string[] = [];
        for (const key of openApiRoutes()) {
          const probe = PROBES[key];
          // Public routes (login, health) take no workspace.
          if (!probe || key === 'POST /api/auth/login' || key === 'GET /healthz') continue;
          for (const caller of mine.callers) {
            // Compared with the wording for a workspace no one has (the resolver's one answer for both).
            for (const workspace of [them.workspace]) {
              const [method = 'GET'] = key.split(' ');
              const url = toUrl(key, probe, them.ids, mine.ids);
              // The header for every caller; the query string (the live feed's way) for the administrator's session.
              const asked: { url: string; headers: Record<string, string> }[] = [
                { url, headers: { ...caller.headers, 'x-junction-workspace': workspace } },
              ];
              if (caller.kind === 'session' && caller.role === 'admin')
                asked.push({
                  url: `${url}${url.includes('?') ? '&' : '?'}workspace=${workspace}`,
                  headers: caller.headers,
                });
              for (const ask of asked) {
                const res = await inject({ method, ...ask });
                const message = res.statusCode === 404 ? res.json().error.message : res.body;
                if (res.statusCode !== 404 || message !== `workspace '${workspace}' does not exist`)
                  failures.push(
                    `${key} as ${caller.name} in '${workspace}' (${ask.url}): ${res.statusCode} ${res.body.slice(0, 200)}`,
                  );
              }
            }
          }
        }
        assert.deepEqual(failures, []);
      });
    }

    for (const { callers: mine, them } of DIRECTIONS) {
      const who = `${mine.workspace.toUpperCase()}'s`;
      const whose = `${them.workspace.toUpperCase()}'s`;
      test(`${who} lists and counts hold only ${who}: no run, error, link or audit entry of ${whose}`, async (t) => {
        if (skip) return t.skip(skip);
        for (const caller of mine.callers) {
          const get = async (url: string) => {
            const res = await inject({ method: 'GET', url, headers: caller.headers });
            assert.equal(res.statusCode, 200, `${url} as ${caller.name}: ${res.body}`);
            const leaked = leaks({ status: 200, body: res.body }, '', them);
            assert.deepEqual(leaked, [], `${url} as ${caller.name}: ${res.body.slice(0, 300)}`);
            return res.json();
          };
          // Each workspace has one failing record of its own: a count of both would be 2.
          assert.deepEqual(await get('/api/errors/count'), { open: 1 }, caller.name);
          assert.deepEqual(await get('/api/records/failing/count'), { failed: 1, retry: 0 }, caller.name);
          assert.deepEqual(
            (await get('/api/executions')).executions.map((x: { id: string }) => x.id),
            [mine.ids.execution],
            caller.name,
          );
          assert.equal((await get('/api/errors')).total, 1, caller.name);
          // Both ways to ask for a record's links: by its key alone, and in one source connection.
          assert.deepEqual(
            (await get('/api/records/1/links')).links.map(
              (l: { sourceConnectionId: string }) => l.sourceConnectionId,
            ),
            [mine.ids.connection],
            caller.name,
          );
          assert.deepEqual(
            (await get(`/api/records/1/links?connection=${them.ids.connection}&object=people`)).links,
            [],
            caller.name,
          );
          assert.deepEqual(
            (await get('/api/tasks')).tasks.map((x: { id: string }) => x.id),
            [mine.ids.task],
            caller.name,
          );
          assert.deepEqual(
            (await get('/api/connections')).connections.map((x: { id: string }) => x.id).sort(),
            [mine.ids.connection, mine.ids.hubspot, mine.ids.uploadConnection].sort(),
            caller.name,
          );
          assert.deepEqual(
            (await get('/api/mappings')).mappings.map((x: { id: string }) => x.id).sort(),
            [mine.ids.fileMapping, mine.ids.mapping].sort(),
            caller.name,
          );
          assert.deepEqual(
            (await get('/api/workspaces')).workspaces.map((w: { id: string }) => w.id),
            [mine.workspace],
            caller.name,
          );
          if (caller.role === 'admin') await get('/api/audit');
        }
      });
    }

    for (const { callers: mine, them } of DIRECTIONS) {
      const who = `${mine.workspace.toUpperCase()}'s`;
      const whose = `${them.workspace.toUpperCase()}'s`;
      test(`${whose} objects, run, errors and links are all still there after ${who} attempts`, async (t) => {
        if (skip) return t.skip(skip);
        const inThem = as(them.workspace, them.admin.cookie, them.admin.csrf);
        const get = async (url: string) => ok(await inThem.send('GET', url));
        assert.deepEqual(await get('/api/errors/count'), { open: 1 });
        assert.deepEqual(await get('/api/records/failing/count'), { failed: 1, retry: 0 });
        assert.equal((await get('/api/executions')).executions.length, 1);
        const [link, ...more] = (await get('/api/records/1/links')).links;
        assert.equal(more.length, 0);
        assert.equal(link?.status, 'failed', 'not erased, not marked for retry');
        assert.deepEqual(
          (await get('/api/tasks')).tasks.map((x: { id: string; name: string; after?: string[] }) => [
            x.id,
            x.name,
            x.after ?? [],
          ]),
          [[them.ids.task, them.name === 'Beta GmbH' ? 'Beta Sync' : 'Alpha Sync', []]],
        );
        assert.equal((await get('/api/connections')).connections.length, 3);
        assert.equal((await get('/api/mappings')).mappings.length, 2);
        assert.equal((await get(`/api/imports/${them.ids.import}`)).status, 'validated');
        // Nothing was resolved, erased or exported in their name.
        const audit = (await get('/api/audit')).entries as { kind: string }[];
        assert.deepEqual(
          audit.filter((e) => ['erasure', 'export', 'error_resolved'].includes(e.kind)),
          [],
        );
        // The metrics the other side got without these series still hold them here.
        const metrics = await inThem.send('GET', '/metrics');
        assert.match(
          metrics.body,
          new RegExp(`junction_runs_total\\{task="${them.ids.task}",status="warning"\\} 1`),
        );
        assert.equal((await store.workspaces.get(them.workspace)).name, them.name);
      });
    }

    // Last: each adds a run to the history of the workspace it listens to.
    for (const { callers: mine, them } of DIRECTIONS) {
      const who = `${mine.workspace.toUpperCase()}'s`;
      const whose = `${them.workspace.toUpperCase()}'s`;
      test(`${who} live feeds hear nothing of ${whose} runs, while ${whose} hears them`, async (t) => {
        if (skip) return t.skip(skip);
        const theirHeaders = { cookie: them.admin.cookie };
        const feeds = await Promise.all(mine.callers.map((c) => listen(c.headers)));
        const theirFeed = await listen(theirHeaders);
        const { execution } = await store.executions.begin({
          taskId: them.ids.task,
          trigger: 'schedule',
          owner: 'test:1',
          staleAfterMs: 60_000,
        });
        await eventually(`${whose} run begins in ${whose} feed`, () => theirFeed.text.includes(execution.id));
        // Opened while their run is in flight: their snapshot has it, ours has not.
        const late = await listen(mine.callers[0]?.headers ?? {});
        const theirLate = await listen(theirHeaders);
        assert.match(theirLate.text, new RegExp(execution.id));
        await store.executions.finish({
          executionId: execution.id,
          taskId: them.ids.task,
          status: 'succeeded',
          counts: { ...ZERO_COUNTS, read: 3 },
        });
        await eventually(`${whose} run ends in ${whose} feed`, () =>
          theirFeed.text.includes('"status":"succeeded"'),
        );
        const all = [...feeds, late, theirFeed, theirLate];
        for (const feed of all) feed.stop();
        await Promise.all(all.map((f) => f.ended));
        for (const [i, feed] of [...feeds, late].entries()) {
          const heard = [...them.secrets, execution.id].filter((x) =>
            feed.text.toLowerCase().includes(x.toLowerCase()),
          );
          assert.deepEqual(heard, [], `feed ${i}: ${feed.text.slice(0, 300)}`);
          const runsHeard = [...feed.text.matchAll(/"taskId":"([^"]+)"/g)].map((m) => m[1]);
          assert.deepEqual(
            runsHeard.filter((task) => task !== mine.ids.task),
            [],
            `feed ${i} heard another workspace's run`,
          );
        }
      });
    }
  });
}
