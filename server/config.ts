import type { Command } from 'commander';
import { isIP } from 'node:net';
import { PASSWORD_MIN_LENGTH, passwordProblem } from './auth/password-policy.ts';
import type { ModelChoice } from './scoring/types.ts';

/** How `npm start` / `server/main.ts` runs. Each field has an env var and a CLI flag; the flag wins. */
export interface Config {
  /** `PORT` / `--port`: TCP port to listen on. Default 3000. */
  port: number;
  /** `HOST` / `--host`: address to bind. Default 127.0.0.1 (this machine only). */
  host: string;
  /** `TRIAGE_DB` / `--db`: SQLite database file, created if missing. Default data/triage.db. */
  dbPath: string;
  /** `TRIAGE_MODEL` / `--model`: local (our model, default), toxicity (Google's), auto (Google's when its weights are present). */
  model: ModelChoice;
  /** `TRIAGE_ADMIN_PASSWORD` / `--admin-password`: password of the first admin; generated and printed once when unset. Must pass the password rule (server/auth/password-policy.ts). */
  adminPassword: string | null;
  /** `TRIAGE_SEED` / `--seed`, `--no-seed`: import the threads in seeds/ on first start. Default on; 0 starts empty. */
  seed: boolean;
  /**
   * `TRIAGE_TRUST_PROXY` / `--trust-proxy`: believe X-Forwarded-Proto, -Host and -For (Fastify's
   * `trustProxy`), so a request that reached a TLS proxy counts as https and its cookies get Secure.
   * false (default); true (`1`: from any peer, only when nothing but the proxy can reach the server);
   * or the proxies' addresses and CIDR ranges, comma-separated (`127.0.0.1,10.0.0.0/8`).
   */
  trustProxy: boolean | string;
  /** `TRIAGE_API_RATE_LIMIT` / `--api-rate-limit`: requests an API key may make a minute on /api/v1/ routes. Default 600. */
  apiRateLimit: number;
  /** `TRIAGE_REPORTS_TO_QUEUE` / `--reports-to-queue`: readers' reports that bring a comment to the review queue. Default 1. */
  reportsToQueue: number;
  /** `TRIAGE_WEBHOOK_RETRY_HOURS` / `--webhook-retry-hours`: how long a webhook delivery is retried before it is marked failed. Default 24. */
  webhookRetryHours: number;
  /**
   * `TRIAGE_WEBHOOKS_ALLOW_PRIVATE` / `--webhooks-allow-private`: allow webhook endpoints on loopback and
   * private addresses. Off by default: a server-side request forgery guard.
   */
  webhooksAllowPrivate: boolean;
  /** `TRIAGE_CLAIM_SECONDS` / `--claim-seconds`: how long opening a comment claims it (renewed while open). Default 120. */
  claimSeconds: number;
  /** `TRIAGE_UNDO_MINUTES` / `--undo-minutes`: how long a moderator can undo their own decision. Default 10. */
  undoMinutes: number;
  /** `TRIAGE_TRUSTED_BAR` / `--trusted-bar`: the score a trusted author's comment must reach to be flagged by it. Default 0.95. */
  trustedBar: number;
  /** `TRIAGE_REPEAT_OFFENDER` / `--repeat-offender`: `N/D` watches an author with N hidden comments in D days; `off` (default). */
  repeatOffender: { hidden: number; days: number } | null;
}

export const DEFAULT_CONFIG: Config = {
  port: 3000,
  host: '127.0.0.1',
  dbPath: 'data/triage.db',
  model: 'local',
  adminPassword: null,
  seed: true,
  trustProxy: false,
  apiRateLimit: 600,
  reportsToQueue: 1,
  webhookRetryHours: 24,
  webhooksAllowPrivate: false,
  claimSeconds: 120,
  undoMinutes: 10,
  trustedBar: 0.95,
  repeatOffender: null,
};

/** Values as given, before checking: env vars and flags are both strings. */
export interface RawConfig {
  port?: string;
  host?: string;
  db?: string;
  model?: string;
  adminPassword?: string;
  seed?: string | boolean;
  trustProxy?: string | boolean;
  apiRateLimit?: string;
  reportsToQueue?: string;
  webhookRetryHours?: string;
  webhooksAllowPrivate?: string | boolean;
  claimSeconds?: string;
  undoMinutes?: string;
  trustedBar?: string;
  repeatOffender?: string;
}

export class ConfigError extends Error {}

const MODELS: readonly ModelChoice[] = ['local', 'toxicity', 'auto'];

/** Env var names, for `--help` and error messages. */
export const ENV_NAMES: Record<keyof RawConfig, string> = {
  port: 'PORT',
  host: 'HOST',
  db: 'TRIAGE_DB',
  model: 'TRIAGE_MODEL',
  adminPassword: 'TRIAGE_ADMIN_PASSWORD',
  seed: 'TRIAGE_SEED',
  trustProxy: 'TRIAGE_TRUST_PROXY',
  apiRateLimit: 'TRIAGE_API_RATE_LIMIT',
  reportsToQueue: 'TRIAGE_REPORTS_TO_QUEUE',
  webhookRetryHours: 'TRIAGE_WEBHOOK_RETRY_HOURS',
  webhooksAllowPrivate: 'TRIAGE_WEBHOOKS_ALLOW_PRIVATE',
  claimSeconds: 'TRIAGE_CLAIM_SECONDS',
  undoMinutes: 'TRIAGE_UNDO_MINUTES',
  trustedBar: 'TRIAGE_TRUSTED_BAR',
  repeatOffender: 'TRIAGE_REPEAT_OFFENDER',
};

export function rawFromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const raw: RawConfig = {};
  for (const key of Object.keys(ENV_NAMES) as (keyof RawConfig)[]) {
    const value = env[ENV_NAMES[key]];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return raw;
}

/** A switch: 1/on/true/yes or 0/off/false/no. */
function parseSwitch(value: string | boolean, where: string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'on', 'true', 'yes'].includes(v)) return true;
  if (['0', 'off', 'false', 'no'].includes(v)) return false;
  throw new ConfigError(`${where} must be 1 or 0 (got "${value}")`);
}

/** Address names proxy-addr (Fastify's trustProxy) knows besides addresses. */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function parseTrustProxy(value: string | boolean, where: string): boolean | string {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'on', 'true', 'yes'].includes(v)) return true;
  if (['0', 'off', 'false', 'no'].includes(v)) return false;
  const entries = v.split(',').map((e) => e.trim());
  const bad = entries.find((e) => {
    if (PROXY_NAMES.includes(e)) return false;
    const [address, bits, ...rest] = e.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    return bits !== undefined && !(/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (bad !== undefined) {
    throw new ConfigError(`${where} must be 1, 0, or proxy addresses and CIDR ranges separated by commas (got "${value}")`);
  }
  return entries.join(',');
}

/**
 * Checks and combines configuration: flags over env over defaults. Throws a
 * ConfigError naming the variable or flag and the value it did not accept.
 */
export function resolveConfig(env: RawConfig, flags: RawConfig = {}): Config {
  const pick = <K extends keyof RawConfig>(key: K): { value: RawConfig[K]; where: string } | undefined => {
    if (flags[key] !== undefined) return { value: flags[key], where: `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` };
    if (env[key] !== undefined) return { value: env[key], where: ENV_NAMES[key] };
    return undefined;
  };
  const config: Config = { ...DEFAULT_CONFIG };

  const port = pick('port');
  if (port) {
    const text = String(port.value).trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 0 || n > 65535) throw new ConfigError(`${port.where} must be a port number 0-65535 (got "${port.value}")`);
    config.port = n;
  }
  const host = pick('host');
  if (host) {
    if (!String(host.value).trim()) throw new ConfigError(`${host.where} must not be empty`);
    config.host = String(host.value).trim();
  }
  const db = pick('db');
  if (db) config.dbPath = String(db.value);
  const model = pick('model');
  if (model) {
    if (!MODELS.includes(model.value as ModelChoice)) {
      throw new ConfigError(`${model.where} must be one of ${MODELS.join(', ')} (got "${model.value}")`);
    }
    config.model = model.value as ModelChoice;
  }
  const password = pick('adminPassword');
  if (password) {
    // The first admin is named admin (server/main.ts).
    const problem = passwordProblem(String(password.value), 'admin');
    if (problem) throw new ConfigError(`${password.where} ${problem}`);
    config.adminPassword = String(password.value);
  }
  const seed = pick('seed');
  if (seed && seed.value !== undefined) config.seed = parseSwitch(seed.value, seed.where);
  const trustProxy = pick('trustProxy');
  if (trustProxy && trustProxy.value !== undefined) config.trustProxy = parseTrustProxy(trustProxy.value, trustProxy.where);
  const number = (
    key: 'apiRateLimit' | 'reportsToQueue' | 'webhookRetryHours' | 'claimSeconds' | 'undoMinutes' | 'trustedBar',
    min: number,
    max: number,
    what: string,
    whole = true,
  ): void => {
    const given = pick(key);
    if (!given) return;
    const text = String(given.value).trim();
    const n = Number(text);
    if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(text) || n < min || n > max) {
      throw new ConfigError(`${given.where} must be ${what}, ${min}-${max} (got "${given.value}")`);
    }
    config[key] = n;
  };
  number('apiRateLimit', 1, 1_000_000, 'a whole number of requests a minute');
  number('reportsToQueue', 1, 1000, 'a whole number of reports');
  number('webhookRetryHours', 0.01, 720, 'a number of hours', false);
  number('claimSeconds', 10, 3600, 'a whole number of seconds');
  number('undoMinutes', 1, 1440, 'a whole number of minutes');
  number('trustedBar', 0, 1, 'a score', false);
  const repeat = pick('repeatOffender');
  if (repeat) {
    const text = String(repeat.value).trim().toLowerCase();
    const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
    if (['off', '0', 'no', 'false'].includes(text)) config.repeatOffender = null;
    else if (m && Number(m[1]) >= 1 && Number(m[2]) >= 1) config.repeatOffender = { hidden: Number(m[1]), days: Number(m[2]) };
    else throw new ConfigError(`${repeat.where} must be N/D (N hidden comments in D days, e.g. 3/30) or off (got "${repeat.value}")`);
  }
  const allowPrivate = pick('webhooksAllowPrivate');
  if (allowPrivate && allowPrivate.value !== undefined) config.webhooksAllowPrivate = parseSwitch(allowPrivate.value, allowPrivate.where);
  return config;
}

/** The server's flags, each naming the env var it overrides. */
export function addServerOptions(command: Command): Command {
  return command
    .option('--port <n>', `PORT: port to listen on (default ${DEFAULT_CONFIG.port})`)
    .option('--host <address>', `HOST: address to bind (default ${DEFAULT_CONFIG.host}; 0.0.0.0 for every interface)`)
    .option('--db <path>', `TRIAGE_DB: SQLite file (default ${DEFAULT_CONFIG.dbPath})`)
    .option('--model <name>', 'TRIAGE_MODEL: local (default), toxicity (Google\u2019s; needs npm run model:fetch) or auto')
    .option('--admin-password <password>', `TRIAGE_ADMIN_PASSWORD: password of the first admin, at least ${PASSWORD_MIN_LENGTH} characters and not a common one (generated and printed when unset)`)
    .option('--seed', 'TRIAGE_SEED=1: import the seed threads on first start (default)')
    .option('--no-seed', 'TRIAGE_SEED=0: start with an empty database')
    .option('--trust-proxy [addresses]', 'TRIAGE_TRUST_PROXY: believe X-Forwarded-* from these proxies (comma-separated addresses or CIDR ranges; alone: any), so cookies get Secure behind https')
    .option('--api-rate-limit <n>', `TRIAGE_API_RATE_LIMIT: requests an API key may make a minute on /api/v1/ (default ${DEFAULT_CONFIG.apiRateLimit})`)
    .option('--reports-to-queue <n>', `TRIAGE_REPORTS_TO_QUEUE: readers' reports that bring a comment to the queue (default ${DEFAULT_CONFIG.reportsToQueue})`)
    .option('--webhook-retry-hours <hours>', `TRIAGE_WEBHOOK_RETRY_HOURS: how long a webhook delivery is retried (default ${DEFAULT_CONFIG.webhookRetryHours})`)
    .option('--claim-seconds <n>', `TRIAGE_CLAIM_SECONDS: how long opening a comment claims it (default ${DEFAULT_CONFIG.claimSeconds})`)
    .option('--undo-minutes <n>', `TRIAGE_UNDO_MINUTES: how long a moderator can undo their own decision (default ${DEFAULT_CONFIG.undoMinutes})`)
    .option('--trusted-bar <score>', `TRIAGE_TRUSTED_BAR: the score a trusted author's comment must reach to be flagged (default ${DEFAULT_CONFIG.trustedBar})`)
    .option('--repeat-offender <N/D>', 'TRIAGE_REPEAT_OFFENDER: watch an author with N hidden comments in D days, e.g. 3/30 (default off)')
    .option('--webhooks-allow-private', 'TRIAGE_WEBHOOKS_ALLOW_PRIVATE=1: allow webhook endpoints on loopback and private addresses (off by default)');
}
