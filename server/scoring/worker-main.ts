import { parentPort, workerData } from 'node:worker_threads';
import type { ScoringLogger } from './backend.ts';
import { loadInThisThread } from './index.ts';
import { toWireError, type FromWorker, type ToWorker, type WorkerModelOptions } from './worker-protocol.ts';
import type { Scorer } from './types.ts';

// The scoring thread: loads one model, then answers score requests one at a
// time in arrival order. Started by worker-entry.mjs for worker-scorer.ts,
// which disposes of it by terminating the thread.

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread (see worker-scorer.ts)');

function send(message: FromWorker): void {
  port!.postMessage(message);
}

const logger: ScoringLogger = {
  info: (details, message) => send({ type: 'log', level: 'info', details, message }),
  warn: (details, message) => send({ type: 'log', level: 'warn', details, message }),
};

let scorer: Scorer;
try {
  const loaded = await loadInThisThread(workerData as WorkerModelOptions, logger);
  scorer = loaded.scorer;
  send({ type: 'ready', model: scorer.model, backend: loaded.backend });
} catch (error) {
  send({ type: 'failed', error: toWireError(error) });
  port.close();
  throw error;
}

port.on('message', (message: ToWorker) => {
  const { id, texts } = message;
  scorer.scoreBatch(texts).then(
    (results) => send({ type: 'scored', id, results }),
    (error: unknown) => send({ type: 'error', id, error: toWireError(error) }),
  );
});
