import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Cli } from '../command.ts';
import { plural } from '../plural.ts';
import type { Scorer, ModelChoice } from '../scoring/types.ts';
import type { Triage } from '../triage.ts';
import { IMPORT_FORMATS, type ImportFormat } from './formats.ts';
import { parseImport } from './parse.ts';

// Below this many comments a bar would flash and vanish; counts are enough.
const PROGRESS_FROM = 5000;

function bar(label: string): SingleBar {
  return new SingleBar({ format: `${label} [{bar}] {value}/{total} comments`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
}

/** Scores every pending comment of the triage's scorer with a progress bar. */
async function scoreNow(triage: Triage): Promise<void> {
  const pipeline = triage.pipeline!;
  const store = triage.stores.scoring;
  store.enqueueMissing(pipeline.model, Date.now());
  const before = store.counts(pipeline.model);
  const progress = bar(`Scoring with ${pipeline.model}`);
  progress.start(before.pending, 0);
  await pipeline.drain((written) => progress.increment(written));
  progress.stop();
}

function printStatus(triage: Triage): void {
  const m = triage.model();
  if (!m) {
    console.log('Scoring: nothing scored yet; the server scores queued comments when it runs (npm start).');
    return;
  }
  const c = triage.stores.scoring.counts(m);
  console.log(`Scoring (${m}): ${c.done} done, ${c.pending} pending, ${c.failed} failed of ${c.total}.`);
  for (const f of triage.stores.scoring.listFailed(m, 5)) console.log(`  comment ${f.commentId} failed after ${f.attempts} tries: ${f.error ?? 'unknown error'}`);
}

/** `npx triage import FILE [--format] [--db] [--score]` and `npx triage status`. */
export function registerIngestCommands(program: Command, cli: Cli): void {
  program
    .command('import')
    .description('import a comment file (one transaction: all of it or none) and queue its comments for scoring')
    .argument('<file>', 'the file: a saved blog or news page, or a JSON export')
    .option('--format <format>', `auto, ${IMPORT_FORMATS.join(', ')}`, 'auto')
    .addOption(cli.dbOption())
    .option('--score', 'score the new comments now instead of leaving them to the server')
    .option('--model <model>', 'with --score: local, toxicity or auto', 'local')
    .action(async (file: string, opts: { format: string; db?: string; score?: boolean; model: string }) => {
      if (opts.format !== 'auto' && !IMPORT_FORMATS.includes(opts.format as ImportFormat)) {
        program.error(`--format must be auto or one of ${IMPORT_FORMATS.join(', ')} (got "${opts.format}")`);
      }
      if (!['local', 'toxicity', 'auto'].includes(opts.model)) program.error(`--model must be local, toxicity or auto (got "${opts.model}")`);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        return cli.fail(`triage import: cannot read ${file}: ${(err as Error).message}`);
      }
      let scorer: Scorer | undefined;
      if (opts.score) {
        const { createScorer } = await import('../scoring/index.ts');
        scorer = await createScorer({ model: opts.model as ModelChoice });
      }
      try {
        await cli.withTriage(
          'import',
          opts,
          async (triage) => {
            const parsed = parseImport(text, opts.format as ImportFormat | 'auto');
            const total = parsed.threads.reduce((n, t) => n + t.comments.length, 0);
            const progress = total >= PROGRESS_FROM ? bar('Importing') : null;
            progress?.start(total, 0);
            const result = await triage.ingest.importParsedInChunks(parsed, {
              moderatorId: null,
              source: `cli:${resolve(file)}`,
              onProgress: progress ? (n) => progress.update(n) : undefined,
            });
            progress?.stop();
            console.log(
              `Imported ${file} (${(statSync(file).size / 1024).toFixed(0)} KB, format ${result.format}): ` +
                `${plural(result.threads, 'thread')} (${result.threadsUpdated} changed), ${plural(result.commentsNew, 'new comment')}, ` +
                `${result.commentsEdited} edited, ${result.commentsSeen} already stored.`,
            );
            if (triage.pipeline) await scoreNow(triage);
            printStatus(triage);
          },
          { scorer },
        );
      } finally {
        await scorer?.dispose();
      }
    });

  program
    .command('status')
    .description('show comment counts and scoring progress')
    .addOption(cli.dbOption())
    .option('--retry-failed', 'queue comments whose scoring failed again (the server retries them)')
    .action((opts: { db?: string; retryFailed?: boolean }) =>
      cli.withTriage('status', opts, (triage) => {
        const model = triage.model();
        if (opts.retryFailed) {
          const n = model ? triage.stores.scoring.retryFailed(model, Date.now()) : 0;
          console.log(`Queued ${plural(n, 'failed comment')} for another try${model ? ` with ${model}` : ''}.`);
        }
        const { comments, threads } = triage.moderation.stats();
        console.log(`${plural(threads, 'thread')}, ${plural(comments.total, 'comment')}, ${comments.flagged} flagged, ${comments.queue} waiting in the review queue.`);
        printStatus(triage);
      }),
    );
}
