import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Db } from '../db/open.ts';
import type { ReadContext, ReadJobName, ReadJobs, ReadJobTable } from './jobs.ts';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export type ToReadWorker = { id: number; name: ReadJobName; args: unknown; context: ReadContext };

interface WireError {
  name: string;
  message: string;
  /** Set when the job threw an AppError: it becomes the same response. */
  code?: ErrorCode;
  details?: Record<string, unknown>;
}

export type FromReadWorker = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };

/** Runs a named read-only job (jobs.ts) and resolves with its result as plain data. */
export interface ReadRunner {
  run<K extends ReadJobName>(name: K, args: ReadJobs[K]['args']): Promise<ReadJobs[K]['result']>;
  /** Ends the worker thread, if one started; jobs in flight reject. */
  close(): Promise<void>;
  /** Whether jobs run in a worker thread (a database file) or in this one (`:memory:`, or a read-only connection: the worker's own). */
  readonly inWorker: boolean;
}

function fromWire(wire: WireError): Error {
  if (wire.code) return new AppError(wire.code, wire.message, wire.details);
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

/**
 * Reads that take seconds on a large install (the threshold analysis, the
 * shadow view, the report summary) run here rather than on the event loop
 * that serves every moderator. A database file gets one worker thread with
 * its own read-only connection, started on the first job and reused; an
 * in-memory database cannot be shared between connections, so its jobs run
 * in this thread (`local`, the jobs on this thread's services). If the worker
 * dies, the jobs in flight reject and the next job starts a fresh one.
 */
export function createReadRunner(db: Db, local: ReadJobTable, context: () => ReadContext): ReadRunner {
  if (db.memory || db.readonly) {
    return {
      inWorker: false,
      run: async (name, args) => (local[name] as (a: typeof args) => ReadJobs[typeof name]['result'])(args),
      close: async () => {},
    };
  }

  const path = db.name;
  let worker: Worker | null = null;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;

  function failAll(error: Error): void {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  function start(): Worker {
    const w = new Worker(ENTRY, { workerData: { path } });
    w.on('message', (message: FromReadWorker) => {
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      // An idle worker must not keep the process alive.
      if (pending.size === 0) w.unref();
      if (message.ok) p.resolve(message.result);
      else p.reject(fromWire(message.error));
    });
    w.on('error', (error) => {
      if (worker === w) worker = null;
      failAll(error);
    });
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      failAll(new Error(closed ? 'The read worker has been closed' : `The read worker exited (code ${code})`));
    });
    return w;
  }

  return {
    inWorker: true,
    run(name, args) {
      if (closed) return Promise.reject(new Error('The read worker has been closed'));
      worker ??= start();
      const w = worker;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
        w.ref();
        w.postMessage({ id, name, args, context: context() } satisfies ToReadWorker);
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      if (w) await w.terminate();
      failAll(new Error('The read worker has been closed'));
    },
  };
}
