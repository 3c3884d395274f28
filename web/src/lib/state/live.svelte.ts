import type { Action, Status } from '../api.ts';
import { stats } from './stats.svelte.ts';

/** The comment an event is about: its id on the site, ours, and its thread's id on the site. */
interface EventComment {
  id: string;
  triageId: number;
  threadId: string;
}

/**
 * What `GET /api/events` sends (server/events/routes.ts), as the screens read
 * it. Events carry ids and facts, never comment text: a screen fetches what
 * it shows through the normal routes. Usernames are untrusted text.
 */
export interface LiveEvents {
  'comment.flagged': { comment: EventComment; labels: string[]; maxScore: number | null; reportCount: number; editedAfterApproval: boolean };
  'comment.decided': {
    comment: EventComment;
    decision: { id: number; action: Action | 'undo'; status: Status; statusBefore: Status; undoes: number | null };
    moderator: { role: string; username: string };
  };
  'comment.claimed': { comment: EventComment; moderator: { id: number; username: string }; expiresAt: number; tookOverFrom: string | null };
  'comment.released': { comment: EventComment; moderator: { id: number; username: string } };
  'report.received': { comment: EventComment };
  'thresholds.changed': { version: number; changes: { label: string; value: number | null }[] };
  /** A promotion or rollback: another model flags comments now, as it rescores them. */
  'model.changed': { version: number; model: string };
  /** The log moved past this screen's cursor: reload the lists. */
  reset: Record<string, never>;
}

export type LiveEventName = keyof LiveEvents;
type Handler = <K extends LiveEventName>(name: K, data: LiveEvents[K]) => void;

const NAMES: LiveEventName[] = ['comment.flagged', 'comment.decided', 'comment.claimed', 'comment.released', 'report.received', 'thresholds.changed', 'model.changed', 'reset'];

/** How often `now` ticks, so claims that lapse stop showing without an event. */
const TICK_MS = 5_000;

/**
 * The team's queue as it happens: one EventSource per signed-in screen
 * (`GET /api/events`). The browser reconnects by itself and resumes from the
 * last event id. Lists subscribe; counts go straight to `stats`.
 */
class LiveState {
  /** Open and receiving; false while the browser reconnects. */
  connected = $state(false);
  /** A threshold change since this screen loaded its lists: the queue shows a notice until reloaded. */
  thresholds = $state<{ version: number } | null>(null);
  /** A change of the model in force since this screen loaded its lists: the queue shows a notice until reloaded. */
  model = $state<{ model: string } | null>(null);
  /** The clock that claim expiries are compared with. */
  now = $state(Date.now());
  #source: EventSource | null = null;
  #tick: ReturnType<typeof setInterval> | null = null;
  #handlers = new Set<Handler>();

  start(): void {
    if (this.#source || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/events');
    this.#source = source;
    source.onopen = () => (this.connected = true);
    source.onerror = () => (this.connected = source.readyState === EventSource.OPEN);
    for (const name of NAMES) {
      source.addEventListener(name, (event) => this.#dispatch(name, (event as MessageEvent<string>).data));
    }
    source.addEventListener('counts', (event) => {
      const counts = parse((event as MessageEvent<string>).data);
      if (counts) stats.setCounts(counts as Parameters<typeof stats.setCounts>[0]);
    });
    this.#tick = setInterval(() => (this.now = Date.now()), TICK_MS);
  }

  /** Signing out closes the stream. */
  stop(): void {
    this.#source?.close();
    this.#source = null;
    this.connected = false;
    if (this.#tick) clearInterval(this.#tick);
    this.#tick = null;
  }

  /** Calls `handler` with every event; returns the unsubscribe function. */
  subscribe(handler: Handler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  #dispatch(name: LiveEventName, raw: string): void {
    const data = parse(raw);
    if (!data) return;
    if (name === 'thresholds.changed') this.thresholds = { version: Number(data.version) };
    if (name === 'model.changed') {
      this.model = { model: String(data.model) };
      // The header shows the rescoring from now on, polling fast while it runs.
      void stats.refresh();
    }
    for (const handler of this.#handlers) handler(name, data as LiveEvents[typeof name]);
  }
}

function parse(raw: string): Record<string, unknown> | null {
  try {
    const data: unknown = JSON.parse(raw);
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const live = new LiveState();
