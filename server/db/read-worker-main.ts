import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { createReadJobs } from './read-jobs.ts';
import type { FromReadWorker, ToReadWorker } from './read-worker.ts';
import { AppError } from '../errors.ts';

// The read thread: its own read-only connection to the app's database file
// (WAL lets it read while the main thread writes), answering one job at a
// time in arrival order. Started and terminated by read-worker.ts.

const port = parentPort;
if (!port) throw new Error('read-worker-main.ts must run in a worker thread (see read-worker.ts)');

const db = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const jobs = createReadJobs(db);

port.on('message', (message: ToReadWorker) => {
  let reply: FromReadWorker;
  try {
    // One read transaction: every query of the job sees the same snapshot,
    // as the in-thread path does by running synchronously.
    const result = db.transaction(() => jobs.run(message.name, message.args as never, message.context))();
    reply = { id: message.id, ok: true, result };
  } catch (error) {
    reply = {
      id: message.id,
      ok: false,
      error:
        error instanceof AppError
          ? { name: error.name, message: error.message, code: error.code, details: error.details }
          : { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) },
    };
  }
  port.postMessage(reply);
});
