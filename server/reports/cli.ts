import { Option, type Command } from 'commander';
import { createWriteStream, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Cli } from '../command.ts';
import { summaryCsv } from './export.ts';
import { resolveFilter } from './filter.ts';
import { summaryHtml } from './html.ts';

interface ReportOptions {
  from?: string;
  to?: string;
  thread?: string[];
  label?: string[];
  format?: 'json' | 'csv' | 'html';
  decisions?: boolean;
  db?: string;
  out?: string;
}

async function write(text: string | Readable, out: string | undefined): Promise<void> {
  if (out) {
    if (typeof text === 'string') writeFileSync(out, text);
    else await pipeline(text, createWriteStream(out));
    return;
  }
  if (typeof text === 'string') {
    process.stdout.write(text);
    return;
  }
  // stdout must stay open after the stream ends, so no pipeline() here.
  await new Promise<void>((resolve, reject) => {
    text.on('error', reject);
    text.on('end', resolve);
    text.pipe(process.stdout, { end: false });
  });
}

/**
 * `npx triage report [--from DATE --to DATE --thread ID... --label L...
 * --format json|csv|html --decisions] [--db PATH] [--out FILE]`: the
 * moderation summary, or with --decisions the decision log, to stdout or a file.
 */
export function registerReportCommand(program: Command, cli: Cli): void {
  program
    .command('report')
    .description('moderation summary (or the decision log) for a period, as JSON, CSV or printable HTML')
    .option('--from <date>', 'start: YYYY-MM-DD (UTC), ISO time or epoch ms (default: 30 days before --to)')
    .option('--to <date>', 'end: a date includes that whole day (default: now)')
    .option('--thread <id...>', 'only these thread ids')
    .option('--label <label...>', 'only these labels')
    .addOption(new Option('--format <format>', 'output format (default json; csv for --decisions)').choices(['json', 'csv', 'html']))
    .option('--decisions', 'the decision log, one row per decision, instead of the summary')
    .addOption(cli.dbOption())
    .option('--out <file>', 'write here instead of stdout')
    .action(async (opts: ReportOptions) => {
      if (opts.decisions && opts.format === 'html') return cli.fail('triage report: --decisions comes as csv or json, not html');
      await cli.withTriage(
        'report',
        opts,
        async ({ reports }) => {
          const filter = resolveFilter({ from: opts.from, to: opts.to, threads: opts.thread, labels: opts.label }, Date.now(), '--');
          if (opts.decisions) {
            await write(reports.decisionLog(filter, opts.format === 'json' ? 'json' : 'csv'), opts.out);
          } else {
            const summary = reports.summary(filter);
            const format = opts.format ?? 'json';
            const text = format === 'csv' ? summaryCsv(summary) : format === 'html' ? summaryHtml(summary) : `${JSON.stringify(summary, null, 2)}\n`;
            await write(text, opts.out);
          }
          if (opts.out) console.error(`Wrote ${opts.out}`);
        },
        { mustExist: true },
      );
    });
}
