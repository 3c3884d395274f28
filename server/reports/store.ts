import type { Db } from '../db/open.ts';
import { LABELS, type Label, type LabelScores } from '../scoring/labels.ts';
import { STANDING } from '../moderation/store.ts';
import type { ModelPeriod, ReaderReportSummary, ReportFilter, ThreadHidden } from './summary.ts';

/** Named parameters every report query binds; lists travel as JSON arrays. */
interface FilterParams {
  from: number;
  to: number;
  threads: string | null;
  labels: string | null;
}

const IN_THREADS = `(@threads IS NULL OR c.thread_id IN (SELECT value FROM json_each(@threads)))`;
const ON_LABELS = `(@labels IS NULL OR EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = c.id AND f.label IN (SELECT value FROM json_each(@labels))))`;
const SCORE_COLUMNS = LABELS.map((l) => `s.${l}`).join(', ');

export function filterParams(f: ReportFilter): FilterParams {
  return {
    from: f.from,
    to: f.to,
    threads: f.threads && f.threads.length ? JSON.stringify(f.threads) : null,
    labels: f.labels && f.labels.length ? JSON.stringify(f.labels) : null,
  };
}

export interface DecisionRow {
  id: number;
  commentId: number;
  action: 'approve' | 'hide' | 'escalate';
  statusBefore: string;
  moderator: string;
  decidedAt: number;
  importedAt: number;
  thresholdVersion: number | null;
  scores: LabelScores | null;
}

/** One row of the decision log, as stored. */
export interface DecisionLogRow {
  id: number;
  decidedAt: number;
  commentId: number;
  threadId: number;
  threadTitle: string;
  author: string | null;
  body: string;
  action: 'approve' | 'hide' | 'escalate' | 'undo';
  undoesId: number | null;
  moderator: string;
  note: string | null;
  thresholdVersion: number | null;
  model: string | null;
  scores: LabelScores | null;
  /** Distinct readers who reported the comment, as of the export (not of the decision). */
  reportCount: number;
  /** Their reasons with how many gave each, most given first. */
  reportReasons: { reason: string; count: number }[];
}

function scoresFrom(r: Record<string, unknown>, present: boolean): LabelScores | null {
  if (!present) return null;
  const s = {} as LabelScores;
  for (const l of LABELS) s[l] = r[l] as number | null;
  return s;
}

export function createReportStore(db: Db) {
  const cohort = db.prepare<FilterParams, { imported: number; scored: number | null; flagged: number | null }>(
    `SELECT count(*) AS imported,
            sum(EXISTS (SELECT 1 FROM scores s WHERE s.comment_id = c.id)) AS scored,
            sum(EXISTS (SELECT 1 FROM flags f WHERE f.comment_id = c.id
                        AND (@labels IS NULL OR f.label IN (SELECT value FROM json_each(@labels))))) AS flagged
     FROM comments c WHERE c.imported_at >= @from AND c.imported_at < @to AND ${IN_THREADS}`,
  );
  const flaggedByLabel = db.prepare<FilterParams, { label: string; count: number }>(
    `SELECT f.label, count(*) AS count FROM flags f JOIN comments c ON c.id = f.comment_id
     WHERE c.imported_at >= @from AND c.imported_at < @to AND ${IN_THREADS}
       AND (@labels IS NULL OR f.label IN (SELECT value FROM json_each(@labels)))
     GROUP BY f.label`,
  );
  // Raw rows and no ORDER BY: a summary over a million decisions spends most of its time here.
  const standing = db
    .prepare<FilterParams & { model: string | null }, unknown[]>(
      `SELECT d.id, d.comment_id, d.action, d.status_before, m.username, d.decided_at, c.imported_at, d.threshold_version,
              s.comment_id IS NOT NULL, ${SCORE_COLUMNS}
       FROM decisions d
       JOIN comments c ON c.id = d.comment_id
       JOIN moderators m ON m.id = d.moderator_id
       LEFT JOIN scores s ON s.comment_id = d.comment_id AND s.model = coalesce(d.model, @model)
       WHERE d.decided_at >= @from AND d.decided_at < @to AND ${STANDING} AND ${IN_THREADS} AND ${ON_LABELS}`,
    )
    .raw(true);
  const undos = db.prepare<FilterParams, { n: number }>(
    `SELECT count(*) AS n FROM decisions d JOIN comments c ON c.id = d.comment_id
     WHERE d.action = 'undo' AND d.decided_at >= @from AND d.decided_at < @to AND ${IN_THREADS} AND ${ON_LABELS}`,
  );
  const threads = db.prepare<FilterParams, ThreadHidden>(
    `SELECT c.thread_id AS threadId, t.title, count(*) AS comments, sum(c.status = 'hidden') AS hidden
     FROM comments c JOIN threads t ON t.id = c.thread_id
     WHERE c.imported_at >= @from AND c.imported_at < @to AND ${IN_THREADS}
     GROUP BY c.thread_id`,
  );
  const models = db.prepare<FilterParams, ModelPeriod>(
    `SELECT s.model, count(*) AS scored, min(s.scored_at) AS firstScoredAt, max(s.scored_at) AS lastScoredAt
     FROM scores s JOIN comments c ON c.id = s.comment_id
     WHERE s.scored_at >= @from AND s.scored_at < @to AND ${IN_THREADS}
     GROUP BY s.model ORDER BY min(s.scored_at)`,
  );
  const logPage = db.prepare<FilterParams & { model: string | null; after: number; maxId: number; limit: number }>(
    `SELECT d.id, d.decided_at AS decidedAt, d.comment_id AS commentId, c.thread_id AS threadId, t.title AS threadTitle,
            c.author, c.body, d.action, d.undoes_id AS undoesId, m.username AS moderator, d.note,
            d.threshold_version AS thresholdVersion, d.model,
            s.comment_id IS NOT NULL AS hasScores, ${SCORE_COLUMNS}, c.report_count AS reportCount,
            CASE WHEN c.report_count > 0 THEN (SELECT json_group_array(json_array(x.reason, x.n)) FROM
              (SELECT reason, count(*) AS n FROM reader_reports WHERE comment_id = c.id GROUP BY reason ORDER BY n DESC, reason) x) END AS reportReasons
     FROM decisions d
     JOIN comments c ON c.id = d.comment_id
     JOIN threads t ON t.id = c.thread_id
     JOIN moderators m ON m.id = d.moderator_id
     LEFT JOIN scores s ON s.comment_id = d.comment_id AND s.model = coalesce(d.model, @model)
     WHERE d.id > @after AND d.id <= @maxId AND d.decided_at >= @from AND d.decided_at < @to AND ${IN_THREADS} AND ${ON_LABELS}
     ORDER BY d.id LIMIT @limit`,
  );
  const reportsByReason = db.prepare<FilterParams, { reason: string; count: number }>(
    `SELECT r.reason, count(*) AS count FROM reader_reports r JOIN comments c ON c.id = r.comment_id
     WHERE r.reported_at >= @from AND r.reported_at < @to AND ${IN_THREADS}
     GROUP BY r.reason ORDER BY count DESC, r.reason`,
  );
  // Each comment reported in the period, with the action of its latest standing decision taken
  // after its first report (and before the period's end): hide or escalate upholds the reports.
  const reportOutcomes = db.prepare<FilterParams, { comments: number; upheld: number | null; notUpheld: number | null }>(
    `WITH reported AS (
       SELECT r.comment_id, (SELECT min(f.reported_at) FROM reader_reports f WHERE f.comment_id = r.comment_id) AS first_at
       FROM reader_reports r JOIN comments c ON c.id = r.comment_id
       WHERE r.reported_at >= @from AND r.reported_at < @to AND ${IN_THREADS}
       GROUP BY r.comment_id
     ), outcome AS (
       SELECT (SELECT d.action FROM decisions d
               WHERE d.comment_id = rp.comment_id AND d.decided_at >= rp.first_at AND d.decided_at < @to AND ${STANDING}
               ORDER BY d.id DESC LIMIT 1) AS action
       FROM reported rp
     )
     SELECT count(*) AS comments, sum(action IN ('hide', 'escalate')) AS upheld, sum(action = 'approve') AS notUpheld FROM outcome`,
  );
  const maxDecision = db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM decisions');

  return {
    comments(f: ReportFilter): { imported: number; scored: number; flagged: number; flaggedByLabel: { label: Label; count: number }[] } {
      const p = filterParams(f);
      const c = cohort.get(p)!;
      const counts = new Map(flaggedByLabel.all(p).map((r) => [r.label, r.count]));
      return {
        imported: c.imported,
        scored: c.scored ?? 0,
        flagged: c.flagged ?? 0,
        flaggedByLabel: (f.labels ?? [...LABELS]).map((label) => ({ label, count: counts.get(label) ?? 0 })),
      };
    },
    /** Standing decisions taken in the period, with the scores of the model that stood behind each. */
    decisions(f: ReportFilter, model: string | null): DecisionRow[] {
      const out: DecisionRow[] = [];
      for (const r of standing.all({ ...filterParams(f), model })) {
        let scores: LabelScores | null = null;
        if (r[8] === 1) {
          scores = {} as LabelScores;
          LABELS.forEach((l, i) => (scores![l] = r[9 + i] as number | null));
        }
        out.push({
          id: r[0] as number,
          commentId: r[1] as number,
          action: r[2] as DecisionRow['action'],
          statusBefore: r[3] as string,
          moderator: r[4] as string,
          decidedAt: r[5] as number,
          importedAt: r[6] as number,
          thresholdVersion: r[7] as number | null,
          scores,
        });
      }
      return out;
    },
    undone: (f: ReportFilter): number => undos.get(filterParams(f))!.n,
    threads: (f: ReportFilter): ThreadHidden[] => threads.all(filterParams(f)),
    models: (f: ReportFilter): ModelPeriod[] => models.all(filterParams(f)),
    /** Readers' reports received in the period, per reason, and what became of the comments they reported. */
    readerReports(f: ReportFilter): ReaderReportSummary {
      const p = filterParams(f);
      const byReason = reportsByReason.all(p);
      const o = reportOutcomes.get(p)!;
      const upheld = o.upheld ?? 0;
      const notUpheld = o.notUpheld ?? 0;
      return {
        received: byReason.reduce((n, r) => n + r.count, 0),
        byReason,
        comments: o.comments,
        upheld,
        notUpheld,
        undecided: o.comments - upheld - notUpheld,
      };
    },
    /**
     * The decision log in pages by id. Pages rather than one open iterator:
     * an iterator keeps the connection busy across the stream's await points,
     * and every other request on it would fail until the export finished.
     * Rows added after the export began are left out, so it is one snapshot.
     */
    *decisionLog(f: ReportFilter, model: string | null, pageSize = 1000): Generator<DecisionLogRow> {
      const maxId = maxDecision.get()?.id ?? 0;
      const p = filterParams(f);
      let after = 0;
      for (;;) {
        const page = logPage.all({ ...p, model, after, maxId, limit: pageSize }) as Record<string, unknown>[];
        for (const r of page) {
          yield {
            id: r.id as number,
            decidedAt: r.decidedAt as number,
            commentId: r.commentId as number,
            threadId: r.threadId as number,
            threadTitle: r.threadTitle as string,
            author: r.author as string | null,
            body: r.body as string,
            action: r.action as DecisionLogRow['action'],
            undoesId: r.undoesId as number | null,
            moderator: r.moderator as string,
            note: r.note as string | null,
            thresholdVersion: r.thresholdVersion as number | null,
            model: r.model as string | null,
            scores: scoresFrom(r, r.hasScores === 1),
            reportCount: r.reportCount as number,
            reportReasons: r.reportReasons ? (JSON.parse(r.reportReasons as string) as [string, number][]).map(([reason, count]) => ({ reason, count })) : [],
          };
        }
        if (page.length < pageSize) return;
        after = page.at(-1)!.id as number;
      }
    },
  };
}

export type ReportStore = ReturnType<typeof createReportStore>;
