/**
 * Shared by the browser tests: a real Triage server (spawned as `tsx
 * server/main.ts`, exactly as `npm start` runs it) on a temporary database,
 * and Debian's chromium driven by playwright-core.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';
export const ADMIN_PASSWORD = 'browser-test-pw';
/** What the dashboard's client sends on every call; a signed-in change without it is refused (server/auth/csrf.ts). */
export const CLIENT_HEADERS = { 'x-requested-with': 'triage' };

export interface TestServer {
  url: string;
  /** Everything the server printed, for failure messages (it never prints comment text). */
  output(): string;
  /** Resolves once every imported comment has a score (or failed scoring). */
  waitForScoring(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, output: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (${String(lastError ?? 'no answer')}). Server output:\n${output()}`);
}

/** Starts `server/main.ts` on a fresh database in a temporary folder; the seed threads are imported on first start. */
export async function startServer(options: { seed?: boolean } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'triage-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      TRIAGE_DB: join(dir, 'triage.db'),
      TRIAGE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TRIAGE_SEED: options.seed === false ? '0' : '1',
      TRIAGE_MODEL: 'local',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const output = () => log.slice(-4000);

  const died = exited.then(() => {
    throw new Error(`The server exited with ${child.exitCode} before answering. Its output:\n${output()}`);
  });
  await Promise.race([
    died,
    poll('the server to answer /api/health', 90_000, async () => {
      const response = await fetch(`${url}/api/health`);
      return response.ok ? true : undefined;
    }, output),
  ]);
  died.catch(() => {});

  return {
    url,
    output,
    async waitForScoring(timeoutMs = 180_000) {
      await poll('scoring to finish', timeoutMs, async () => {
        const health = (await (await fetch(`${url}/api/health`)).json()) as { scoring: { pending: number; done: number } };
        return health.scoring.pending === 0 && health.scoring.done > 0 ? true : undefined;
      }, output);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** Opens the dashboard and signs in through the sign-in screen. */
export async function signIn(page: Page, url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${url}/#/queue`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
