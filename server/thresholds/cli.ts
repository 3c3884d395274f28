import type { Command } from 'commander';
import type { Cli } from '../command.ts';
import { plural } from '../plural.ts';
import { AppError } from '../errors.ts';
import { LABELS } from '../scoring/labels.ts';

const show = (v: number | null) => (v === null ? 'off' : String(v));

/** Parses `label=value` pairs; `off` switches a label off. */
export function parseAssignments(pairs: string[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const pair of pairs) {
    const m = /^([a-z_]+)=(off|[0-9.]+)$/.exec(pair.trim());
    if (!m) throw new AppError('VALIDATION', `"${pair}" must look like label=0.7 or label=off (labels: ${LABELS.join(', ')})`);
    out[m[1]!] = m[2] === 'off' ? null : Number(m[2]);
  }
  return out;
}

/** `npx triage thresholds show|history|set`. */
export function registerThresholdCommands(program: Command, cli: Cli): void {
  const cmd = program.command('thresholds').description('show or change the flagging thresholds');

  cmd
    .command('show')
    .description('the thresholds in force')
    .addOption(cli.dbOption())
    .action((opts: { db?: string }) =>
      cli.withTriage(
        'thresholds show',
        opts,
        ({ thresholds }) => {
          const v = thresholds.current();
          console.log(`version ${v.id}, since ${new Date(v.createdAt).toISOString()}${v.reason ? ` (${v.reason})` : ''}`);
          for (const l of LABELS) console.log(`${l.padEnd(16)} ${show(v.values[l])}`);
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('history')
    .description('every version: who, when, what changed and why')
    .addOption(cli.dbOption())
    .action((opts: { db?: string }) =>
      cli.withTriage(
        'thresholds history',
        opts,
        ({ thresholds }) => {
          for (const h of thresholds.history()) {
            const changes = h.changes.map((c) => `${c.label} ${show(c.old)} -> ${show(c.new)}`).join(', ') || 'initial values';
            console.log(`v${h.id}  ${new Date(h.createdAt).toISOString()}  ${h.moderator ?? '(system)'}  ${changes}${h.reason ? `  "${h.reason}"` : ''}`);
          }
        },
        { mustExist: true },
      ),
    );

  cmd
    .command('set')
    .description("save new thresholds and re-evaluate every stored comment's flags")
    .argument('<assignments...>', 'label=value pairs, e.g. toxicity=0.7 threat=off')
    .option('--reason <text>', 'why, kept in the history')
    .option('--by <username>', 'the admin to record as the author (default: none, shown as "(system)")')
    .addOption(cli.dbOption())
    .action((assignments: string[], opts: { reason?: string; by?: string; db?: string }) =>
      cli.withTriage(
        'thresholds set',
        opts,
        async ({ thresholds, stores }) => {
          let moderatorId: number | null = null;
          if (opts.by) {
            const user = stores.auth.getByUsername(opts.by);
            if (!user) return cli.fail(`triage thresholds set: no user "${opts.by}"`);
            if (user.role !== 'admin') return cli.fail(`triage thresholds set: "${opts.by}" is not an admin`);
            moderatorId = user.id;
          }
          const r = await thresholds.update(parseAssignments(assignments), { moderatorId, reason: opts.reason ?? null });
          console.log(`Saved version ${r.version.id}: ${r.changes.map((c) => `${c.label} ${show(c.old)} -> ${show(c.new)}`).join(', ')}`);
          const e = r.reevaluation;
          console.log(
            `Re-evaluated in ${r.ms} ms: ${plural(e.flagsRaised, 'flag')} raised, ${e.flagsRemoved} removed; ${plural(e.queueEntered, 'comment')} entered the queue, ${e.queueLeft} left it.`,
          );
        },
        { mustExist: true },
      ),
    );
}
