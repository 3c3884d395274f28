import { Command } from 'commander';
import { buildApp } from './app.ts';
import { generatePassword } from './auth/password.ts';
import { pathToFileURL } from 'node:url';
import { addServerOptions, ConfigError, rawFromEnv, resolveConfig, type Config, type RawConfig } from './config.ts';
import { openDatabase, type Db } from './db/open.ts';
import { storageFailure } from './errors.ts';

/**
 * Why the server cannot start, as one line on stderr, then exit code 1: a
 * storage failure names the database file and the cause; anything else
 * gives its message, never a stack trace.
 */
function exitWith(doing: string, err: unknown, dbPath: string): never {
  const storage = storageFailure(err, dbPath);
  console.error(`triage: ${storage ? storage.message : `${doing}: ${err instanceof Error ? err.message : String(err)}`}`);
  process.exit(1);
}

/**
 * Runs the dashboard server until Ctrl-C: `npm start`, `npx triage start` and
 * `tsx server/main.ts` all come here. Flags win over env vars over defaults.
 */
export async function runServer(flags: RawConfig): Promise<void> {
  let config: Config;
  try {
    config = resolveConfig(rawFromEnv(process.env), flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`triage: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  let db: Db;
  try {
    db = openDatabase(config.dbPath);
  } catch (err) {
    exitWith(`could not open the database ${config.dbPath}`, err, config.dbPath);
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({
      db,
      scoring: { model: config.model },
      seed: config.seed,
      trustProxy: config.trustProxy,
      keyRateLimit: config.apiRateLimit,
      reportsToQueue: config.reportsToQueue,
      team: { claimMs: config.claimSeconds * 1000, undoWindowMs: config.undoMinutes * 60_000 },
      authors: { trustedBar: config.trustedBar, repeatOffender: config.repeatOffender },
      webhooks: { retryWindowMs: config.webhookRetryHours * 3600_000, allowPrivate: config.webhooksAllowPrivate },
      logger: { level: process.env.LOG_LEVEL ?? 'info' },
    });
  } catch (err) {
    db.close();
    exitWith('could not start', err, config.dbPath);
  }

  // After the app built (model loaded): a generated password is only shown
  // below, so the account must not exist unless the server really starts.
  let firstAdminPassword: string | null = null;
  let adminCreated = false;
  if (app.triage.stores.auth.count() === 0) {
    const password = config.adminPassword ?? generatePassword();
    try {
      await app.triage.auth.addUser({ username: 'admin', password, role: 'admin' });
    } catch (err) {
      await app.close();
      db.close();
      exitWith('could not create the first admin', err, config.dbPath);
    }
    adminCreated = true;
    if (!config.adminPassword) firstAdminPassword = password;
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close();
    } finally {
      db.close();
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    if (firstAdminPassword) console.error(`The admin account was created with the password ${firstAdminPassword}; keep it.`);
    await app.close();
    db.close();
    exitWith(`cannot listen on ${config.host}:${config.port}`, err, config.dbPath);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(`\nTriage is running at http://${shownHost}:${port}/  (database ${config.dbPath})`);
  if (firstAdminPassword) {
    console.log(`Sign in as "admin" with the password ${firstAdminPassword}`);
    console.log('It is shown only this once. Add people with: npx triage user add NAME --role moderator');
  } else if (adminCreated) {
    console.log('Sign in as "admin" with the password given in TRIAGE_ADMIN_PASSWORD (or --admin-password).');
    console.log('Add people with: npx triage user add NAME --role moderator');
  } else {
    console.log('Sign in with your account; add people with: npx triage user add NAME --role moderator');
  }
  console.log('Press Ctrl-C to stop.\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const program = addServerOptions(new Command('triage-server').description('Triage server')).parse(process.argv);
  await runServer(program.opts<RawConfig>());
}
