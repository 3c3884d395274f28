import type { Command } from 'commander';
import type { Cli } from '../command.ts';
import type { ApiKey } from './service.ts';

const when = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** `npx triage keys create NAME [--source S]`, `keys list`, `keys revoke ID`. */
export function registerKeyCommands(program: Command, cli: Cli): void {
  const keys = program.command('keys').description('manage the API keys of the sites Triage moderates');
  keys
    .command('create')
    .description('create an API key for a site; prints the key once, alone on the last line')
    .argument('<name>', 'what the key is for (shown in lists)')
    .option('--source <source>', 'the site the key speaks for (default: the name)')
    .addOption(cli.dbOption())
    .action(async (name: string, opts: { source?: string; db?: string }) => {
      await cli.withTriage('keys create', opts, ({ integrations }) => {
        const { key, apiKey } = integrations.createKey({ name, source: opts.source }, null);
        console.log(`Created API key ${apiKey.id} "${apiKey.name}" for source "${apiKey.source}". It is shown only now; keep it secret:`);
        console.log(key);
      });
    });
  keys
    .command('list')
    .description('list API keys (prefixes only, never the keys)')
    .addOption(cli.dbOption())
    .action(async (opts: { db?: string }) => {
      await cli.withTriage(
        'keys list',
        opts,
        ({ integrations }) => {
          const rows = integrations.listKeys();
          if (rows.length === 0) return void console.log('No API keys.');
          console.log(['id', 'name', 'source', 'prefix', 'created', 'last used', 'revoked'].join('\t'));
          for (const k of rows) console.log(line(k));
        },
        { mustExist: true },
      );
    });
  keys
    .command('revoke')
    .description('revoke an API key: it stops working at once')
    .argument('<id>', 'the key\u2019s id (keys list)')
    .addOption(cli.dbOption())
    .action(async (id: string, opts: { db?: string }) => {
      if (!/^[1-9]\d{0,15}$/.test(id)) program.error(`ID must be a key's id, a positive whole number (got "${id}")`);
      await cli.withTriage(
        'keys revoke',
        opts,
        ({ integrations }) => {
          const k = integrations.revokeKey(Number(id));
          console.log(`Revoked API key ${k.id} "${k.name}" (${k.prefix}…).`);
        },
        { mustExist: true },
      );
    });
}

function line(k: ApiKey): string {
  return [k.id, k.name, k.source, `${k.prefix}…`, when(k.createdAt), when(k.lastUsedAt), when(k.revokedAt)].join('\t');
}
