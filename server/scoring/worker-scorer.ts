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

interface Pending {
  resolve: (results: ScoredText[]) => void;
  reject: (error: Error) => void;
}

/**
 * Starts a worker thread, loads the model there and resolves once it is ready,
 * so scoring never blocks the event loop that serves moderators. Rejects with
 * the worker's own error when the model cannot load.
 */
export function startWorkerScorer(options: WorkerModelOptions, logger: ScoringLogger = silentLogger): Promise<WorkerScorer> {
  // Only plain data crosses into the worker.
  const workerData: WorkerModelOptions = { model: options.model, toxicityDir: options.toxicityDir, localDir: options.localDir };
  const worker = new Worker(ENTRY, { workerData });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  // Set once the worker can no longer answer; later calls reject with it.
  let dead: Error | undefined;

  function failAll(error: Error): void {
    dead ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  return new Promise<WorkerScorer>((resolveStart, rejectStart) => {
    let started = false;

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'log':
          logger[message.level](message.details, message.message);
          return;
        case 'ready':
          started = true;
          resolveStart(makeScorer(message.model, message.backend));
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

    function makeScorer(model: string, backend: BackendName): WorkerScorer {
      let disposing: Promise<void> | undefined;
      return {
        model,
        backend,
        scoreBatch(texts) {
          if (disposing) return Promise.reject(new Error('The scorer has been disposed'));
          if (dead) return Promise.reject(dead);
          if (texts.length === 0) return Promise.resolve([]);
          const id = nextId++;
          return new Promise<ScoredText[]>((resolve, reject) => {
            pending.set(id, { resolve, reject });
            worker.postMessage({ type: 'score', id, texts } satisfies ToWorker);
          });
        },
        dispose() {
          disposing ??= (async () => {
            dead ??= new Error('The scorer has been disposed');
            // terminate() alone suffices: the model's memory lives in the
            // worker's isolate and goes with it. Requests still in flight reject.
            failAll(dead);
            await worker.terminate();
          })();
          return disposing;
        },
      };
    }
  });
}
