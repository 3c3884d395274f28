import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/open.ts';
import { NotFound, ValidationError } from '../../errors.ts';
import { type EventStore, type StoredEvent, type WebhookEventType } from '../../events/store.ts';
import { checkEndpointUrl, isPrivateAddress } from './address-guard.ts';
import type { DecidedPayload } from './schemas.ts';
import { generateSecret } from './signing.ts';
import type { DeliveryRow, EndpointRow, WebhookStore } from './store.ts';

/** An endpoint as admins see it: never its secret, which is shown once. */
export interface WebhookEndpoint {
  id: number;
  source: string;
  url: string;
  events: WebhookEventType[];
  includeModerator: boolean;
  createdAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
  /** When its deliveries started failing, with no success since. */
  failingSince: number | null;
}

export interface WebhookDelivery {
  id: number;
  endpointId: number;
  eventId: number | null;
  messageId: string;
  type: string;
  state: DeliveryRow['state'];
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  lastResponse: string | null;
  createdAt: number;
  finishedAt: number | null;
}

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  source: r.source,
  url: r.url,
  events: JSON.parse(r.events) as WebhookEventType[],
  includeModerator: r.include_moderator === 1,
  createdAt: r.created_at,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  failingSince: r.failing_since,
});

export const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  messageId: r.message_id,
  type: r.type,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.state === 'pending' ? r.next_attempt_at : null,
  lastStatus: r.last_status,
  lastLatencyMs: r.last_latency_ms,
  lastError: r.last_error,
  lastResponse: r.last_response,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/**
 * What leaves Triage about an event: its payload, with the moderator's name
 * only where the site's endpoint opted in (their role always).
 */
export function forSite(payload: Record<string, unknown>, includeModerator: boolean): Record<string, unknown> {
  const moderator = payload.moderator as { role: string; username?: string } | undefined;
  if (!moderator || includeModerator) return payload;
  return { ...payload, moderator: { role: moderator.role } };
}

/** The body of a delivery, as the Standard Webhooks spec shapes it. */
export function webhookBody(type: string, at: number, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });
}

/** Events turned into deliveries per endpoint per transaction: the rest waits for the next turn. */
const FAN_OUT_BATCH = 500;

export interface WebhookServiceDeps {
  db: Db;
  store: WebhookStore;
  events: Pick<EventStore, 'after' | 'lastId'>;
  now: () => number;
  /** Endpoints on loopback and private addresses are allowed (TRIAGE_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate: boolean;
}

/**
 * Webhook endpoints (admins register them per source) and the deliveries
 * made from the event log: each endpoint reads the log from its own cursor,
 * and every event it wants becomes a delivery row, sent and retried by the
 * sender (sender.ts).
 */
export function createWebhookService({ db, store, events, now, allowPrivate }: WebhookServiceDeps) {
  function endpointOrThrow(id: number): EndpointRow {
    const row = store.getEndpoint(id);
    if (!row) throw new NotFound('webhook endpoint', id);
    return row;
  }

  function deliveryOf(endpoint: EndpointRow, event: StoredEvent, t: number) {
    return {
      endpointId: endpoint.id,
      eventId: event.id,
      messageId: `msg_${event.id}`,
      type: event.type,
      body: webhookBody(event.type, event.createdAt, forSite(event.payload, endpoint.include_moderator === 1)),
      now: t,
    };
  }

  /** Turns new events into deliveries; returns true when some endpoint has more waiting. */
  const fanOut = db.transaction((): boolean => {
    const t = now();
    const last = events.lastId();
    let more = false;
    for (const endpoint of store.activeEndpoints()) {
      if (endpoint.cursor >= last) continue;
      const batch = events.after({ cursor: endpoint.cursor, upTo: last, source: endpoint.source, types: JSON.parse(endpoint.events) as WebhookEventType[], limit: FAN_OUT_BATCH });
      for (const event of batch) store.insertDelivery(deliveryOf(endpoint, event, t));
      const full = batch.length === FAN_OUT_BATCH;
      more ||= full;
      // Past other sources' events too, unless this endpoint's own are still coming.
      store.advanceCursor(endpoint.id, full ? batch.at(-1)!.id : last);
    }
    return more;
  });

  return {
    /**
     * Registers an endpoint for a source's events; the secret is answered
     * here only. Deliveries start with the events after this moment.
     */
    async createEndpoint(input: { source: string; url: string; events: WebhookEventType[]; includeModerator?: boolean }, createdBy: number | null) {
      const url = checkEndpointUrl(input.url, allowPrivate);
      const source = input.source.trim();
      if (!source) throw new ValidationError('body/source must not be empty', { field: 'source' });
      const wanted = [...new Set(input.events)];
      if (wanted.length === 0) throw new ValidationError('body/events must not be empty', { field: 'events' });
      if (!allowPrivate) {
        // The name's addresses now; each connection checks again (DNS can change). A name that does not resolve yet is let through.
        const addresses = await lookup(url.hostname, { all: true }).catch(() => []);
        const refused = addresses.find((a) => isPrivateAddress(a.address));
        if (refused) {
          throw new ValidationError(
            `body/url: ${url.hostname} resolves to a private address (${refused.address}); webhooks go to public addresses unless the server runs with TRIAGE_WEBHOOKS_ALLOW_PRIVATE=1`,
            { field: 'url' },
          );
        }
      }
      const secret = generateSecret();
      const id = db.transaction(() =>
        store.insertEndpoint({ source, url: url.href, events: wanted, secret, includeModerator: input.includeModerator ?? false, createdBy, now: now(), cursor: events.lastId() }),
      ).immediate();
      return { endpoint: toEndpoint(store.getEndpoint(id)!), secret };
    },

    listEndpoints: (): WebhookEndpoint[] => store.listEndpoints().map(toEndpoint),

    /** Removes an endpoint: nothing more is sent to it. Its deliveries stay, for the record. */
    deleteEndpoint(id: number): WebhookEndpoint {
      const row = endpointOrThrow(id);
      store.deleteEndpoint(id, now());
      return toEndpoint(row);
    },

    /** Turns a disabled endpoint back on: its waiting deliveries and the events since go out. */
    enableEndpoint(id: number): WebhookEndpoint {
      endpointOrThrow(id);
      store.enableEndpoint(id);
      return toEndpoint(store.getEndpoint(id)!);
    },

    /** An endpoint's recent deliveries, newest first. */
    deliveries(endpointId: number, limit = 50): WebhookDelivery[] {
      endpointOrThrow(endpointId);
      return store.recentDeliveries(endpointId, limit).map(toDelivery);
    },

    /** Sends a delivery again, as a new delivery of the same message (same webhook-id: receivers deduplicate). */
    redeliver(deliveryId: number): WebhookDelivery {
      const d = store.getDelivery(deliveryId);
      if (!d) throw new NotFound('webhook delivery', deliveryId);
      endpointOrThrow(d.endpoint_id);
      const id = store.insertDelivery({ endpointId: d.endpoint_id, eventId: d.event_id, messageId: d.message_id, type: d.type, body: d.body, now: now() });
      return toDelivery(store.getDelivery(id)!);
    },

    /** Queues a `webhook.test` delivery to the endpoint. */
    sendTest(endpointId: number): WebhookDelivery {
      const endpoint = endpointOrThrow(endpointId);
      const t = now();
      const body = webhookBody('webhook.test', t, { endpoint: { id: endpoint.id, source: endpoint.source }, message: 'A test event from Triage' });
      const id = store.insertDelivery({ endpointId, eventId: null, messageId: `msg_test_${randomBytes(9).toString('base64url')}`, type: 'webhook.test', body, now: t });
      return toDelivery(store.getDelivery(id)!);
    },

    fanOut,

    /**
     * The decisions of a source after `cursor`, in order, for sites that do
     * not take webhooks (GET /api/v1/decisions): resume from `nextCursor`.
     */
    decisionsAfter(source: string, cursor: number, limit: number) {
      const list = events.after({ cursor, source, types: ['comment.decided'], limit });
      return {
        decisions: list.map((e) => ({ cursor: String(e.id), ...(forSite(e.payload, false) as DecidedPayload) })),
        nextCursor: String(list.at(-1)?.id ?? cursor),
      };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

