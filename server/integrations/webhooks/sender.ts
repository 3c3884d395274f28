import http from 'node:http';
import https from 'node:https';
import type { Db } from '../../db/open.ts';
import { guardedLookup } from './address-guard.ts';
import type { WebhookService } from './service.ts';
import { sign } from './signing.ts';
import type { AttemptResult, DeliveryRow, WebhookStore } from './store.ts';

export interface SenderOptions {
  /** How long a delivery is retried before it is marked failed (default 24 h; TRIAGE_WEBHOOK_RETRY_HOURS). */
  retryWindowMs?: number;
  /** The first retry's delay; each next one doubles, up to `maxDelayMs` (defaults 5 s and 1 h). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** How long an attempt may take, answer included (default 10 s). */
  timeoutMs?: number;
  /** Deliveries in flight at once (default 8). */
  concurrency?: number;
  /** How often due retries are looked for when nothing wakes the sender (default 1 s). */
  pollMs?: number;
  /** Endpoints on private addresses allowed (TRIAGE_WEBHOOKS_ALLOW_PRIVATE). */
  allowPrivate?: boolean;
  log?: { warn: (obj: object, msg: string) => void };
}

export interface SenderDeps extends SenderOptions {
  db: Db;
  store: WebhookStore;
  service: Pick<WebhookService, 'fanOut'>;
  now: () => number;
}

/** Characters of an answer kept for the Integrations screen. */
const RESPONSE_EXCERPT = 200;

/**
 * The delay before attempt `attempts + 1`: exponential, with jitter (50 to
 * 100% of it) so that endpoints coming back are not hit by every retry at once.
 */
export function retryDelay(attempts: number, baseDelayMs: number, maxDelayMs: number, random = Math.random): number {
  const full = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (0.5 + random() / 2));
}

interface Answer {
  status: number;
  response: string;
}

/** One POST; resolves with the status and the start of the answer, rejects on a network error or timeout. Never follows redirects. */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, allowPrivate: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Triage-Webhooks/1' },
      lookup: guardedLookup(allowPrivate),
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    request.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < RESPONSE_EXCERPT) text += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, response: text.slice(0, RESPONSE_EXCERPT) });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body);
  });
}

/**
 * Sends deliveries in the background: woken when events are appended, and
 * every `pollMs` for retries that come due. A delivery is marked delivered
 * only after a 2xx answer, so a crash at any moment means it is sent again
 * after the restart (same webhook-id): at least once.
 */
export function createWebhookSender(deps: SenderDeps) {
  const { db, store, service, now } = deps;
  const retryWindowMs = deps.retryWindowMs ?? 24 * 3600_000;
  const baseDelayMs = deps.baseDelayMs ?? 5000;
  const maxDelayMs = deps.maxDelayMs ?? 3600_000;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const concurrency = deps.concurrency ?? 8;
  const allowPrivate = deps.allowPrivate ?? false;

  const inFlight = new Map<number, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let stopped = true;

  const record = db.transaction((d: DeliveryRow, r: AttemptResult, ok: boolean) => {
    if (ok) return store.recordDelivered(d.endpoint_id, r);
    const next = r.now + retryDelay(d.attempts + 1, baseDelayMs, maxDelayMs);
    const gaveUp = next - d.created_at > retryWindowMs;
    store.recordFailure(d.endpoint_id, r, gaveUp ? null : next);
    if (!gaveUp) return;
    const endpoint = store.getEndpoint(d.endpoint_id);
    // No success since this delivery was made, for its whole retry window: stop sending until an admin turns it back on.
    if (endpoint && (endpoint.last_success_at ?? 0) < d.created_at) {
      const last = r.status === null ? (r.error ?? 'no answer') : `HTTP ${r.status}`;
      store.disableEndpoint(endpoint.id, r.now, `Every delivery failed for ${Math.round(retryWindowMs / 3600_000) || '<1'} h (last: ${last})`);
    }
  });

  async function attempt(d: DeliveryRow): Promise<void> {
    const endpoint = store.getEndpoint(d.endpoint_id);
    if (!endpoint || endpoint.disabled_at !== null) return;
    const started = now();
    const timestamp = Math.floor(started / 1000);
    const headers = { 'webhook-id': d.message_id, 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(endpoint.secret, d.message_id, timestamp, d.body) };
    let result: AttemptResult;
    let ok = false;
    const t0 = performance.now();
    try {
      const answer = await post(new URL(endpoint.url), headers, d.body, timeoutMs, allowPrivate);
      ok = answer.status >= 200 && answer.status < 300;
      result = { id: d.id, status: answer.status, latencyMs: Math.round(performance.now() - t0), error: ok ? null : `HTTP ${answer.status}`, response: answer.response, now: now() };
    } catch (err) {
      result = { id: d.id, status: null, latencyMs: Math.round(performance.now() - t0), error: (err as Error).message.slice(0, 300), response: null, now: now() };
    }
    if (!db.open) return;
    try {
      record(d, result, ok);
    } catch (err) {
      deps.log?.warn({ err, delivery: d.id }, 'could not record a webhook delivery; it will be sent again');
    }
  }

  function launch(d: DeliveryRow): void {
    const done = attempt(d)
      .catch((err: unknown) => deps.log?.warn({ err, delivery: d.id }, 'webhook delivery failed'))
      .finally(() => {
        inFlight.delete(d.id);
        tick();
      });
    inFlight.set(d.id, done);
  }

  /** Fans new events out into deliveries and sends what is due, up to `concurrency` at once. */
  function tick(): void {
    if (stopped || !db.open) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      let more: boolean;
      do {
        again = false;
        more = service.fanOut();
        const free = concurrency - inFlight.size;
        if (free > 0) {
          for (const d of store.due(now(), free + inFlight.size)) {
            if (inFlight.size >= concurrency) break;
            if (!inFlight.has(d.id)) launch(d);
          }
        }
      } while (!stopped && (again || more));
    } catch (err) {
      deps.log?.warn({ err }, 'webhook sender could not read its work; trying again shortly');
    } finally {
      running = false;
    }
  }

  return {
    /** Starts sending: at once what a stopped process left, then as events come and retries fall due. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(tick, deps.pollMs ?? 1000);
      timer.unref();
      setImmediate(tick);
    },
    /** Wakes the sender: events were appended. */
    wake: (): void => tick(),
    /** Stops taking new work and waits for the attempts in flight. */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight.values());
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
