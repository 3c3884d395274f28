/**
 * A loop that works in the background in steps: a step returns how much it
 * did; after a step that did nothing (or failed) the loop sleeps until the
 * next poll or a `wake()`. The scoring pipeline and shadow scoring run on it.
 */
export interface BackgroundLoopOptions {
  /** How long an idle loop sleeps before it looks again (work another process queued). */
  idlePollMs: number;
  /** Told of a step that threw; the loop sleeps, then tries again. */
  onError: (err: unknown) => void;
}

export function createBackgroundLoop(step: () => Promise<number>, { idlePollMs, onError }: BackgroundLoopOptions) {
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let idleWaiters: (() => void)[] = [];

  function settleIdle(): void {
    for (const resolve of idleWaiters) resolve();
    idleWaiters = [];
  }

  function sleep(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, idlePollMs);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      let did: number;
      try {
        did = await step();
      } catch (err) {
        onError(err);
        if (running) await sleep();
        continue;
      }
      if (did > 0) {
        // Yield so requests queued behind the step's write get answered between steps.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      settleIdle();
      if (running) await sleep();
    }
  }

  return {
    start(): void {
      if (running) return;
      running = true;
      loop = run();
    },
    /** Stops after the step in flight; waiters of `idle` are released. */
    async stop(): Promise<void> {
      running = false;
      wakeUp?.();
      await loop;
      settleIdle();
    },
    /** Work arrived in this process: look now instead of at the next poll. */
    wake(): void {
      wakeUp?.();
    },
    /** Resolves once a step finds nothing to do (or the loop is stopped). */
    idle(): Promise<void> {
      if (!running) return Promise.resolve();
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        wakeUp?.();
      });
    },
    get running() {
      return running;
    },
  };
}
