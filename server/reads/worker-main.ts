import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { createTriage } from '../triage.ts';
import { readJobs, type ReadContext, type ReadJobTable } from './jobs.ts';
import type { FromReadWorker, ToReadWorker } from './runner.ts';

// The read thread: its own read-only connection to the app's database file
// (WAL lets it read while the main thread writes), answering one job at a
// time in arrival order. Started and terminated by runner.ts.

const port = parentPort;
if (!port) throw new Error('worker-main.ts must run in a worker thread (see runner.ts)');

const db = new Database((workerData as { path: string }).path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The services are built once, so the threshold analysis cache lives as long
// as the connection; each job brings the main thread's model and clock.
let context: ReadContext = { model: null, now: 0 };
const jobs: ReadJobTable = readJobs(createTriage({ db, now: () => context.now, model: () => context.model }));

port.on('message', (message: ToReadWorker) => {
  let reply: FromReadWorker;
  try {
    context = message.context;
    const job = jobs[message.name] as (args: unknown) => unknown;
    // One read transaction: every query of the job sees the same snapshot,
    // as the in-thread path does by running synchronously.
    const result = db.transaction(() => job(message.args))();
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
