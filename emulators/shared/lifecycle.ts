/**
 * Server plumbing shared by the emulators: the latency / hang / 5xx fault hook step, and the
 * listen/close lifecycle that releases requests held by the timeout fault.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorFaults, SeededFaultInjector } from './faults.ts';

/** Release functions of requests held by the timeout fault, so that close() does not wait for them. */
export type HeldRequests = Set<() => void>;

/** The counters the fault step updates. */
export interface FaultStats {
  /** Requests failed on purpose with a 5xx. */
  serverErrors: number;
  /** Requests held until the socket was closed. */
  timeouts: number;
}

/** What the fault step needs from an emulator's server deps. */
export interface FaultDeps {
  faults: SeededFaultInjector<EmulatorFaults>;
  stats: FaultStats;
  held: HeldRequests;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Holds the request without answering until the fault's time is up or the client goes away.
async function hang(request: FastifyRequest, reply: FastifyReply, deps: FaultDeps): Promise<void> {
  reply.hijack();
  const socket = request.raw.socket;
  await new Promise<void>((resolve) => {
    const release = () => {
      clearTimeout(timer);
      deps.held.delete(release);
      socket.off('close', release);
      resolve();
    };
    const timer = setTimeout(release, deps.faults.current.timeoutMs);
    socket.once('close', release);
    deps.held.add(release);
  });
  socket.destroy();
}

/**
 * Applies latency, then the hang and 5xx faults, in an `onRequest` hook; resolves to the reply when
 * the request was answered (or hijacked) here, or undefined to let the route run.
 */
export async function injectFaults(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: FaultDeps,
  sendFailure: (status: 500 | 502 | 503) => FastifyReply,
): Promise<FastifyReply | undefined> {
  const delay = deps.faults.latency();
  if (delay > 0) await sleep(delay);
  const paused = deps.faults.whenResumed();
  if (paused) await paused;
  if (deps.faults.shouldHang()) {
    deps.stats.timeouts++;
    await hang(request, reply, deps);
    return reply;
  }
  const failure = deps.faults.serverError();
  if (failure !== undefined) {
    deps.stats.serverErrors++;
    return sendFailure(failure);
  }
  return undefined;
}

/** The start/stop half of every emulator's public object. */
export interface ServerLifecycle {
  /** Starts listening on 127.0.0.1 and resolves to the base URL (e.g. `http://127.0.0.1:41234`). */
  listen(port?: number): Promise<string>;
  /** Stops the server, releasing requests held by the timeout fault. */
  close(): Promise<void>;
}

/** `listen` on loopback and a `close` that first releases held requests. */
export function serverLifecycle(app: FastifyInstance, held: HeldRequests): ServerLifecycle {
  return {
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('emulator has no TCP address');
      return `http://127.0.0.1:${address.port}`;
    },
    async close() {
      for (const release of [...held]) release();
      await app.close();
    },
  };
}

/** A comma-separated environment value as a list, or undefined when it names nothing. */
export function envList(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

/** Command-line runner: listens on `port`, prints `banner(baseUrl)` and closes on SIGINT/SIGTERM. */
export async function serveFromCommandLine(
  emulator: ServerLifecycle,
  port: number,
  banner: (baseUrl: string) => string,
): Promise<void> {
  const baseUrl = await emulator.listen(port);
  process.stdout.write(banner(baseUrl));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void emulator.close().then(() => process.exit(0));
    });
  }
}
