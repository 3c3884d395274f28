import type { Command } from 'commander';
import type { Cli } from '../command.ts';
import { plural } from '../plural.ts';
import type { AdaptationReport } from './service.ts';

const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** The comparison table and the figures behind it, as `npx triage model adapt` prints them. */
export function formatReport(r: AdaptationReport): string[] {
  const c = r.comparison;
  const lines = [
    `Adapted ${r.model} to this site from ${plural(r.decisions, 'decided comment')}: trained on the oldest ${r.trained} (${r.positivesTrained} hidden or escalated, until ${day(r.trainedUntil)}), ` +
      `measured on the most recent ${c.heldOut} (from ${day(r.heldOutFrom)}; ${c.positives} hidden or escalated, ${c.negatives} approved), never trained on. ${r.ms} ms.`,
    '',
    `${'held-out, against moderators'.padEnd(42)}${'ROC AUC'.padStart(16)}${'PR AUC'.padStart(9)}`,
  ];
  for (const [name, f] of [[`shipped (${r.model}, max label)`, c.shipped], ['site head', c.adapted]] as const) {
    const ci = f.rocAucHalfWidth === null ? '' : ` ±${f.rocAucHalfWidth.toFixed(3)}`;
    lines.push(`${name.padEnd(42)}${`${fmt(f.rocAuc)}${ci}`.padStart(16)}${fmt(f.prAuc).padStart(9)}`);
  }
  lines.push(`(PR AUC of a random ranking: ${c.heldOut ? (c.positives / c.heldOut).toFixed(3) : 'n/a'}; ± is the 95% interval)`);
  for (const w of c.warnings) lines.push(`Warning: ${w}.`);
  lines.push('', 'Moderator weighting (each decision weighs 1/sqrt(their decisions), mean 1):');
  for (const m of r.moderators) {
    lines.push(`  ${m.moderator.padEnd(20)} ${String(m.decisions).padStart(6)} decisions  weight ${m.weight.toFixed(2)}  share ${(m.share * 100).toFixed(1)}% (unweighted ${((m.decisions / r.trained) * 100).toFixed(1)}%)`);
  }
  lines.push('', 'Nothing was saved or promoted: the shipped model still scores every comment. Shadow scoring, promotion and rollback are not built yet (issue 11).');
  return lines;
}

/** `npx triage model adapt`. */
export function registerModelCommands(program: Command, cli: Cli): void {
  const cmd = program.command('model').description("the scoring model and its adaptation to this site's decisions");
  cmd
    .command('adapt')
    .description("train a site head on the moderators' decisions and compare it with the shipped model on the most recent 20% (saves nothing)")
    .addOption(cli.dbOption())
    .action((opts: { db?: string }) =>
      cli.withTriage(
        'model adapt',
        opts,
        async ({ adaptation }) => {
          for (const line of formatReport(await adaptation.adapt())) console.log(line);
        },
        { mustExist: true },
      ),
    );
}
