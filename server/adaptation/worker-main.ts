import { parentPort, workerData } from 'node:worker_threads';
import { adaptRows } from './service.ts';
import type { FromTrainer, TrainerData } from './worker-protocol.ts';

// The training thread: one adaptRows run, its progress posted as it goes,
// then the head and report (or the error). Started by createAdaptationService
// (service.ts) through worker-entry.mjs; it ends by itself or is terminated.

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread (see createAdaptationService)');

const send = (message: FromTrainer) => port.postMessage(message);
const { rows, options } = workerData as TrainerData;

try {
  const { head, report } = await adaptRows(rows, { ...options, onProgress: (p) => send({ type: 'progress', ...p }) });
  send({ type: 'done', head, report });
} catch (error) {
  send({ type: 'failed', error: error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) } });
}
port.close();
