/**
 * Webhook delivery as a HubSpot app receives it: record changes become events (`contact.creation`,
 * `contact.propertyChange`, `contact.deletion`, `contact.privacyDeletion`, and the same for companies and
 * deals), batched into one POST of a JSON array per short interval (at most 100 events), signed with
 * signature v3 (Base64 HMAC-SHA256 of method + URI + body + timestamp with the app's client secret).
 */
import { createHmac } from 'node:crypto';

/** Webhook settings of the emulated app. */
export interface WebhookOptions {
  /** Where events go; none: changes are not delivered. Change it with `setTarget`. */
  targetUrl?: string;
  /** The app's client secret, the key of the signature. */
  clientSecret: string;
  appId?: number;
  portalId?: number;
  /** Events wait this long for companions before a batch leaves (default 50 ms). */
  batchDelayMs?: number;
}

/** One change of a record, as the store reports it. */
export interface ObjectChange {
  objectType: string;
  objectId: string;
  kind: 'creation' | 'propertyChange' | 'deletion' | 'privacyDeletion';
  propertyName?: string;
  propertyValue?: string;
}

/** One delivery attempt, for tests to inspect. */
export interface Delivery {
  url: string;
  status: number;
  events: Record<string, unknown>[];
}

const SINGULAR: Record<string, string> = { contacts: 'contact', companies: 'company', deals: 'deal' };
const MAX_EVENTS = 100;

/** Signature v3 as HubSpot computes it. */
export function signatureV3(
  secret: string,
  method: string,
  url: string,
  body: string,
  timestamp: string,
): string {
  return createHmac('sha256', secret).update(`${method}${url}${body}${timestamp}`).digest('base64');
}

/** Queues, batches, signs and sends webhook events. */
export class WebhookDelivery {
  private queue: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<unknown> = Promise.resolve();
  private nextEventId = 1000;
  private target: string | undefined;
  /** Every delivery made, oldest first. */
  readonly deliveries: Delivery[] = [];

  constructor(readonly options: WebhookOptions) {
    this.target = options.targetUrl;
  }

  /** Sets (or clears) the URL events are delivered to. */
  setTarget(url: string | undefined): void {
    this.target = url;
  }

  /** Turns a record change into an event and schedules its batch. */
  enqueue(change: ObjectChange): void {
    const type = SINGULAR[change.objectType];
    if (!this.target || !type) return;
    this.queue.push({
      eventId: this.nextEventId++,
      subscriptionId: 1,
      portalId: this.options.portalId ?? 62515,
      appId: this.options.appId ?? 1,
      occurredAt: Date.now(),
      subscriptionType: `${type}.${change.kind}`,
      attemptNumber: 0,
      objectId: Number(change.objectId),
      changeSource: 'API',
      ...(change.kind === 'deletion' || change.kind === 'privacyDeletion' ? { changeFlag: 'DELETED' } : {}),
      ...(change.propertyName !== undefined
        ? { propertyName: change.propertyName, propertyValue: change.propertyValue ?? '' }
        : {}),
    });
    this.timer ??= setTimeout(() => void this.flush(), this.options.batchDelayMs ?? 50);
  }

  /** Sends every queued event now and resolves once all deliveries so far have been answered. */
  async flush(): Promise<Delivery[]> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batches: Record<string, unknown>[][] = [];
    while (this.queue.length) batches.push(this.queue.splice(0, MAX_EVENTS));
    const before = this.deliveries.length;
    this.sending = this.sending.then(async () => {
      for (const events of batches) await this.send(events);
    });
    await this.sending;
    return this.deliveries.slice(before);
  }

  /** Drops queued events and the delivery log. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.deliveries.length = 0;
  }

  private async send(events: Record<string, unknown>[]): Promise<void> {
    const url = this.target;
    if (!url) return;
    const body = JSON.stringify(events);
    const timestamp = String(Date.now());
    let status = 0;
    try {
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'X-HubSpot-Signature-Version': 'v3',
          'X-HubSpot-Signature-v3': signatureV3(this.options.clientSecret, 'POST', url, body, timestamp),
          'X-HubSpot-Request-Timestamp': timestamp,
        },
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    this.deliveries.push({ url, status, events });
  }
}
