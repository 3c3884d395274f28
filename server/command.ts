import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { openDatabase } from './db/open.ts';
import { AppError, storageFailure } from './errors.ts';
import type { PipelineOptions } from './scoring/pipeline.ts';
import type { Scorer } from './scoring/types.ts';
import { createTriage, stopTriage, type Triage } from './triage.ts';

/** What every `npx triage` command shares: the database option, the services, and how a command fails. */
export interface Cli {
  /** `--db <path>`, for each command that opens the database. */
  dbOption(): Option;
  /**
   * Opens the database named by `--db` (else TRIAGE_DB, else data/triage.db)
   * with every service, runs `fn`, then stops and closes everything. An
   * AppError, or a storage failure of the database (disk full, read-only…),
   * becomes `triage COMMAND: message` on stderr and exit code 1.
   */
  withTriage(
    command: string,
    opts: { db?: string },
    fn: (triage: Triage) => void | Promise<void>,
    options?: { mustExist?: boolean; scorer?: Scorer; pipeline?: PipelineOptions },
  ): Promise<void>;
  /** A runtime failure (not a usage mistake): the message without the help text, exit code 1. */
  fail(message: string): void;
}

function defaultDbPath(): string {
  return process.env.TRIAGE_DB || 'data/triage.db';
}

function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

export const cli: Cli = {
  dbOption: () => new Option('--db <path>', 'SQLite file (default TRIAGE_DB or data/triage.db)'),
  fail,
  async withTriage(command, opts, fn, options = {}) {
    const path = opts.db ?? defaultDbPath();
    if (options.mustExist && path !== ':memory:' && !existsSync(path)) {
      return fail(`triage ${command}: no database at ${path} (set --db or TRIAGE_DB)`);
    }
    let db: ReturnType<typeof openDatabase>;
    try {
      db = openDatabase(path);
    } catch (err) {
      if (err instanceof AppError) return fail(`triage ${command}: ${err.message}`);
      throw err;
    }
    const triage = createTriage({ db, scorer: options.scorer, pipeline: options.pipeline });
    try {
      await fn(triage);
    } catch (err) {
      const known = storageFailure(err, path) ?? err;
      if (known instanceof AppError) return fail(`triage ${command}: ${known.message}`);
      throw err;
    } finally {
      await stopTriage(triage);
      db.close();
    }
  },
};
