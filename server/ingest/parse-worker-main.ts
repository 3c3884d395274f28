import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { parseImport } from './parse.ts';
import type { FromParseWorker } from './parse-worker.ts';
import type { ImportFormat } from './formats.ts';

// Parses one file and sends it back in pieces: each message is copied on the
// main thread when it arrives, so a million comments must not come as one.
const port = parentPort;
if (!port) throw new Error('parse-worker-main.ts must run in a worker thread (see parse-worker.ts)');
const { text, format } = workerData as { text: string; format: ImportFormat | 'auto' };
const send = (message: FromParseWorker) => port.postMessage(message);

try {
  const parsed = parseImport(text, format);
  send({ kind: 'start', format: parsed.format });
  for (const { comments, ...thread } of parsed.threads) {
    send({ kind: 'thread', thread: { ...thread, comments: [] } });
    for (let i = 0; i < comments.length; i += 5000) send({ kind: 'comments', comments: comments.slice(i, i + 5000) });
  }
  send({ kind: 'end' });
} catch (error) {
  send({
    kind: 'error',
    error:
      error instanceof AppError
        ? { message: error.message, code: error.code, details: error.details }
        : { message: error instanceof Error ? error.message : String(error) },
  });
}
