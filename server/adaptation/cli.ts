import type { Command } from 'commander';
import type { Cli } from '../command.ts';
import { registerSiteModelCommands } from './models-cli.ts';
import { LABELS } from '../scoring/labels.ts';
import { plural } from '../plural.ts';
import type { AtThresholds } from './evaluate.ts';
import type { AdaptationReport, TrainingJob } from './service.ts';

const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);

/** The comparison table and the figures behind it, as `npx triage model adapt` prints them. */
export function formatReport(r: AdaptationReport): string[] {
  const c = r.comparison;
  const lines = [
    `Adapted ${r.model} to this site from ${plural(r.decisions, 'decided comment')}: trained on the oldest ${r.trained} (${r.positivesTrained} hidden or escalated, until ${day(r.trainedUntil)}), ` +
      `measured on the most recent ${c.heldOut} (from ${day(r.heldOutFrom)}; ${c.positives} hidden or escalated, ${c.negatives} approved), never trained on. ${r.ms} ms.`,
    `Guards: ${plural(r.samples.trained, 'training decision')} from missed-abuse samples, each weighing ${r.samples.weight}×; ` +
      `${plural(r.distillation.rows, 'undecided comment')} distilled from ${r.current}'s own ${r.distillation.target} score, together weighing ${(r.distillation.share * 100).toFixed(1)}% as much as the decisions; ` +
      (r.anchor.rows > 0
        ? `${plural(r.anchor.rows, 'row')} of ${r.model}'s own training data (its toxicity probability as target), together weighing ${r.anchor.weight}× the decisions.`
        : `no anchor rows (the model folder has none: run npm run anchor).`),
    '',
    `${'held-out, against moderators'.padEnd(42)}${'ROC AUC'.padStart(16)}${'PR AUC'.padStart(9)}${'flagged'.padStart(9)}${'precision'.padStart(11)}${'recall'.padStart(8)}`,
  ];
  const row = (name: string, f: { rocAuc: number | null; prAuc: number | null; rocAucHalfWidth: number | null; atThresholds: AtThresholds }) => {
    const ci = f.rocAucHalfWidth === null ? '' : ` ±${f.rocAucHalfWidth.toFixed(3)}`;
    const t = f.atThresholds;
    return `${name.padEnd(42)}${`${fmt(f.rocAuc)}${ci}`.padStart(16)}${fmt(f.prAuc).padStart(9)}${String(t.flagged).padStart(9)}${pct(t.precision).padStart(11)}${pct(t.recall).padStart(8)}`;
  };
  if (c.current.model !== r.model) lines.push(row(`shipped (${r.model}, max label)`, c.shipped));
  lines.push(row(`in force (${c.current.model}, max label)`, c.current));
  lines.push(row('site head (max label)', c.adapted));
  const on = LABELS.filter((l) => c.thresholds[l] !== null).map((l) => `${l} ${c.thresholds[l]}`);
  lines.push(
    `(PR AUC of a random ranking: ${c.heldOut ? (c.positives / c.heldOut).toFixed(3) : 'n/a'}; ± is the 95% interval; flagged = some label's score reached its threshold: ${on.length ? on.join(', ') : 'none set'})`,
  );
  if (c.queue) {
    lines.push(
      `Queue movement on ${plural(c.queue.compared, 'pending undecided comment')}: ${c.queue.enter} would enter the queue, ${c.queue.leave} would leave it ` +
        `(flagged by scores now ${c.queue.flaggedNow}, with the site head ${c.queue.flaggedAfter}).`,
    );
  } else {
    lines.push('Queue movement: no pending undecided comments to compare on.');
  }
  for (const w of c.warnings) lines.push(`Warning: ${w}.`);
  lines.push('', 'Moderator weighting (each decision weighs 1/sqrt(their decisions), mean 1):');
  for (const m of r.moderators) {
    lines.push(`  ${m.moderator.padEnd(20)} ${String(m.decisions).padStart(6)} decisions  weight ${m.weight.toFixed(2)}  share ${(m.share * 100).toFixed(1)}% (unweighted ${((m.decisions / r.trained) * 100).toFixed(1)}%)`);
  }
  return lines;
}

/** Seconds between two progress lines of the same phase. */
const PROGRESS_EVERY_MS = 3_000;

/** A progress line on stderr when the phase changes, and at most every few seconds within one. */
export function progressPrinter(write: (line: string) => void, now: () => number = Date.now): (job: TrainingJob) => void {
  let phase: string | null = null;
  let last = -Infinity;
  return (job) => {
    if (job.state !== 'running') return;
    const t = now();
    if (job.phase === phase && t - last < PROGRESS_EVERY_MS) return;
    phase = job.phase;
    last = t;
    write(`model adapt: ${job.phase}${job.total > 0 ? ` ${Math.floor((100 * job.done) / job.total)}%` : ''}`);
  };
}

/** `npx triage model adapt`, and the site model commands of models-cli.ts. */
export function registerModelCommands(program: Command, cli: Cli): void {
  const cmd = program.command('model').description("the scoring model and its adaptation to this site's decisions");
  cmd
    .command('adapt')
    .description("train a site model on the moderators' decisions, compare it with the model in force on the most recent 20%, and save it (it scores nothing until promoted)")
    .addOption(cli.dbOption())
    .action((opts: { db?: string }) =>
      cli.withTriage(
        'model adapt',
        opts,
        async ({ adaptation }) => {
          let report: AdaptationReport | null = null;
          const progress = progressPrinter((line) => console.error(line));
          progress(adaptation.start(null, { onProgress: progress, onReport: (r) => (report = r) }));
          const job = await adaptation.wait();
          if (report) for (const line of formatReport(report)) console.log(line);
          if (job.state === 'failed') return cli.fail(`triage model adapt: ${job.error}`);
          console.log(`\nSaved as ${job.model}. It scores nothing until it is promoted; the model in force is unchanged.`);
          console.log(`Try it in shadow first (npx triage model shadow ${job.model}), then: npx triage model promote ${job.model} --reason "…"`);
        },
        { mustExist: true },
      ),
    );
  registerSiteModelCommands(cmd, cli);
}
