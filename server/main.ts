import { Command } from 'commander';
import { buildApp } from './app.ts';
import { generatePassword } from './auth/password.ts';
import { createAuthService } from './auth/service.ts';
import { createAuthStore } from './auth/store.ts';
import { ConfigError, DEFAULT_CONFIG, rawFromEnv, resolveConfig, type Config, type RawConfig } from './config.ts';
import { openDatabase } from './db/open.ts';

/** `npm start` / `tsx server/main.ts [flags]`: the server on a real database. */
function readConfig(argv: string[]): Config {
  const program = new Command('triage-server')
    .description('Triage server. Every flag also reads an environment variable; the flag wins.')
    .option('--port <n>', `PORT: port to listen on (default ${DEFAULT_CONFIG.port})`)
    .option('--host <address>', `HOST: address to bind (default ${DEFAULT_CONFIG.host}; 0.0.0.0 for every interface)`)
    .option('--db <path>', `TRIAGE_DB: SQLite file (default ${DEFAULT_CONFIG.dbPath})`)
    .option('--model <name>', 'TRIAGE_MODEL: local (default), toxicity (Google\u2019s; needs npm run model:fetch) or auto')
    .option('--admin-password <password>', 'TRIAGE_ADMIN_PASSWORD: password of the first admin (generated and printed when unset)')
    .option('--seed', 'TRIAGE_SEED=1: import the seed threads on first start (default)')
    .option('--no-seed', 'TRIAGE_SEED=0: start with an empty database')
    .parse(argv);
  const flags = program.opts<RawConfig>();
  return resolveConfig(rawFromEnv(process.env), flags);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = readConfig(process.argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`triage: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }

  const db = openDatabase(config.dbPath);

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({
      db,
      scoring: { model: config.model },
      seed: config.seed,
      logger: { level: process.env.LOG_LEVEL ?? 'info' },
    });
  } catch (err) {
    db.close();
    console.error(`triage: could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }

  // After the app built (model loaded): a generated password is only shown
  // below, so the account must not exist unless the server really starts.
  const auth = createAuthService({ db, store: createAuthStore(db), now: Date.now });
  let firstAdminPassword: string | null = null;
  if (createAuthStore(db).count() === 0) {
    const password = config.adminPassword ?? generatePassword();
    await auth.addUser({ username: 'admin', password, role: 'admin' });
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
    console.error(`triage: cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
    await app.close();
    db.close();
    process.exit(1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  console.log(`\nTriage is running at http://${shownHost}:${port}/  (database ${config.dbPath})`);
  if (firstAdminPassword) {
    console.log(`Sign in as "admin" with the password ${firstAdminPassword}`);
    console.log('It is shown only this once. Add people with: npx triage user add NAME --role moderator');
  } else {
    console.log('Sign in with your account; add people with: npx triage user add NAME --role moderator');
  }
  console.log('Press Ctrl-C to stop.\n');
}

await main();
