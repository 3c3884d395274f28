import { Command } from 'commander';
import { registerModelCommands } from './adaptation/cli.ts';
import { registerUserCommands } from './auth/cli.ts';
import { cli } from './command.ts';
import { addServerOptions, type RawConfig } from './config.ts';
import { registerIngestCommands } from './ingest/cli.ts';
import { registerKeyCommands } from './integrations/cli.ts';
import { registerRescoreCommand, registerScoreCommand } from './scoring/cli.ts';
import { registerReportCommand } from './reports/cli.ts';
import { registerThresholdCommands } from './thresholds/cli.ts';

/**
 * `npx triage …`. Each domain registers its own commands; this file only
 * lists them, so `npx triage --help` shows everything.
 */
export function buildProgram(): Command {
  const program = new Command('triage')
    .description('Triage: self-hosted comment moderation with local toxicity scoring')
    .showHelpAfterError();
  addServerOptions(program.command('start').description('run the dashboard server (npm start also builds the web UI first)')).action(
    async (flags: RawConfig) => (await import('./main.ts')).runServer(flags),
  );
  registerUserCommands(program, cli);
  registerIngestCommands(program, cli);
  registerScoreCommand(program);
  registerRescoreCommand(program, cli);
  registerThresholdCommands(program, cli);
  registerReportCommand(program, cli);
  registerKeyCommands(program, cli);
  registerModelCommands(program, cli);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
