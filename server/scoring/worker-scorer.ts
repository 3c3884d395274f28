import { Worker } from 'node:worker_threads';
import { silentLogger, type BackendName, type ScoringLogger } from './backend.ts';
import { fromWireError, type FromWorker, type ToWorker, type WorkerModelOptions } from './worker-protocol.ts';
import type { ScoredText, Scorer } from './types.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** A Scorer whose model runs in its own worker thread. */
export interface WorkerScorer extends Scorer {
  /** The TensorFlow.js backend the worker chose. */
  readonly backend: BackendName;
}

/** One worker thread; `crashed` turns true if it dies without being disposed of. */
interface WorkerHandle extends WorkerScorer {
  crashed(): boolean;
}

interface Pending {
  resolve: (results: ScoredText[]) => void;
  reject: (error: Error) => void;
}

/** Starts one worker thread and resolves once its model is loaded. */
function startWorker(workerData: WorkerModelOptions, logger: ScoringLogger): Promise<WorkerHandle> {
  const worker = new Worker(ENTRY, { workerData });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  // Set once the worker can no longer answer; later calls reject with it.
  let dead: Error | undefined;
  let disposed = false;

  function failAll(error: Error): void {
    dead ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  return new Promise<WorkerHandle>((resolveStart, rejectStart) => {
    let started = false;

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'log':
          logger[message.level](message.details, message.message);
          return;
        case 'ready':
          started = true;
          resolveStart(makeHandle(message.model, message.backend));
          return;
        case 'failed':
          dead = fromWireError(message.error);
          rejectStart(dead);
          return;
        case 'scored':
          pending.get(message.id)?.resolve(message.results);
          pending.delete(message.id);
          return;
        case 'error':
          pending.get(message.id)?.reject(fromWireError(message.error));
          pending.delete(message.id);
          return;
      }
    });
    worker.on('error', (error) => {
      if (!started) rejectStart(dead ?? error);
      failAll(error);
    });
    worker.on('exit', (code) => {
      const error = dead ?? new Error(`The scoring worker exited (code ${code})`);
      if (!started) rejectStart(error);
      failAll(error);
    });

    function makeHandle(model: string, backend: BackendName): WorkerHandle {
      let disposing: Promise<void> | undefined;
      return {
        model,
        backend,
        crashed: () => dead !== undefined && !disposed,
        scoreBatch(texts) {
          if (dead) return Promise.reject(dead);
          const id = nextId++;
          return new Promise<ScoredText[]>((resolve, reject) => {
            pending.set(id, { resolve, reject });
            worker.postMessage({ type: 'score', id, texts } satisfies ToWorker);
          });
        },
        dispose() {
          disposing ??= (async () => {
            disposed = true;
            // terminate() alone suffices: the model's memory lives in the
            // worker's isolate and goes with it. Requests in flight reject.
            failAll(new Error('The scorer has been disposed'));
            await worker.terminate();
          })();
          return disposing;
        },
      };
    }
  });
}

/**
 * Runs a model in a worker thread so scoring never blocks the event loop that
 * serves moderators. Resolves once the model is loaded; rejects with the
 * worker's own error when it cannot load. If the thread later dies (a crash,
 * running out of memory), the calls in flight reject and the next call starts
 * a fresh thread, so one bad moment does not stop scoring for good.
 */
export async function startWorkerScorer(options: WorkerModelOptions, logger: ScoringLogger = silentLogger): Promise<WorkerScorer> {
  // Only plain data crosses into the worker.
  const workerData: WorkerModelOptions = { model: options.model, toxicityDir: options.toxicityDir, localDir: options.localDir, site: options.site };
  const first = await startWorker(workerData, logger);
  let current: Promise<WorkerHandle> = Promise.resolve(first);
  // Concurrent calls that find the same dead worker share one restart.
  let restarting: { from: WorkerHandle; next: Promise<WorkerHandle> } | undefined;
  let disposing: Promise<void> | undefined;

  return {
    model: first.model,
    backend: first.backend,
    async scoreBatch(texts) {
      if (disposing) throw new Error('The scorer has been disposed');
      if (texts.length === 0) return [];
      let handle = await current;
      if (handle.crashed()) {
        if (restarting?.from !== handle) {
          logger.warn({ model: handle.model }, 'The scoring worker died; starting a new one');
          const dead = handle;
          const next = startWorker(workerData, logger);
          restarting = { from: dead, next };
          current = next.catch(() => {
            // Forget a failed restart so the next call tries again.
            restarting = undefined;
            return dead;
          });
        }
        handle = await restarting!.next;
      }
      return handle.scoreBatch(texts);
    },
    dispose() {
      disposing ??= current.then((handle) => handle.dispose());
      return disposing;
    },
  };
}
