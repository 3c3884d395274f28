import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultDbPath, fail } from '../auth/cli.ts';
import { openDatabase, type Db } from '../db/open.ts';
import { AppError } from '../errors.ts';
import { createModerationStore } from '../moderation/store.ts';
import { createScoringPipeline } from '../scoring/pipeline.ts';
import { createScoringStore } from '../scoring/store.ts';
import type { ModelChoice } from '../scoring/types.ts';
import { createThresholdStore } from '../thresholds/store.ts';
import { IMPORT_FORMATS, parseImport, type ImportFormat } from './parse.ts';
import { createIngestService } from './service.ts';
import { createIngestStore } from './store.ts';

// Below this many comments a bar would flash and vanish; counts are enough.
const PROGRESS_FROM = 5000;

function bar(label: string): SingleBar {
  return new SingleBar({ format: `${label} [{bar}] {value}/{total} comments`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
}

/** Scores every pending comment of the model with a progress bar. */
async function scoreNow(db: Db, model: ModelChoice): Promise<void> {
  const { createScorer } = await import('../scoring/index.ts');
  const scorer = await createScorer({ model });
  try {
    const store = createScoringStore(db);
    const thresholds = createThresholdStore(db);
    thresholds.ensureDefaults(Date.now());
    store.enqueueMissing(scorer.model, Date.now());
    const before = store.counts(scorer.model);
    const progress = bar(`Scoring with ${scorer.model}`);
    progress.start(before.pending, 0);
    const pipeline = createScoringPipeline({ store, thresholds, scorer, now: Date.now, onBatch: () => progress.update(before.pending - store.counts(scorer.model).pending) });
    await pipeline.drain();
    progress.stop();
    printStatus(db, scorer.model);
  } finally {
    await scorer.dispose();
  }
}

function printStatus(db: Db, model: string | null): void {
  const store = createScoringStore(db);
  const m = model ?? store.latestModel();
  if (!m) {
    console.log('Scoring: nothing scored yet; the server scores queued comments when it runs (npm start).');
    return;
  }
  const c = store.counts(m);
  console.log(`Scoring (${m}): ${c.done} done, ${c.pending} pending, ${c.failed} failed of ${c.total}.`);
  for (const f of store.listFailed(m, 5)) console.log(`  comment ${f.commentId} failed after ${f.attempts} tries: ${f.error ?? 'unknown error'}`);
}

/** `npx triage import FILE [--format] [--db] [--score]` and `npx triage status`. */
export function registerIngestCommands(program: Command): void {
  program
    .command('import')
    .description('import a comment file (one transaction: all of it or none) and queue its comments for scoring')
    .argument('<file>', 'the file: a saved blog or news page, or a JSON export')
    .option('--format <format>', `auto, ${IMPORT_FORMATS.join(', ')}`, 'auto')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
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
        return fail(`triage import: cannot read ${file}: ${(err as Error).message}`);
      }
      const db = openDatabase(opts.db ?? defaultDbPath());
      try {
        const scoring = createScoringStore(db);
        const ingest = createIngestService({ db, store: createIngestStore(db), scoring, now: Date.now, model: () => scoring.latestModel() });
        const parsed = parseImport(text, opts.format as ImportFormat | 'auto');
        const total = parsed.threads.reduce((n, t) => n + t.comments.length, 0);
        const progress = total >= PROGRESS_FROM ? bar('Importing') : null;
        progress?.start(total, 0);
        const result = ingest.importParsed(parsed, {
          moderatorId: null,
          source: `cli:${resolve(file)}`,
          onProgress: progress ? (n) => progress.update(n) : undefined,
        });
        progress?.stop();
        console.log(
          `Imported ${file} (${(statSync(file).size / 1024).toFixed(0)} KB, format ${result.format}): ` +
            `${result.threads} threads, ${result.commentsNew} new comments, ${result.commentsSeen} already stored.`,
        );
        if (opts.score) await scoreNow(db, opts.model as ModelChoice);
        else printStatus(db, null);
      } catch (err) {
        if (err instanceof AppError) return fail(`triage import: ${err.message}`);
        throw err;
      } finally {
        db.close();
      }
    });

  program
    .command('status')
    .description('show comment counts and scoring progress')
    .option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)')
    .option('--retry-failed', 'queue comments whose scoring failed again (the server retries them)')
    .action((opts: { db?: string; retryFailed?: boolean }) => {
      const db = openDatabase(opts.db ?? defaultDbPath());
      try {
        if (opts.retryFailed) {
          const scoring = createScoringStore(db);
          const model = scoring.latestModel();
          const n = model ? scoring.retryFailed(model, Date.now()) : 0;
          console.log(`Queued ${n} failed comments for another try${model ? ` with ${model}` : ''}.`);
        }
        const threads = createIngestStore(db).countThreads();
        const row = { total: 0, flagged: 0, queue: 0 };
        for (const { status, flagged, n } of createModerationStore(db).statusCounts()) {
          row.total += n;
          if (flagged) row.flagged += n;
          if (flagged && status === 'pending') row.queue += n;
        }
        console.log(`${threads} threads, ${row.total} comments, ${row.flagged} flagged, ${row.queue} waiting in the review queue.`);
        printStatus(db, null);
      } finally {
        db.close();
      }
    });
}
