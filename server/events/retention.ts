/** What each table keeps: rows older than the cutoff go, at most `limit` per call (one short transaction). */
export type Pruner = (before: number, limit: number) => number;

/** Rows deleted per transaction: a few milliseconds each, so the server keeps answering. */
const PRUNE_CHUNK = 5000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Retention of the event log and what hangs on it (webhook deliveries): by
 * age, in the background, in small chunks, never inside a user's transaction.
 * `keepMs` must outlast the slowest webhook retry schedule.
 */
export function createRetention({ pruners, now, keepMs, everyMs = 3600_000 }: { pruners: Pruner[]; now: () => number; keepMs: number; everyMs?: number }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function prune(): Promise<number> {
    const before = now() - keepMs;
    let total = 0;
    for (const pruner of pruners) {
      for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; await nextTurn()) {
        n = pruner(before, PRUNE_CHUNK);
        total += n;
      }
    }
    return total;
  }

  return {
    /** Prunes now, then every `everyMs`; returns how many rows went. */
    prune(): Promise<number> {
      running ??= prune().finally(() => (running = undefined));
      return running;
    },
    start(): void {
      timer = setInterval(() => void this.prune().catch(() => undefined), everyMs);
      timer.unref();
      void this.prune().catch(() => undefined);
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
