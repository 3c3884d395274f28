import type { Db } from '../../db/open.ts';

export interface EndpointRow {
  id: number;
  source: string;
  url: string;
  /** JSON array of event types. */
  events: string;
  secret: string;
  include_moderator: 0 | 1;
  created_by: number | null;
  created_at: number;
  cursor: number;
  disabled_at: number | null;
  disabled_reason: string | null;
  failing_since: number | null;
  last_success_at: number | null;
  deleted_at: number | null;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface DeliveryRow {
  id: number;
  endpoint_id: number;
  event_id: number | null;
  message_id: string;
  type: string;
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  last_status: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  last_response: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface NewDelivery {
  endpointId: number;
  eventId: number | null;
  messageId: string;
  type: string;
  body: string;
  now: number;
}

export interface AttemptResult {
  id: number;
  status: number | null;
  latencyMs: number;
  error: string | null;
  response: string | null;
  now: number;
}

/** Webhook endpoints and their deliveries; call writes inside the caller's transaction. */
export function createWebhookStore(db: Db) {
  const insertEndpoint = db.prepare<{ source: string; url: string; events: string; secret: string; includeModerator: 0 | 1; createdBy: number | null; now: number; cursor: number }>(
    `INSERT INTO webhook_endpoints (source, url, events, secret, include_moderator, created_by, created_at, cursor)
     VALUES (@source, @url, @events, @secret, @includeModerator, @createdBy, @now, @cursor)`,
  );
  const getEndpoint = db.prepare<{ id: number }, EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = @id AND deleted_at IS NULL');
  const listEndpoints = db.prepare<[], EndpointRow>('SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY id');
  const activeEndpoints = db.prepare<[], EndpointRow>('SELECT * FROM webhook_endpoints WHERE deleted_at IS NULL AND disabled_at IS NULL ORDER BY id');
  const deleteEndpoint = db.prepare<{ id: number; now: number }>('UPDATE webhook_endpoints SET deleted_at = @now WHERE id = @id');
  const disable = db.prepare<{ id: number; now: number; reason: string }>(
    'UPDATE webhook_endpoints SET disabled_at = @now, disabled_reason = @reason WHERE id = @id AND disabled_at IS NULL',
  );
  const enable = db.prepare<{ id: number }>('UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL, failing_since = NULL WHERE id = @id');
  const advance = db.prepare<{ id: number; cursor: number }>('UPDATE webhook_endpoints SET cursor = @cursor WHERE id = @id');
  const succeeded = db.prepare<{ id: number; now: number }>('UPDATE webhook_endpoints SET failing_since = NULL, last_success_at = @now WHERE id = @id');
  const failing = db.prepare<{ id: number; now: number }>('UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, @now) WHERE id = @id');

  const insertDelivery = db.prepare<NewDelivery>(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, message_id, type, body, next_attempt_at, created_at)
     VALUES (@endpointId, @eventId, @messageId, @type, @body, @now, @now)`,
  );
  const due = db.prepare<{ now: number; limit: number }, DeliveryRow>(
    `SELECT d.* FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE d.state = 'pending' AND d.next_attempt_at <= @now AND e.disabled_at IS NULL AND e.deleted_at IS NULL
     ORDER BY d.next_attempt_at, d.id LIMIT @limit`,
  );
  const nextDue = db.prepare<[], { at: number | null }>("SELECT min(next_attempt_at) AS at FROM webhook_deliveries WHERE state = 'pending'");
  const getDelivery = db.prepare<{ id: number }, DeliveryRow>('SELECT * FROM webhook_deliveries WHERE id = @id');
  const recentDeliveries = db.prepare<{ endpointId: number; limit: number }, DeliveryRow>(
    'SELECT * FROM webhook_deliveries WHERE endpoint_id = @endpointId ORDER BY id DESC LIMIT @limit',
  );
  const delivered = db.prepare<AttemptResult>(
    `UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = @status, last_latency_ms = @latencyMs,
       last_error = NULL, last_response = @response, finished_at = @now WHERE id = @id AND state = 'pending'`,
  );
  const retry = db.prepare<AttemptResult & { next: number }>(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = @next, last_status = @status, last_latency_ms = @latencyMs,
       last_error = @error, last_response = @response WHERE id = @id AND state = 'pending'`,
  );
  const failed = db.prepare<AttemptResult>(
    `UPDATE webhook_deliveries SET state = 'failed', attempts = attempts + 1, last_status = @status, last_latency_ms = @latencyMs,
       last_error = @error, last_response = @response, finished_at = @now WHERE id = @id AND state = 'pending'`,
  );

  const prune = db.prepare<{ before: number; limit: number }>(
    `DELETE FROM webhook_deliveries WHERE id IN (
       SELECT id FROM webhook_deliveries WHERE state != 'pending' AND finished_at < @before ORDER BY id LIMIT @limit)`,
  );

  return {
    /** Deletes up to `limit` finished deliveries older than `before`; returns how many. */
    pruneFinished: (before: number, limit: number): number => prune.run({ before, limit }).changes,
    insertEndpoint: (e: { source: string; url: string; events: string[]; secret: string; includeModerator: boolean; createdBy: number | null; now: number; cursor: number }) =>
      Number(insertEndpoint.run({ ...e, events: JSON.stringify(e.events), includeModerator: e.includeModerator ? 1 : 0 }).lastInsertRowid),
    getEndpoint: (id: number) => getEndpoint.get({ id }),
    listEndpoints: () => listEndpoints.all(),
    /** Endpoints that receive events now. */
    activeEndpoints: () => activeEndpoints.all(),
    deleteEndpoint: (id: number, now: number) => deleteEndpoint.run({ id, now }),
    disableEndpoint: (id: number, now: number, reason: string) => disable.run({ id, now, reason }).changes > 0,
    enableEndpoint: (id: number) => enable.run({ id }),
    /** Events up to `cursor` have been turned into deliveries for this endpoint. */
    advanceCursor: (id: number, cursor: number) => advance.run({ id, cursor }),

    insertDelivery: (d: NewDelivery) => Number(insertDelivery.run(d).lastInsertRowid),
    getDelivery: (id: number) => getDelivery.get({ id }),
    /** Pending deliveries whose time has come, of endpoints that are on; oldest first. */
    due: (now: number, limit: number) => due.all({ now, limit }),
    /** When the next pending delivery is due; null when none waits. */
    nextDue: (): number | null => nextDue.get()?.at ?? null,
    recentDeliveries: (endpointId: number, limit: number) => recentDeliveries.all({ endpointId, limit }),

    /** Records a 2xx answer: the delivery is done, and its endpoint no longer failing. */
    recordDelivered(endpointId: number, r: AttemptResult): void {
      delivered.run(r);
      succeeded.run({ id: endpointId, now: r.now });
    },
    /** Records a failed attempt: tried again at `next`, or (next null) failed for good. */
    recordFailure(endpointId: number, r: AttemptResult, next: number | null): void {
      if (next === null) failed.run(r);
      else retry.run({ ...r, next });
      failing.run({ id: endpointId, now: r.now });
    },
  };
}

export type WebhookStore = ReturnType<typeof createWebhookStore>;
