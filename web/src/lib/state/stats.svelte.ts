import { api, type Stats } from '../api.ts';

const FAST_MS = 1500;
const SLOW_MS = 30_000;

/**
 * Scoring progress for the header and the import screen. Polls fast while
 * comments wait to be scored, slowly otherwise (another moderator may import).
 */
class StatsState {
  current = $state<Stats | null>(null);
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;
  #soon: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.refresh();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Fetches now and reschedules; call after an import so progress shows at once. */
  async refresh(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    try {
      this.current = await api.stats();
    } catch {
      // The header indicator is secondary; a failed poll just waits for the next one.
    }
    if (!this.#running) return;
    const busy = (this.current?.scoring.pending ?? 0) > 0;
    this.#timer = setTimeout(() => void this.refresh(), busy ? FAST_MS : SLOW_MS);
  }

  /** After a decision: counts change, but one fetch for a burst of keypresses is enough. */
  soon(delayMs = 600): void {
    if (this.#soon || !this.#running) return;
    this.#soon = setTimeout(() => {
      this.#soon = null;
      void this.refresh();
    }, delayMs);
  }

  /** The comment counts as the event stream sends them (`counts`): the header and queue counts follow without a poll. */
  setCounts(comments: Stats['comments']): void {
    if (!this.current) return;
    // Comments arrived (a site's API, someone else's import): fetch the scoring progress, which
    // then polls fast while they are scored, instead of waiting for the slow poll. After
    // FAST_MS, past the server's one-second cache of scoring counts, so it sees the new jobs.
    const arrived = comments.total !== this.current.comments.total;
    this.current.comments = comments;
    if (arrived) this.soon(FAST_MS);
  }

  get scoringPending(): number {
    return this.current?.scoring.pending ?? 0;
  }
}

export const stats = new StatsState();
