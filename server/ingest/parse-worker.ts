import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.ts';
import type { ImportFormat } from './formats.ts';
import type { ParsedComment, ParsedImport, ParsedThread } from './types.ts';

const ENTRY = new URL('./parse-worker-entry.mjs', import.meta.url);

export type FromParseWorker =
  | { kind: 'start'; format: string }
  | { kind: 'thread'; thread: ParsedThread }
  | { kind: 'comments'; comments: ParsedComment[] }
  | { kind: 'end' }
  | { kind: 'error'; error: { message: string; code?: ErrorCode; details?: Record<string, unknown> } };

/**
 * Parses a file in a worker thread of its own, so a 50 MB upload never stalls
 * the server; the answer (or the parser's BadImport, as the same error) comes
 * back in pieces. The same pure parsers run as in-thread.
 */
export function parseOffThread(text: string, format: ImportFormat | 'auto'): Promise<ParsedImport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { workerData: { text, format } });
    const parsed: ParsedImport = { format: String(format), threads: [] };
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    // Ask for the next piece only after this turn of the event loop: requests waiting meanwhile go first.
    const next = () => setImmediate(() => !settled && worker.postMessage('next'));
    worker.on('message', (message: FromParseWorker) => {
      if (message.kind === 'start' || message.kind === 'thread' || message.kind === 'comments') next();
      switch (message.kind) {
        case 'start':
          parsed.format = message.format;
          break;
        case 'thread':
          parsed.threads.push(message.thread);
          break;
        case 'comments':
          parsed.threads.at(-1)!.comments.push(...message.comments);
          break;
        case 'end':
          settle(() => resolve(parsed));
          break;
        case 'error': {
          const { message: text, code, details } = message.error;
          settle(() => reject(code ? new AppError(code, text, details) : new Error(text)));
          break;
        }
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the import parser stopped (code ${code})`))));
  });
}
