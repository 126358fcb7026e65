/** Shared set-up for the HubSpot emulator tests: a started emulator and a tiny fetch client. */
import {
  createHubSpotEmulator,
  type HubSpotEmulator,
  type HubSpotEmulatorOptions,
} from '../../emulators/hubspot/index.ts';

/** The token every test emulator accepts. */
export const TOKEN = 'pat-test-token';

/** One answer, with the body parsed when there is one. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // Tests read many shapes of answer; they assert on fields rather than on static types.
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any HubSpot answer
  body: any;
}

/** A started emulator and a client bound to it. */
export interface Harness {
  emulator: HubSpotEmulator;
  baseUrl: string;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** Starts an emulator on a free loopback port with `TOKEN` accepted. */
export async function startEmulator(options: HubSpotEmulatorOptions = {}): Promise<Harness> {
  const emulator = createHubSpotEmulator({ tokens: [TOKEN], ...options });
  const baseUrl = await emulator.listen();
  return {
    emulator,
    baseUrl,
    async call(method, path, body, token = TOKEN) {
      const headers: Record<string, string> = {};
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    close: () => emulator.close(),
  };
}

/** A record in an answer, as far as tests look at it. */
export interface ApiObject {
  id: string;
  properties: Record<string, string | null>;
}

/** A UUID as HubSpot's correlation ids are. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
