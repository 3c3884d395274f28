/**
 * Wakes the readers of the event log after a commit. In one process this is
 * a set of callbacks; a deployment of several servers would replace it with
 * the database's own notification (PostgreSQL's LISTEN/NOTIFY), and the
 * readers would not change: they always re-read the log from their cursor.
 */
export function createNotifier() {
  const listeners = new Set<() => void>();
  return {
    notify(): void {
      for (const listener of listeners) listener();
    },
    /** Returns the unsubscribe function. */
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
