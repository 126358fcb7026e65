/**
 * The dashboard's only door to the server: JSON over fetch with the session cookie, the CSRF header on
 * every change, the workspace header on every request, and errors turned into ApiError with the API's `{ error: { code, message, details } }`.
 */

/** An answer other than 2xx. `status` 0 means the server was not reachable. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  /** The route does not exist on this server (a feature another version adds). */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('no route');
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let workspaceId: string | null = null;

/** The header that scopes every API request to one workspace (the server's default without it: the first). */
export const WORKSPACE_HEADER = 'x-junction-workspace';

/** Sets the workspace every following request is scoped to (null: the server's default). */
export function setWorkspace(id: string | null): void {
  workspaceId = id;
}

/**
 * A URL scoped to the current workspace by `?workspace=`: for what the browser loads itself, without
 * the client's header (EventSource streams, download links, OAuth redirects).
 */
export function scopedUrl(url: string): string {
  if (!workspaceId) return url;
  return `${url}${url.includes('?') ? '&' : '?'}workspace=${encodeURIComponent(workspaceId)}`;
}

/** Remembers the session's CSRF token (from login or /api/auth/me). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone, so the app can show the login page. */
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // FormData sets its own multipart content type with the boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  if (workspaceId) headers[WORKSPACE_HEADER] = workspaceId;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', (err as Error).message);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    const error = new ApiError(
      res.status,
      e?.code ?? `http_${res.status}`,
      e?.message ?? res.statusText,
      e?.details,
    );
    if (res.status === 401 && !url.endsWith('/api/auth/login')) onUnauthenticated?.();
    throw error;
  }
  return json as T;
}

/** GET a JSON resource. */
export const apiGet = <T>(url: string) => request<T>('GET', url);
/** A change (POST/PUT/PATCH/DELETE) with the CSRF header. */
export const apiSend = <T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  request<T>(method, url, body);

/** A multipart upload (fields first, then the files, as the server reads them in order). */
export const apiUpload = <T>(url: string, form: FormData) => request<T>('POST', url, form);

/** `encodeURIComponent` for path segments. */
export const seg = (s: string) => encodeURIComponent(s);
