import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync, type Options } from 'csv-stringify/sync';
import { LABELS } from '../scoring/labels.ts';
import { flagsFor, type ThresholdValues } from '../flagging/rules.ts';
import type { DecisionLogRow } from './store.ts';
import type { Summary } from './summary.ts';

export type LogFormat = 'csv' | 'json';

/**
 * Where a spreadsheet would read a formula: the cell's start, or a line inside
 * it (just after a CR or LF), that starts with = + - @ or tab, or their
 * full-width forms, as csv-stringify's own `escape_formulas` lists them after
 * OWASP's CSV injection page. A CR counts at the cell's start only: after
 * another line break it merely ends an empty line.
 */
const FORMULA_LINE_START = /^(?=[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20])|(?<=[\r\n])(?=[=+\-@\t\uFF1D\uFF0B\uFF0D\uFF20])/g;

/**
 * Prefixes ' to every line of a text cell that starts with a formula
 * character, so a spreadsheet shows it as text and a reader that splits the
 * cell at its line breaks finds no formula either. Lines that start otherwise
 * are left as written, and the text stays readable: `x\n=1+2` becomes `x\n'=1+2`.
 */
export function neutraliseFormulas(text: string): string {
  return text.replace(FORMULA_LINE_START, "'");
}

/**
 * RFC 4180: CRLF between records, quotes doubled, and every cell holding a
 * quote, comma, CR or LF quoted. `quoted_match` is what quotes a lone CR or LF:
 * csv-stringify stops quoting them by itself once `record_delimiter` is set.
 * Text cells go through `neutraliseFormulas`; numbers (a negative score) are
 * left alone.
 */
export const CSV_OPTIONS: Options = {
  header: true,
  record_delimiter: '\r\n',
  quoted_match: /[\r\n]/,
  cast: { string: neutraliseFormulas },
  eof: true,
};

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

/** The summary as one long table: section, item, metric, value. */
export function summaryCsv(s: Summary): string {
  const rows: (string | number | null)[][] = [];
  const add = (section: string, item: string, metric: string, value: string | number | null) => rows.push([section, item, metric, value ?? '']);
  add('period', 'from', 'time', iso(s.filter.from));
  add('period', 'to', 'time', iso(s.filter.to));
  add('period', 'threads', 'filter', s.filter.threads?.join(' ') ?? 'all');
  add('period', 'labels', 'filter', s.filter.labels?.join(' ') ?? 'all');
  add('comments', 'all', 'imported', s.comments.imported);
  add('comments', 'all', 'scored', s.comments.scored);
  add('comments', 'all', 'flagged', s.comments.flagged);
  for (const l of s.comments.flaggedByLabel) add('comments', l.label, 'flagged', l.count);
  add('reader reports', 'all', 'received', s.readerReports.received);
  for (const r of s.readerReports.byReason) add('reader reports', r.reason, 'received', r.count);
  add('reader reports', 'all', 'reported comments', s.readerReports.comments);
  add('reader reports', 'all', 'upheld', s.readerReports.upheld);
  add('reader reports', 'all', 'not upheld', s.readerReports.notUpheld);
  add('reader reports', 'all', 'undecided', s.readerReports.undecided);
  add('decisions', 'all', 'total', s.decisions.total);
  add('decisions', 'all', 'undone', s.decisions.undone);
  for (const a of s.decisions.byAction) add('decisions', a.action, 'count', a.count);
  for (const m of s.decisions.byModerator) {
    for (const action of ['approve', 'hide', 'escalate', 'total'] as const) add('decisions by moderator', m.moderator, action, m[action]);
  }
  add('time to decision', 'all', 'decided comments', s.timeToDecision.n);
  add('time to decision', 'all', 'median ms', s.timeToDecision.medianMs);
  add('time to decision', 'all', 'p90 ms', s.timeToDecision.p90Ms);
  add('escalations', 'all', 'opened', s.escalations.opened);
  add('escalations', 'all', 'resolved', s.escalations.resolved);
  add('agreement', 'all', 'decisions', s.agreement.n);
  add('agreement', 'all', 'agree', s.agreement.agree);
  add('agreement', 'all', 'share', s.agreement.share);
  add('agreement', 'all', 'unscored decisions', s.agreement.unscored);
  for (const l of s.agreement.perLabel) {
    add('agreement by label', l.label, 'decisions', l.n);
    add('agreement by label', l.label, 'share', l.share);
  }
  for (const t of s.threadsByHidden) {
    add('threads by hidden share', `${t.threadId} ${t.title}`, 'comments', t.comments);
    add('threads by hidden share', `${t.threadId} ${t.title}`, 'hidden', t.hidden);
    add('threads by hidden share', `${t.threadId} ${t.title}`, 'share', t.share);
  }
  for (const v of s.thresholds) {
    add('thresholds', `version ${v.version}`, 'since', iso(v.since));
    add('thresholds', `version ${v.version}`, 'until', iso(v.until));
    for (const l of LABELS) add('thresholds', `version ${v.version}`, l, v.values[l] ?? 'off');
  }
  for (const v of s.modelsInForce) {
    add('models in force', `version ${v.version}`, 'model', v.model);
    add('models in force', `version ${v.version}`, 'since', v.version === 0 ? 'the start' : iso(v.since));
    add('models in force', `version ${v.version}`, 'until', iso(v.until));
    add('models in force', `version ${v.version}`, 'by', v.moderator ?? '');
    add('models in force', `version ${v.version}`, 'reason', v.reason ?? '');
  }
  for (const m of s.models) {
    add('models', m.model, 'scored', m.scored);
    add('models', m.model, 'first scored', iso(m.firstScoredAt));
    add('models', m.model, 'last scored', iso(m.lastScoredAt));
  }
  return stringifySync(rows, { ...CSV_OPTIONS, columns: ['section', 'item', 'metric', 'value'] });
}

export const DECISION_LOG_COLUMNS = [
  'decision_id',
  'decided_at',
  'comment_id',
  'thread_id',
  'thread_title',
  'author',
  'text',
  ...LABELS,
  'flagged_labels',
  'report_count',
  'report_reasons',
  'threshold_version',
  'model',
  'action',
  'undoes_id',
  'moderator',
  'note',
] as const;

/** One decision log row as a record: scores per label, and the labels flagged under the thresholds of its version. */
export function decisionRecord(row: DecisionLogRow, thresholds: { version: number; values: ThresholdValues }) {
  const flagged = row.scores ? flagsFor(row.scores, thresholds.values).map((f) => f.label) : [];
  return {
    decisionId: row.id,
    decidedAt: iso(row.decidedAt),
    commentId: row.commentId,
    threadId: row.threadId,
    threadTitle: row.threadTitle,
    author: row.author,
    text: row.body,
    scores: row.scores,
    flaggedLabels: flagged,
    reportCount: row.reportCount,
    reportReasons: row.reportReasons,
    thresholdVersion: row.thresholdVersion ?? thresholds.version,
    model: row.model,
    action: row.action,
    undoesId: row.undoesId,
    moderator: row.moderator,
    note: row.note,
  };
}

function csvCells(r: ReturnType<typeof decisionRecord>): (string | number | null)[] {
  return [
    r.decisionId,
    r.decidedAt,
    r.commentId,
    r.threadId,
    r.threadTitle,
    r.author,
    r.text,
    ...LABELS.map((l) => r.scores?.[l] ?? null),
    r.flaggedLabels.join(' '),
    r.reportCount,
    // `harassment (2); spam (1)`: reasons may be free text, so the cell is text (formulas neutralised).
    r.reportReasons.map((x) => `${x.reason} (${x.count})`).join('; '),
    r.thresholdVersion,
    r.model,
    r.action,
    r.undoesId,
    r.moderator,
    r.note,
  ];
}

/**
 * Streams the decision log. Rows are pulled from `rows` only as fast as the
 * reader takes them (Readable backpressure), so memory does not grow with
 * the number of decisions.
 */
export function decisionLogStream(
  rows: Iterable<DecisionLogRow>,
  format: LogFormat,
  thresholdsOf: (row: DecisionLogRow) => { version: number; values: ThresholdValues },
): Readable {
  if (format === 'csv') {
    const source = Readable.from(
      (function* () {
        for (const row of rows) yield csvCells(decisionRecord(row, thresholdsOf(row)));
      })(),
      { objectMode: true },
    );
    const csv = stringify({ ...CSV_OPTIONS, columns: [...DECISION_LOG_COLUMNS] });
    source.on('error', (err) => csv.destroy(err));
    return source.pipe(csv);
  }
  return Readable.from(
    (function* () {
      // Rows are batched into chunks so a million rows are not a million tiny writes.
      let chunk = '[';
      let first = true;
      for (const row of rows) {
        chunk += (first ? '\n' : ',\n') + JSON.stringify(decisionRecord(row, thresholdsOf(row)));
        first = false;
        if (chunk.length > 64 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      yield `${chunk}\n]\n`;
    })(),
    { objectMode: false },
  );
}
