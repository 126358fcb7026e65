import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** An open server-sent-events answer. */
export interface EventStream {
  /** Sends one event (JSON data); a no-op once the stream is closed. */
  send(event: string, data: unknown): void;
  /** True once the client went away or the server is shutting down. */
  readonly closed: boolean;
  /** Resolves when the stream closes (either side). */
  readonly done: Promise<void>;
  /** Ends the stream from the server's side. */
  end(): void;
}

const OPEN = Symbol('junction.eventStreams');
type WithStreams = FastifyInstance & { [OPEN]?: Set<EventStream> };

/**
 * Streams of this server end when it shuts down: `app.close()` would otherwise wait for every open
 * dashboard tab (an SSE answer never finishes by itself). Call once per app.
 */
export function installEventStreams(app: FastifyInstance): void {
  const open = new Set<EventStream>();
  (app as WithStreams)[OPEN] = open;
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.end();
  });
}

/**
 * Turns a request into a server-sent-events stream: takes the answer over from Fastify, keeps proxies
 * from buffering it and sends a comment every `keepAliveMs` so idle connections are not cut.
 */
export function openEventStream(
  app: FastifyInstance,
  req: FastifyRequest,
  reply: FastifyReply,
  o: { keepAliveMs?: number } = {},
): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const registry = (app as WithStreams)[OPEN];
  let closed = false;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const keepAlive = setInterval(() => {
    if (!closed) res.write(': keep-alive\n\n');
  }, o.keepAliveMs ?? 25_000);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    registry?.delete(stream);
    resolveDone();
  };
  const stream: EventStream = {
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    get closed() {
      return closed;
    },
    done,
    end() {
      close();
      res.end();
    },
  };
  registry?.add(stream);
  req.raw.on('close', close);
  return stream;
}
