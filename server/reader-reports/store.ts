import type { Db } from '../db/open.ts';

/** Readers' reports of comments (`reader_reports`) and the count kept on each comment. */
export function createReaderReportStore(db: Db) {
  const insert = db.prepare<{ commentId: number; reporterId: string; reason: string; now: number; apiKeyId: number | null }>(
    `INSERT INTO reader_reports (comment_id, reporter_id, reason, reported_at, api_key_id)
     VALUES (@commentId, @reporterId, @reason, @now, @apiKeyId) ON CONFLICT DO NOTHING`,
  );
  const count = db.prepare<{ commentId: number }>('UPDATE comments SET report_count = report_count + 1 WHERE id = @commentId');
  const countOf = db.prepare<{ commentId: number }, { n: number }>('SELECT report_count AS n FROM comments WHERE id = @commentId');
  const reasons = db.prepare<{ commentId: number }, { reason: string; n: number; last: number }>(
    'SELECT reason, count(*) AS n, max(reported_at) AS last FROM reader_reports WHERE comment_id = @commentId GROUP BY reason ORDER BY n DESC, reason',
  );

  return {
    /** Records a reader's report; false when this reader had reported the comment already (it counts once). */
    add(r: { commentId: number; reporterId: string; reason: string; now: number; apiKeyId: number | null }): boolean {
      if (insert.run(r).changes === 0) return false;
      count.run({ commentId: r.commentId });
      return true;
    },
    reportCount: (commentId: number): number => countOf.get({ commentId })?.n ?? 0,
    /** Why readers reported a comment: each reason with how many readers gave it. */
    reasons: (commentId: number) => reasons.all({ commentId }).map((r) => ({ reason: r.reason, count: r.n, lastAt: r.last })),
  };
}

export type ReaderReportStore = ReturnType<typeof createReaderReportStore>;
