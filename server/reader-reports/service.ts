import type { Db } from '../db/open.ts';
import { NotFound, ValidationError } from '../errors.ts';
import type { EventStore } from '../events/store.ts';
import type { Flagging } from '../flagging/service.ts';
import type { IngestStore } from '../ingest/store.ts';
import type { ReaderReportStore } from './store.ts';

/**
 * The reasons a site's "Report" form can offer (docs/integrations.md). A
 * site may send free text instead; it is kept as written.
 */
export const REPORT_REASONS = ['spam', 'harassment', 'hate', 'threat', 'sexual', 'self_harm', 'misinformation', 'off_topic', 'other'] as const;

const FREE_TEXT = /^[^\p{Cc}]{1,200}$/u;

export interface ReaderReportDeps {
  db: Db;
  store: ReaderReportStore;
  comments: Pick<IngestStore, 'getSiteComment'>;
  flagging: Pick<Flagging, 'flag'>;
  events: Pick<EventStore, 'append'>;
  now: () => number;
}

/**
 * Readers' reports: a reason for a comment to be in the review queue beside
 * the model's flags (server/flagging/rules.ts `readersReported`).
 */
export function createReaderReports({ db, store, comments, flagging, events, now }: ReaderReportDeps) {
  const report = db.transaction((source: string, input: { commentId: string; reason: string; reporterId: string }, apiKeyId: number | null) => {
    const reason = input.reason.trim();
    if (!FREE_TEXT.test(reason)) throw new ValidationError('body/reason must be 1 to 200 characters, without control characters', { field: 'reason' });
    const comment = comments.getSiteComment(source, input.commentId);
    if (!comment) throw new NotFound('comment', input.commentId);
    const t = now();
    const counted = store.add({ commentId: comment.id, reporterId: input.reporterId, reason, now: t, apiKeyId });
    const reportCount = store.reportCount(comment.id);
    if (counted) {
      flagging.flag([comment.id]);
      events.append({ type: 'report.received', commentId: comment.id, now: t, payload: { report: { reason, reporterId: input.reporterId }, reportCount } });
    }
    return { commentId: input.commentId, triageId: comment.id, counted, reportCount };
  });

  return {
    /** A reader reported a comment of this source; the same reader and comment count once. */
    report,
    reasons: (commentId: number) => store.reasons(commentId),
  };
}

export type ReaderReports = ReturnType<typeof createReaderReports>;
