import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { Cli } from '../command.ts';
import { generatePassword } from './password.ts';
import { PASSWORD_MIN_LENGTH } from './password-policy.ts';
import { ROLES, type Role } from './roles.ts';

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
export function registerUserCommands(program: Command, cli: Cli): void {
  const user = program.command('user').description('manage moderator accounts');
  user
    .command('add')
    .description('add a moderator, lead or admin')
    .argument('<name>', 'username (letters, digits, . _ @ -)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--password <password>', `at least ${PASSWORD_MIN_LENGTH} characters, not a common password, a sequence or the username; prompted for on a terminal, else generated and printed`)
    .addOption(cli.dbOption())
    .action(async (name: string, opts: { role: string; password?: string; db?: string }) => {
      if (!ROLES.includes(opts.role as Role)) program.error(`--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`);
      let given = opts.password ?? null;
      if (given === null && process.stdin.isTTY) given = await promptPassword();
      const generated = given === null;
      const password = given ?? generatePassword();
      await cli.withTriage('user add', opts, async ({ auth }) => {
        const added = await auth.addUser({ username: name, password, role: opts.role as Role });
        console.log(`Added ${added.role} "${added.username}" (id ${added.id}).`);
        if (generated) console.log(`Password: ${password}  (shown only now)`);
      });
    });
}
