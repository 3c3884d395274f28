/**
 * The real server (server/main.ts) as a child process on a database file, as
 * `npm start` runs it: for the tests and benchmarks that kill it (SIGKILL) and
 * start it again. It listens on a random port of 127.0.0.1, loads our local
 * model, imports no seeds, and may send webhooks to loopback receivers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:PORT` */
  base: string;
}

/** Starts the server; resolves with its base URL once it listens, rejects if it exits or is silent for `timeoutMs`. */
export function startServerProcess(dbPath: string, options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/main.ts'), '--db', dbPath, '--no-seed', '--port', '0', '--model', 'local'], {
    cwd: ROOT,
    env: { ...process.env, TRIAGE_WEBHOOKS_ALLOW_PRIVATE: '1', LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let started = false;
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      if (started) return;
      out += chunk.toString('utf8');
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve({ child, base: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

/** SIGKILL (no shutdown: deliveries in flight stay unrecorded) or SIGTERM (clean stop); resolves once it exited. */
export async function stopServerProcess(server: ServerProcess, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill(signal);
  await exited;
}
