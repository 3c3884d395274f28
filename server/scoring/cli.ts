import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Cli } from '../command.ts';
import { plural } from '../plural.ts';
import type { ScoringLogger } from './backend.ts';
import { scoresProblem } from './labels.ts';
import { createScorer } from './index.ts';
import type { ModelChoice, Scorer } from './types.ts';

/** One input line, once read: either a text to score or the reason it cannot be. */
type Entry = { line: number; id: string | number; text: string } | { line: number; error: string };

/** Parses one JSON line `{"id": ..., "text": ...}`; errors say what is wrong without echoing the text. */
export function parseScoreLine(raw: string, line: number): Entry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { line, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { line, error: 'expected a JSON object {"id": ..., "text": ...}' };
  }
  const { id, text } = value as Record<string, unknown>;
  if (typeof id !== 'string' && typeof id !== 'number') return { line, error: '"id" must be a string or a number' };
  if (typeof text !== 'string') return { line, error: '"text" must be a string' };
  return { line, id, text };
}

async function write(output: Writable, chunk: string): Promise<void> {
  // Respect backpressure so a slow reader cannot make us buffer the whole output.
  if (!output.write(chunk)) await once(output, 'drain');
}

/**
 * Streams JSON lines from `input` to `output`, scoring `batchSize` texts at a
 * time and writing one line per input line, in input order. Bad lines become
 * `{"line": n, "error": "..."}` and the rest go on. Blank lines are skipped.
 * Memory stays bounded: readline's async iterator pauses the input while a
 * batch is scored, and output waits for 'drain'.
 */
export async function scoreJsonLines(input: Readable, output: Writable, scorer: Scorer, batchSize: number): Promise<{ scored: number; errors: number }> {
  const counts = { scored: 0, errors: 0 };
  let entries: Entry[] = [];
  let texts = 0;

  async function flush(): Promise<void> {
    const toScore = entries.flatMap((e) => ('text' in e ? [e.text] : []));
    const results = await scorer.scoreBatch(toScore);
    let next = 0;
    const lines = entries.map((entry) => {
      if ('error' in entry) {
        counts.errors++;
        return JSON.stringify({ line: entry.line, error: entry.error });
      }
      const { scores, model } = results[next++]!;
      // JSON would print NaN as null, passing a broken model off as "no signal".
      const problem = scoresProblem(scores);
      if (problem) {
        counts.errors++;
        return JSON.stringify({ line: entry.line, id: entry.id, error: `${model} gave an invalid score: ${problem}` });
      }
      counts.scored++;
      return JSON.stringify({ id: entry.id, scores, model });
    });
    entries = [];
    texts = 0;
    if (lines.length > 0) await write(output, lines.join('\n') + '\n');
  }

  const reader = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of reader) {
    line++;
    if (raw.trim() === '') continue;
    const entry = parseScoreLine(raw, line);
    entries.push(entry);
    if ('text' in entry) texts++;
    // Error lines count too, so a file of nothing but bad lines stays bounded.
    if (texts >= batchSize || entries.length >= batchSize * 4) await flush();
  }
  await flush();
  return counts;
}

function parseBatch(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 4096) throw new InvalidArgumentError('must be a whole number from 1 to 4096');
  return n;
}

/** Logs to stderr so stdout carries only results. */
const stderrLogger: ScoringLogger = {
  info: (_details, message) => process.stderr.write(`triage score: ${message}\n`),
  warn: (_details, message) => process.stderr.write(`triage score: warning: ${message}\n`),
};

interface ScoreOptions {
  model: ModelChoice;
  batch: number;
  text?: string;
  toxicityDir?: string;
  localDir?: string;
}

/** `npx triage score`: scores JSON lines from stdin, or one `--text`. */
export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('Score comments locally: reads JSON lines {"id": ..., "text": ...} on stdin and writes {"id", "scores", "model"} per line, in order')
    .addOption(new Option('--model <model>', 'local = ours, toxicity = Google\'s, auto = Google\'s when its files are present').choices(['local', 'toxicity', 'auto']).default('local'))
    .option('--batch <n>', 'texts scored together', parseBatch, 64)
    .option('--text <text>', 'score this one text and print its scores instead of reading stdin')
    .option('--toxicity-dir <path>', "folder of Google's model (default models/toxicity)")
    .option('--local-dir <path>', 'folder of our model (default: its built-in location)')
    .action(async (options: ScoreOptions) => {
      let scorer: Scorer;
      try {
        // The whole process scores, so there is no event loop to keep free: no worker.
        scorer = await createScorer({
          model: options.model,
          toxicityDir: options.toxicityDir,
          localDir: options.localDir,
          inWorker: false,
          logger: stderrLogger,
        });
      } catch (error) {
        process.stderr.write(`triage score: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
        return;
      }
      try {
        if (options.text !== undefined) {
          const [result] = await scorer.scoreBatch([options.text]);
          const problem = scoresProblem(result?.scores);
          if (problem) {
            process.stderr.write(`triage score: ${scorer.model} gave an invalid score: ${problem}\n`);
            process.exitCode = 1;
            return;
          }
          process.stdout.write(JSON.stringify(result, null, 2) + '\n');
          return;
        }
        const { scored, errors } = await scoreJsonLines(process.stdin, process.stdout, scorer, options.batch);
        stderrLogger.info({ scored, errors }, `${scored} scored, ${errors} bad line${errors === 1 ? '' : 's'}`);
        if (errors > 0) process.exitCode = 1;
      } finally {
        await scorer.dispose();
      }
    });
}

interface RescoreOptions {
  db?: string;
  model: ModelChoice;
  batch: number;
  localDir?: string;
  toxicityDir?: string;
}

/**
 * `npx triage rescore`: scores every stored comment that lacks a score of
 * the model in force, then flags it from the new scores (in the same
 * transaction, through flagging). Decided comments keep their decisions: a
 * flag changes the queue, never a decision. Resumable: the jobs are rows
 * (scoring_jobs), so a killed run picks up where it stopped and writes no
 * comment's score twice for one model. A running server does the same in
 * the background when it starts with a new model.
 */
export function registerRescoreCommand(program: Command, cli: Cli): void {
  program
    .command('rescore')
    .description('score every stored comment again with the model in force (after a model change), then re-flag it; resumable')
    .addOption(cli.dbOption())
    .addOption(new Option('--model <model>', "local = ours, toxicity = Google's, auto = Google's when its files are present").choices(['local', 'toxicity', 'auto']).default('local'))
    .option('--batch <n>', 'comments scored and written together', parseBatch, 256)
    .option('--local-dir <path>', 'folder of our model (default: its built-in location)')
    .option('--toxicity-dir <path>', "folder of Google's model (default models/toxicity)")
    .action(async (opts: RescoreOptions) => {
      let scorer: Scorer;
      try {
        scorer = await createScorer({ model: opts.model, localDir: opts.localDir, toxicityDir: opts.toxicityDir, inWorker: false, logger: stderrLogger });
      } catch (error) {
        return cli.fail(`triage rescore: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        await cli.withTriage(
          'rescore',
          opts,
          async (triage) => {
            const store = triage.stores.scoring;
            const pipeline = triage.pipeline!;
            const model = pipeline.model;
            const scoredBy = () => store.scoredBy().map((r) => `${r.model}: ${r.n}`).join(', ') || 'none';
            console.log(`Comments scored so far, by model: ${scoredBy()}.`);
            const queued = store.enqueueMissing(model, Date.now());
            const pending = store.counts(model).pending;
            console.log(`Rescoring with ${model}: ${queued} newly queued, ${pending} to score.`);
            const bar = new SingleBar({ format: `Rescoring [{bar}] {value}/{total} comments`, hideCursor: true, clearOnComplete: false }, Presets.shades_classic);
            if (pending > 0) bar.start(pending, 0);
            await pipeline.drain((taken) => bar.increment(taken));
            if (pending > 0) bar.stop();
            const c = store.rescoreCounts(model);
            const all = store.counts(model);
            console.log(`Done: ${all.done} of ${plural(all.total, 'comment')} ${all.done === 1 ? 'has' : 'have'} a ${model} score (${c.done} of them rescored), ${all.failed} failed.`);
            console.log(`Comments scored, by model: ${scoredBy()}.`);
            if (all.failed > 0) process.exitCode = 1;
          },
          { mustExist: true, scorer, pipeline: { batchSize: opts.batch } },
        );
      } finally {
        await scorer.dispose();
      }
    });
}
