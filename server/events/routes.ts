import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Notifier } from './notifier.ts';
import type { EventStore, StoredEvent } from './store.ts';

/** Events written per read of the log. */
const BATCH = 500;
/** A comment line keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** A stream ends after this long; the browser reconnects at once (Last-Event-ID), and the session is checked again. */
const MAX_STREAM_MS = 15 * 60_000;

export interface EventStreamDeps {
  events: Pick<EventStore, 'since' | 'lastId' | 'firstId'>;
  notifier: Notifier;
  /** Queue counts now: sent as a `counts` event whenever they change. */
  counts: () => Record<string, number>;
}

/** What a screen gets: the event's ids and facts, never comment text (it fetches what it may see through the normal routes). */
function toScreen(e: StoredEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ id: e.id, type: e.type, at: e.createdAt, ...e.payload })}\n\n`;
}

/**
 * GET /api/events: the team's live queue, as Server-Sent Events. It streams
 * the event log from the client's `Last-Event-ID` (EventSource sends it on
 * reconnect), or from now. A cursor older than the log keeps sends `reset`:
 * the screen reloads its lists. One-way push is all the screens need, and
 * SSE reconnects and resumes by itself, through proxies, over plain HTTP.
 */
export async function eventRoutes(fastify: FastifyInstance, { events, notifier, counts }: EventStreamDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Open streams never end by themselves: closing the server ends them first.
  const open = new Set<() => void>();
  // Counts are read once per commit for all the open streams, not once per stream: subscribed
  // before any stream, this runs first on each notification and marks the counts stale.
  let counted: string | null = null;
  const stale = notifier.subscribe(() => (counted = null));
  const countsNow = () => (counted ??= JSON.stringify(counts()));
  fastify.addHook('preClose', async () => {
    stale();
    for (const end of open) end();
  });

  app.get(
    '/api/events',
    { schema: { hide: true, querystring: Type.Object({ after: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }) } },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const given = typeof header === 'string' && /^\d{1,15}$/.test(header) ? Number(header) : request.query.after;
      let cursor = given ?? events.lastId();
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-content-type-options': 'nosniff',
        // Tells nginx not to buffer the stream.
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      if (given !== undefined && given < events.firstId() - 1) {
        cursor = events.lastId();
        res.write(`id: ${cursor}\nevent: reset\ndata: {}\n\n`);
      }
      let lastCounts = '';
      const sendCounts = (now: string) => {
        if (now !== lastCounts) res.write(`event: counts\ndata: ${now}\n\n`);
        lastCounts = now;
      };
      // A new stream reads them fresh (some changes notify no one: an import's pending comments), and shares what it read.
      counted = JSON.stringify(counts());
      sendCounts(counted);

      let closed = false;
      const flush = () => {
        if (closed) return;
        try {
          for (let batch = events.since(cursor, BATCH); batch.length > 0 && !closed; batch = events.since(cursor, BATCH)) {
            res.write(batch.map(toScreen).join(''));
            cursor = batch.at(-1)!.id;
            if (batch.length < BATCH) break;
          }
          sendCounts(countsNow());
        } catch (err) {
          request.log.warn({ err }, 'event stream could not read the log');
        }
      };
      const unsubscribe = notifier.subscribe(flush);
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      const end = setTimeout(() => res.end(), MAX_STREAM_MS);
      const close = () => {
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(end);
        open.delete(stop);
      };
      const stop = () => {
        close();
        res.end();
      };
      open.add(stop);
      request.raw.on('close', close);
      res.on('close', close);
      flush();
    },
  );
}
