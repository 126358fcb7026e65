import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACKAGE_ROOT } from '../config/package-root.ts';

/** Where `npm run build:web` puts the dashboard. */
export const WEB_DIST = join(PACKAGE_ROOT, 'web', 'dist');

// Paths the server answers itself; everything else that no route claims belongs to the dashboard.
const SERVER_PATHS = /^\/(api|docs|healthz|metrics)(\/|$|\?)/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Junction — dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2933}
code{background:#eef1f4;padding:.1rem .35rem;border-radius:4px}</style></head>
<body><h1>The dashboard is not built yet</h1>
<p>Run <code>npm run build:web</code> in the Junction folder, then reload this page.</p>
<p>The API is up: see <a href="/docs/json">/docs/json</a> and <a href="/healthz">/healthz</a>.</p></body></html>`;

/** The file under `root` a URL path names, or null when it names none (or tries to leave `root`). */
function fileFor(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const full = resolve(root, `.${decoded}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile()
      ? full
          .slice(root.length + 1)
          .split(sep)
          .join('/')
      : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built dashboard from `root` (default web/dist): its files, and index.html for any other
 * GET that no route claims and that is not an API path (client-side routes such as /history/abc). When
 * the build is missing, those requests get a page saying how to build it.
 *
 * It works from the not-found path instead of adding routes, so the UI never appears in the API's route
 * list or OpenAPI document, and unknown /api paths keep their JSON 404.
 */
export async function registerWeb(app: FastifyInstance, options: { root?: string } = {}): Promise<void> {
  const root = resolve(options.root ?? WEB_DIST);
  const built = existsSync(join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, serve: false });

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!request.is404 || (request.method !== 'GET' && request.method !== 'HEAD') || SERVER_PATHS.test(path))
      return done();
    if (!built) {
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        // The page's own inline style is all it loads.
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        )
        .send(NOT_BUILT_PAGE);
      return;
    }
    const file = fileFor(root, path);
    // A missing asset (/assets/old-hash.js) stays a 404: answering it with HTML breaks the browser's module loading.
    if (!file && extname(path)) return done();
    const target = file ?? 'index.html';
    // Vite names assets by content hash, so they may be cached for good; index.html must always be fresh.
    const immutable = target.startsWith('assets/');
    reply.code(200).header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    reply.sendFile(target, { cacheControl: false });
  });
}
