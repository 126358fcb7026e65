import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { createFileAccess } from '../../src/connectors/file-access.ts';
import { createRunService } from '../../src/runs/run-service.ts';
import { buildServer, type ServerDeps } from '../../src/server/app.ts';
import { hashPassword } from '../../src/server/auth/passwords.ts';
import { createMetrics } from '../../src/server/metrics.ts';
import type { Store } from '../../src/store/store.ts';

export const ADMIN = { username: 'admin', password: 'admin-password-123' };
export const VIEWER = { username: 'customer', password: 'viewer-password-123' };

/** A server over a store with an admin and a viewer, and a logged-in client for each. */
export async function createTestServer(store: Store, extra: Partial<ServerDeps> = {}) {
  const log = pino({ level: 'silent' });
  const metrics = createMetrics();
  // The production path: the API starts every run through the run service (here in this process).
  const runs = await createRunService({
    store,
    log,
    runOptions: {
      onCall: metrics.onCall,
      onFinish: metrics.onFinish,
      connectorFactory: extra.connectorFactory,
    },
  });
  // Tests keep their business databases and files in temp folders: those are the allowed folders here.
  const app = await buildServer({
    store,
    log,
    runs,
    metrics,
    files: createFileAccess({ folders: [tmpdir()] }),
    importsDir: mkdtempSync(join(tmpdir(), 'junction-imports-')),
    uploadsDir: mkdtempSync(join(tmpdir(), 'junction-uploads-')),
    ...extra,
  });
  if ((await store.users.count()) === 0) {
    await store.users.create({
      username: ADMIN.username,
      name: 'Admin',
      role: 'admin',
      passwordHash: await hashPassword(ADMIN.password),
    });
    await store.users.create({
      username: VIEWER.username,
      name: 'Kunde',
      role: 'viewer',
      passwordHash: await hashPassword(VIEWER.password),
    });
  }
  return { app, runs, metrics, admin: await login(app, ADMIN), viewer: await login(app, VIEWER) };
}

export interface Client {
  get(url: string): Promise<LightMyRequestResponse>;
  send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse>;
  cookie: string;
  csrf: string;
}

/** Logs in through the API and returns a client that sends the session cookie and CSRF header. */
export async function login(
  app: FastifyInstance,
  who: { username: string; password: string },
): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: who });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const csrf = res.json().csrfToken as string;
  return {
    cookie,
    csrf,
    get: (url) => app.inject({ method: 'GET', url, headers: { cookie } }),
    send: (method, url, body) =>
      app.inject({
        method,
        url,
        headers: { cookie, 'x-csrf-token': csrf },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
  };
}
