import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { openDatabase } from '../db/open.ts';
import { AppError } from '../errors.ts';
import { generatePassword } from './password.ts';
import { createAuthService } from './service.ts';
import { createAuthStore, ROLES, type Role } from './store.ts';

export function defaultDbPath(): string {
  return process.env.TRIAGE_DB || 'data/triage.db';
}

/** A runtime failure (not a usage mistake): the message without the help text, exit code 1. */
export function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

/** Asks twice on a terminal; empty means "generate one". */
async function promptPassword(): Promise<string | null> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  try {
    const first = await rl.question('Password (empty to generate one): ');
    if (first === '') return null;
    const second = await rl.question('Same password again: ');
    if (first !== second) throw new Error('the passwords differ');
    return first;
  } finally {
    rl.close();
  }
}

/** `npx triage user add NAME --role ROLE [--password P] [--db PATH]`. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage moderator accounts');
  user
    .command('add')
    .description('add a moderator, lead or admin')
    .argument('<name>', 'username (letters, digits, . _ @ -)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password <password>', 'at least 8 characters; prompted for on a terminal, else generated and printed')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
    .action(async (name: string, opts: { role: string; password?: string; db?: string }) => {
      if (!ROLES.includes(opts.role as Role)) program.error(`--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`);
      let password = opts.password ?? null;
      if (password === null && process.stdin.isTTY) password = await promptPassword();
      const generated = password === null;
      password ??= generatePassword();
      const db = openDatabase(opts.db ?? defaultDbPath());
      try {
        const auth = createAuthService({ db, store: createAuthStore(db), now: Date.now });
        const added = await auth.addUser({ username: name, password, role: opts.role as Role });
        console.log(`Added ${added.role} "${added.username}" (id ${added.id}).`);
        if (generated) console.log(`Password: ${password}  (shown only now)`);
      } catch (err) {
        if (err instanceof AppError) return fail(`triage user add: ${err.message}`);
        throw err;
      } finally {
        db.close();
      }
    });
}
