import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, errors as undiciErrors } from 'undici';
import { CancelledError, RemoteError } from '../core/errors.ts';
import { type BudgetReport, type RateLimiter, UNLIMITED } from './rate-limiter.ts';

/** What the client tells its observer about every call (metrics, tests, benchmarks). */
export interface HttpCallInfo {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  attempt: number;
}

export interface HttpClientOptions {
  baseUrl: string;
  /** Headers for every request; a function so OAuth tokens can be refreshed between calls. */
  headers?: () => Promise<Record<string, string>> | Record<string, string>;
  limiter?: RateLimiter;
  /** Reads the system's report of its budget from a response's headers, handed to the limiter. */
  budget?: ((headers: Record<string, string | string[] | undefined>) => BudgetReport | null) | undefined;
  /** Attempts after the first for retryable failures (429, 5xx, timeouts, network). Default 5. */
  retries?: number;
  /** First back-off delay; doubles each attempt, with jitter, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Give up on one attempt after this long without a full response. Default 30 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onCall?: (info: HttpCallInfo) => void;
}

export interface HttpRequest {
  query?: Record<string, string | number | boolean | undefined | (string | number)[]>;
  json?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** False for requests that must not be sent twice (a plain create): only retried when surely unprocessed (429). */
  idempotent?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
const agents = new Map<string, Agent>();

function agentFor(origin: string): Agent {
  let agent = agents.get(origin);
  if (!agent) {
    agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
    agents.set(origin, agent);
  }
  return agent;
}

const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** True when the request surely never reached the server (no connection was made). */
function neverSent(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return UNSENT_CODES.has(e.code ?? '') || UNSENT_CODES.has(e.cause?.code ?? '');
}

/** Seconds or HTTP date in Retry-After, as milliseconds. */
export function retryAfterMs(value: string | string[] | undefined): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/**
 * The one way connectors talk HTTP: rate-limited, retried with exponential back-off and jitter,
 * honouring Retry-After, with a per-attempt timeout. Non-2xx answers are returned (the connector
 * knows the system's error body); only exhausted network failures throw.
 */
export class HttpClient {
  constructor(readonly options: HttpClientOptions) {}

  async request<T = unknown>(method: string, path: string, req: HttpRequest = {}): Promise<HttpResponse<T>> {
    const o = this.options;
    const retries = o.retries ?? 5;
    const url = new URL(path.replace(/^\//, ''), o.baseUrl.endsWith('/') ? o.baseUrl : `${o.baseUrl}/`);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const item of v) url.searchParams.append(k, String(item));
      else url.searchParams.set(k, String(v));
    }
    const body =
      req.json !== undefined
        ? JSON.stringify(req.json)
        : req.form
          ? new URLSearchParams(req.form).toString()
          : undefined;
    const contentType =
      req.json !== undefined
        ? 'application/json'
        : req.form
          ? 'application/x-www-form-urlencoded'
          : undefined;

    for (let attempt = 0; ; attempt++) {
      o.signal?.throwIfAborted();
      const permit = await (o.limiter ?? UNLIMITED).acquire(o.signal);
      const started = Date.now();
      let status = 0;
      try {
        const headers = {
          accept: 'application/json',
          ...(contentType ? { 'content-type': contentType } : {}),
          ...(o.headers ? await o.headers() : {}),
          ...req.headers,
        };
        const timeout = o.timeoutMs ?? 30_000;
        const res = await request(url, {
          method: method as 'GET',
          headers,
          body,
          dispatcher: agentFor(url.origin),
          headersTimeout: timeout,
          bodyTimeout: timeout,
          signal: o.signal,
        });
        status = res.statusCode;
        const text = await res.body.text();
        let parsed: unknown = text;
        if (text && String(res.headers['content-type'] ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        // Before the slot is released: the server counted this request in the room it reports. A 429's
        // window is handled by the pause below (Retry-After), not held for a whole interval.
        const report = o.budget?.(res.headers);
        if (report && status === 429) delete report.remaining;
        if (report) o.limiter?.report?.(report);
        permit.done();
        o.onCall?.({ method, path, status, durationMs: Date.now() - started, attempt });
        const canRetry = RETRYABLE_STATUS.has(status) && (req.idempotent !== false || status === 429);
        if (canRetry && attempt < retries) {
          // Without Retry-After, a 429 that says when its window starts over (Brevo) waits that long.
          const hinted = retryAfterMs(res.headers['retry-after']) ?? (report?.resetMs || null);
          if (status === 429) o.limiter?.pause(hinted ?? 1000);
          await this.backoff(attempt, hinted);
          continue;
        }
        return { status, headers: res.headers, body: parsed as T };
      } catch (err) {
        permit.done();
        if (o.signal?.aborted) throw new CancelledError('the run was cancelled', { cause: err });
        o.onCall?.({ method, path, status: 0, durationMs: Date.now() - started, attempt });
        const timedOut =
          err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError;
        // A create that may have reached the server (timeout, reset after sending) could have been applied:
        // sending it again could duplicate the record. Only errors raised before sending are safe to retry.
        if (attempt < retries && (req.idempotent !== false || neverSent(err))) {
          await this.backoff(attempt, null);
          continue;
        }
        throw new RemoteError(
          `${method} ${url.pathname} failed: ${timedOut ? 'no answer in time' : (err as Error).message}`,
          0,
          true,
          { cause: err, code: timedOut ? 'remote_timeout' : 'remote_unreachable' },
        );
      }
    }
  }

  private async backoff(attempt: number, hintedMs: number | null): Promise<void> {
    const base = this.options.baseDelayMs ?? 250;
    const cap = this.options.maxDelayMs ?? 30_000;
    const exp = Math.min(cap, base * 2 ** attempt);
    const delay = hintedMs ?? exp / 2 + Math.random() * (exp / 2);
    await sleep(
      Math.min(delay, cap),
      undefined,
      this.options.signal ? { signal: this.options.signal } : undefined,
    );
  }
}
