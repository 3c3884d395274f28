import { parentPort, workerData } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { parseImport } from './parse.ts';
import type { FromParseWorker } from './parse-worker.ts';
import type { ImportFormat } from './formats.ts';

/** Comments per message: a few milliseconds to copy on the main thread. */
const PIECE = 1000;

// Parses one file and sends it back in pieces, each only once the main thread
// asks for the next: every message is copied on the main thread, and messages
// that arrive together are read in one go, so they must not come all at once.
const port = parentPort;
if (!port) throw new Error('parse-worker-main.ts must run in a worker thread (see parse-worker.ts)');
const { text, format } = workerData as { text: string; format: ImportFormat | 'auto' };
const asked = () => new Promise<void>((resolve) => port.once('message', () => resolve()));
const send = async (message: FromParseWorker) => {
  port.postMessage(message);
  if (message.kind !== 'end' && message.kind !== 'error') await asked();
};

try {
  const parsed = parseImport(text, format);
  await send({ kind: 'start', format: parsed.format });
  for (const { comments, ...thread } of parsed.threads) {
    await send({ kind: 'thread', thread: { ...thread, comments: [] } });
    for (let i = 0; i < comments.length; i += PIECE) await send({ kind: 'comments', comments: comments.slice(i, i + PIECE) });
  }
  await send({ kind: 'end' });
} catch (error) {
  await send({
    kind: 'error',
    error:
      error instanceof AppError
        ? { message: error.message, code: error.code, details: error.details }
        : { message: error instanceof Error ? error.message : String(error) },
  });
}
