import type { Db } from '../db/open.ts';
import type { Role } from '../auth/roles.ts';
import { EXCERPT_BYTES, excerpt } from './excerpt.ts';
import { inReviewQueueSql } from '../flagging/store.ts';
import { LABELS, type Label } from '../scoring/labels.ts';
import type { Decision, ThreadSummary } from '../wire.ts';
import type { Action, QueueSort, Status } from './statuses.ts';
import type { SourceStatus } from '../ingest/types.ts';

/**
 * A row of `comments` as stored, plus its reply count. `body` is the whole
 * text only from `getWholeComment`; every other read carries an excerpt of at
 * most EXCERPT_CHARS characters (excerpt.ts), with `body_truncated` set when
 * the text goes on.
 */
export interface CommentRow {
  id: number;
  thread_id: number;
  parent_id: number | null;
  external_id: string;
  position: number;
  depth: number;
  author: string | null;
  body: string;
  /** The stored body goes on past `body`. */
  body_truncated: boolean;
  /** UTF-8 bytes of the whole stored body. */
  body_bytes: number;
  posted_at: number | null;
  imported_at: number;
  status: Status;
  flagged: 0 | 1;
  max_score: number | null;
  reply_count: number;
  /** `[model, ...scores in LABELS order]` of the current model (or the latest when none is current); null when unscored. */
  score_json: string | null;
  /** `[[label, score, threshold, threshold_version], ...]`, highest score first. */
  flags_json: string;
  /** Distinct readers who reported it on the site. */
  report_count: number;
  /** When the site removed it; null while it stands. */
  deleted_at: number | null;
  /** The site changed it after a moderator approved it. */
  edited_after_approval: 0 | 1;
  /** Bumped on each change of status, text or flagged state (008_team.sql). */
  version: number;
  author_key: string | null;
  source_status: SourceStatus | null;
}

export interface FlagRow {
  comment_id: number;
  label: Label;
  score: number;
  threshold: number;
  threshold_version: number;
  model: string;
  flagged_at: number;
}

export interface ThreadRow {
  id: number;
  source: string;
  external_id: string;
  title: string;
  url: string | null;
  body: string;
  imported_at: number;
  /** The site takes no more comments on it. */
  closed: 0 | 1;
}

export interface ThreadCountsRow {
  thread_id: number;
  comment_count: number;
  flagged_count: number;
  queue_count: number;
  hidden_count: number;
}

/** A live claim: who is reviewing a comment, until when. */
/** The username of the account rules decide as (a banned author's comment hidden on arrival). */
export const RULES_ACCOUNT = 'triage-rules';

export interface ClaimRow {
  comment_id: number;
  moderator_id: number;
  username: string;
  expires_at: number;
}

/** A row of `decisions` with the moderator's name and the undo that reversed it, if any. */
export interface DecisionRow {
  id: number;
  comment_id: number;
  moderator_id: number;
  username: string;
  action: Action;
  status_before: Status;
  status_after: Status;
  note: string | null;
  undoes_id: number | null;
  undone_by_id: number | null;
  threshold_version: number | null;
  model: string | null;
  /** The rule that decided, when no person did. */
  rule: string | null;
  decided_at: number;
}

export interface QueueFilter {
  status: Status;
  sort: QueueSort;
  label?: Label;
  thread?: number;
  minScore?: number;
  maxScore?: number;
  limit: number;
  /** Only comments readers reported. */
  reported?: boolean;
  /** The sort key and id of the last item of the previous page. */
  after?: { key: number | null; id: number };
}

export function toDecision(row: DecisionRow): Decision {
  return {
    id: row.id,
    commentId: row.comment_id,
    action: row.action,
    statusBefore: row.status_before,
    statusAfter: row.status_after,
    note: row.note,
    moderator: row.username,
    decidedAt: row.decided_at,
    undoesId: row.undoes_id,
    undoneById: row.undone_by_id,
    thresholdVersion: row.threshold_version,
    model: row.model,
    ...(row.rule ? { rule: row.rule } : {}),
  };
}

export function toThreadSummary(row: ThreadRow, counts: ThreadCountsRow | undefined): ThreadSummary {
  return {
    id: row.id,
    source: row.source,
    externalId: row.external_id,
    title: row.title,
    url: row.url,
    commentCount: counts?.comment_count ?? 0,
    flaggedCount: counts?.flagged_count ?? 0,
    queueCount: counts?.queue_count ?? 0,
    hiddenCount: counts?.hidden_count ?? 0,
    closed: row.closed === 1,
  };
}

/** A standing decision `d`: not an undo row, and not undone by a later one. */
export const STANDING = `d.action != 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_id = d.id)`;

/** A comment row as a statement returns it: the body whole, or only its first bytes and its size. */
export type RawCommentRow = Omit<CommentRow, 'body' | 'body_truncated'> & ({ body: string } | { body_head: Uint8Array | null });

/** Turns a statement's row into a CommentRow (other columns, such as a queue row's thread title, pass through). */
export function toCommentRow<R extends RawCommentRow>(raw: R): CommentRow & Omit<R, 'body_head'> {
  if ('body' in raw) return { ...raw, body_truncated: false } as CommentRow & R;
  const { body_head, ...rest } = raw;
  // An empty body reads as a NULL blob.
  const cut = excerpt(body_head ?? new Uint8Array(0), raw.body_bytes);
  return { ...rest, body: cut.text, body_truncated: cut.truncated } as CommentRow & Omit<R, 'body_head'>;
}

const COMMENT_FIELDS =
  'c.id, c.thread_id, c.parent_id, c.external_id, c.position, c.depth, c.author, c.posted_at, c.imported_at, c.status, c.flagged, c.max_score, c.report_count, c.deleted_at, c.edited_after_approval, c.source_status, c.version, c.author_key';
/**
 * Lists read the first EXCERPT_BYTES bytes of each body and its size, so a
 * 10 MB comment never reaches JavaScript (or the wire) in a list. Bytes, not
 * substr() on text: SQLite's text functions stop at a NUL character. The size
 * is octet_length(), which SQLite reads from the record header without
 * loading the text; counting characters (length()) would scan all 10 MB.
 */
const BODY_EXCERPT = `substr(CAST(c.body AS BLOB), 1, ${EXCERPT_BYTES}) AS body_head, octet_length(c.body) AS body_bytes`;
const BODY_WHOLE = 'c.body, octet_length(c.body) AS body_bytes';

// Scores and flags come with each comment row as JSON, so a page of comments
// is one query rather than three.
const commentColumns = (body: string) => `${COMMENT_FIELDS}, ${body}, (SELECT count(*) FROM comments r WHERE r.parent_id = c.id) AS reply_count,
  (SELECT json_array(s.model, ${LABELS.map((l) => `s.${l}`).join(', ')}) FROM scores s
    WHERE s.comment_id = c.id AND (@model IS NULL OR s.model = @model) ORDER BY s.scored_at DESC LIMIT 1) AS score_json,
  (SELECT json_group_array(json_array(f.label, f.score, f.threshold, f.threshold_version))
    FROM (SELECT * FROM flags f WHERE f.comment_id = c.id ORDER BY f.score DESC) f) AS flags_json`;
/**
 * The columns every list selects for a comment `c` (its body as an excerpt), binding `@model`;
 * `toCommentRow` turns the row into a CommentRow. Other domains that list comments (search/, samples/) use these.
 */
export const COMMENT_COLUMNS = commentColumns(BODY_EXCERPT);

const DECISION_SELECT = `SELECT d.*, m.username, (SELECT u.id FROM decisions u WHERE u.undoes_id = d.id) AS undone_by_id
  FROM decisions d JOIN moderators m ON m.id = d.moderator_id`;

/** The partial index (001_init.sql, 007_sites.sql) that reads the review queue in each sort's order. */
const QUEUE_INDEXES: Record<QueueSort, string> = {
  score: 'comments_queue_score',
  newest: 'comments_queue_time',
  oldest: 'comments_queue_time',
  thread: 'comments_queue_thread',
  reports: 'comments_queue_reports',
};

/** Per sort: the key column, the order, and which way the keyset cursor moves. */
const SORTS: Record<QueueSort, { key: string; order: string; after: string }> = {
  score: { key: 'c.max_score', order: 'c.max_score DESC, c.id DESC', after: '(c.max_score, c.id) < (@afterKey, @afterId)' },
  newest: { key: 'c.imported_at', order: 'c.imported_at DESC, c.id DESC', after: '(c.imported_at, c.id) < (@afterKey, @afterId)' },
  oldest: { key: 'c.imported_at', order: 'c.imported_at ASC, c.id ASC', after: '(c.imported_at, c.id) > (@afterKey, @afterId)' },
  thread: { key: 'c.thread_id', order: 'c.thread_id ASC, c.position ASC', after: '(c.thread_id, c.position) > (@afterKey, @afterId)' },
  // Most reported first; report_count is never NULL, so no tail to read apart.
  reports: { key: 'c.report_count', order: 'c.report_count DESC, c.id DESC', after: '(c.report_count, c.id) < (@afterKey, @afterId)' },
};

/** A row's key in a queue sort, which the cursor carries; the thread sort pages by position, the others by id. */
export function queueSortKey(sort: QueueSort, row: CommentRow): number | null {
  switch (sort) {
    case 'score':
      return row.max_score;
    case 'thread':
      return row.thread_id;
    case 'reports':
      return row.report_count;
    case 'newest':
    case 'oldest':
      return row.imported_at;
  }
}

const optional = (raw: RawCommentRow | undefined): CommentRow | undefined => (raw ? toCommentRow(raw) : undefined);

/** `model` names the scores comments come with; null means each comment's latest. */
export function createModerationStore(db: Db, model: () => string | null = () => null) {
  const commentById = db.prepare<{ id: number; model: string | null }, RawCommentRow>(`SELECT ${COMMENT_COLUMNS} FROM comments c WHERE c.id = @id`);
  const wholeCommentById = db.prepare<{ id: number; model: string | null }, RawCommentRow>(
    `SELECT ${commentColumns(BODY_WHOLE)} FROM comments c WHERE c.id = @id`,
  );
  const commentsByIds = db.prepare<{ ids: string; model: string | null }, RawCommentRow>(
    `SELECT ${COMMENT_COLUMNS} FROM comments c WHERE c.id IN (SELECT value FROM json_each(@ids))`,
  );
  const threadComments = db.prepare<{ threadId: number; model: string | null }, RawCommentRow>(
    `SELECT ${COMMENT_COLUMNS} FROM comments c WHERE c.thread_id = @threadId ORDER BY c.position`,
  );
  // Walks up at most @limit levels: a thread 100,000 replies deep costs no more than a shallow one.
  const ancestors = db.prepare<{ id: number; limit: number; model: string | null }, RawCommentRow>(
    `WITH RECURSIVE up(id, n) AS (
       SELECT parent_id, 1 FROM comments WHERE id = @id AND @limit > 0
       UNION ALL
       SELECT c.parent_id, up.n + 1 FROM up CROSS JOIN comments c ON c.id = up.id WHERE c.parent_id IS NOT NULL AND up.n < @limit
     )
     SELECT ${COMMENT_COLUMNS} FROM up CROSS JOIN comments c ON c.id = up.id ORDER BY up.n DESC`,
  );
  const siblingsBefore = db.prepare<{ threadId: number; parentId: number | null; position: number; limit: number; model: string | null }, RawCommentRow>(
    `SELECT ${COMMENT_COLUMNS} FROM comments c
     WHERE c.thread_id = @threadId AND c.parent_id IS @parentId AND c.position < @position
     ORDER BY c.position DESC LIMIT @limit`,
  );
  const siblingsAfter = db.prepare<{ threadId: number; parentId: number | null; position: number; limit: number; model: string | null }, RawCommentRow>(
    `SELECT ${COMMENT_COLUMNS} FROM comments c
     WHERE c.thread_id = @threadId AND c.parent_id IS @parentId AND c.position > @position
     ORDER BY c.position ASC LIMIT @limit`,
  );
  const replies = db.prepare<{ id: number; limit: number; model: string | null }, RawCommentRow>(
    `SELECT ${COMMENT_COLUMNS} FROM comments c WHERE c.parent_id = @id ORDER BY c.position LIMIT @limit`,
  );


  // Readers' reports (reader-reports/ writes them): each reason once, with how many readers gave it.
  const reportReasons = db.prepare<{ commentId: number }, { reason: string; count: number; lastAt: number }>(
    `SELECT reason, count(*) AS count, max(reported_at) AS lastAt FROM reader_reports WHERE comment_id = @commentId
     GROUP BY reason ORDER BY count DESC, reason`,
  );

  const claimsOf = db.prepare<{ ids: string; now: number }, ClaimRow>(
    `SELECT cl.comment_id, cl.moderator_id, m.username, cl.expires_at FROM claims cl JOIN moderators m ON m.id = cl.moderator_id
     WHERE cl.comment_id IN (SELECT value FROM json_each(@ids)) AND cl.expires_at > @now`,
  );
  const upsertClaim = db.prepare<{ commentId: number; moderatorId: number; now: number; expiresAt: number }>(
    `INSERT INTO claims (comment_id, moderator_id, claimed_at, expires_at) VALUES (@commentId, @moderatorId, @now, @expiresAt)
     ON CONFLICT (comment_id) DO UPDATE SET
       claimed_at = CASE WHEN claims.moderator_id = excluded.moderator_id AND claims.expires_at > @now THEN claims.claimed_at ELSE excluded.claimed_at END,
       moderator_id = excluded.moderator_id, expires_at = excluded.expires_at`,
  );
  const deleteClaim = db.prepare<{ commentId: number; moderatorId: number }>('DELETE FROM claims WHERE comment_id = @commentId AND moderator_id = @moderatorId');
  const pruneClaims = db.prepare<{ now: number }>('DELETE FROM claims WHERE expires_at <= @now');
  const releaseAllOf = db.prepare<{ moderatorId: number }, { comment_id: number }>('DELETE FROM claims WHERE moderator_id = @moderatorId RETURNING comment_id');
  const lastDecision = db.prepare<{ commentId: number }, DecisionRow>(`${DECISION_SELECT} WHERE d.comment_id = @commentId ORDER BY d.id DESC LIMIT 1`);
  const lastEdit = db.prepare<{ commentId: number }, { edited_at: number }>('SELECT edited_at FROM comment_edits WHERE comment_id = @commentId ORDER BY id DESC LIMIT 1');
  // A moderator's standing decisions that are still the latest on their comment: what undo can take back.
  const undoable = db.prepare<{ moderatorId: number; since: number; limit: number }, DecisionRow>(
    `${DECISION_SELECT} WHERE d.moderator_id = @moderatorId AND d.decided_at >= @since AND d.action != 'undo'
       AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_id = d.id)
       AND d.id = (SELECT max(l.id) FROM decisions l WHERE l.comment_id = d.comment_id)
     ORDER BY d.id DESC LIMIT @limit`,
  );

  const threadById = db.prepare<{ id: number }, ThreadRow>('SELECT * FROM threads WHERE id = @id');
  const threadsPage = db.prepare<{ afterId: number; limit: number }, ThreadRow>(
    'SELECT * FROM threads WHERE id < @afterId ORDER BY id DESC LIMIT @limit',
  );
  const threadTitles = db.prepare<{ ids: string }, { id: number; title: string }>(
    'SELECT id, title FROM threads WHERE id IN (SELECT value FROM json_each(@ids))',
  );
  const threadCounts = db.prepare<{ ids: string }, ThreadCountsRow>(
    `SELECT c.thread_id, count(*) AS comment_count, sum(c.flagged) AS flagged_count,
       sum(${inReviewQueueSql('c')}) AS queue_count, sum(c.status = 'hidden') AS hidden_count
     FROM comments c WHERE c.thread_id IN (SELECT value FROM json_each(@ids)) GROUP BY c.thread_id`,
  );

  const decisionById = db.prepare<{ id: number }, DecisionRow>(`${DECISION_SELECT} WHERE d.id = @id`);
  const decisionsOf = db.prepare<{ commentId: number }, DecisionRow>(`${DECISION_SELECT} WHERE d.comment_id = @commentId ORDER BY d.id`);
  const latestDecisionId = db.prepare<{ commentId: number }, { id: number }>(
    'SELECT id FROM decisions WHERE comment_id = @commentId ORDER BY id DESC LIMIT 1',
  );
  const decisionsPage = db.prepare<{ from: number; to: number; afterId: number; limit: number }, DecisionRow>(
    `${DECISION_SELECT} WHERE d.decided_at >= @from AND d.decided_at < @to AND d.id > @afterId ORDER BY d.id LIMIT @limit`,
  );
  const insertDecision = db.prepare<{
    commentId: number;
    moderatorId: number;
    action: Action;
    statusBefore: Status;
    statusAfter: Status;
    note: string | null;
    undoesId: number | null;
    thresholdVersion: number | null;
    model: string | null;
    now: number;
    rule: string | null;
  }>(
    `INSERT INTO decisions (comment_id, moderator_id, action, status_before, status_after, note, undoes_id, threshold_version, model, decided_at, rule)
     VALUES (@commentId, @moderatorId, @action, @statusBefore, @statusAfter, @note, @undoesId, @thresholdVersion, @model, @now, @rule)`,
  );
  // The account rules decide as: it cannot sign in (disabled, no password).
  const ensureRules = db.prepare<{ now: number }>(
    `INSERT INTO moderators (username, password_hash, role, created_at, disabled) VALUES ('${RULES_ACCOUNT}', '!', 'lead', @now, 1) ON CONFLICT (username) DO NOTHING`,
  );
  const rulesAccount = db.prepare<[], { id: number; username: string; role: Role }>(`SELECT id, username, role FROM moderators WHERE username = '${RULES_ACCOUNT}'`);
  const ruleDecisions = db.prepare<{ rule: string; limit: number }, DecisionRow>(
    `${DECISION_SELECT} WHERE d.rule = @rule AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes_id = d.id)
       AND d.id = (SELECT max(l.id) FROM decisions l WHERE l.comment_id = d.comment_id)
     ORDER BY d.id DESC LIMIT @limit`,
  );
  const updateStatus = db.prepare<{ id: number; status: Status }>('UPDATE comments SET status = @status WHERE id = @id');

  const statusCounts = db.prepare<[], { status: Status; flagged: 0 | 1; n: number }>(
    'SELECT status, flagged, n FROM comment_counts WHERE n > 0',
  );
  const threadCount = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM threads');

  // Queue statements differ by sort and by which filters are present; each
  // combination is prepared once and cached. Values are always bound.
  const queueStatements = new Map<string, ReturnType<Db['prepare']>>();
  function queueStatement(f: QueueFilter, afterKind: 'none' | 'key' | 'null'): ReturnType<Db['prepare']> {
    const name = [f.sort, f.status === 'pending' ? 'q' : 's', f.label ? 'l' : '', f.thread ? 't' : '', f.minScore !== undefined ? 'n' : '', f.maxScore !== undefined ? 'x' : '', f.reported ? 'r' : '', afterKind].join(':');
    let stmt = queueStatements.get(name);
    if (stmt) return stmt;
    const sort = SORTS[f.sort];
    const where = [f.status === 'pending' ? inReviewQueueSql('c') : 'c.status = @status'];
    if (f.label) where.push('EXISTS (SELECT 1 FROM flags fl WHERE fl.comment_id = c.id AND fl.label = @label)');
    if (f.thread) where.push('c.thread_id = @thread');
    if (f.minScore !== undefined) where.push('c.max_score >= @minScore');
    if (f.maxScore !== undefined) where.push('c.max_score <= @maxScore');
    if (f.reported) where.push('c.report_count > 0');
    if (afterKind === 'key') where.push(sort.after);
    // Unscored comments (NULL max_score) come last in the score sort, by id.
    if (afterKind === 'null') where.push('c.max_score IS NULL AND c.id < @afterId');
    // The queue's partial indexes hold only flagged, undecided comments. SQLite
    // without ANALYZE statistics prefers the status indexes, which would scan
    // every pending comment: name the queue index, unless a thread filter makes
    // the (status, thread) index the short way.
    const indexed = f.status === 'pending' && !f.thread ? `INDEXED BY ${QUEUE_INDEXES[f.sort]}` : '';
    stmt = db.prepare(
      `SELECT ${COMMENT_COLUMNS}, t.title AS thread_title FROM comments c ${indexed} JOIN threads t ON t.id = c.thread_id
       WHERE ${where.join(' AND ')} ORDER BY ${sort.order} LIMIT @limit`,
    );
    queueStatements.set(name, stmt);
    return stmt;
  }

  function queuePage(f: QueueFilter): (CommentRow & { thread_title: string })[] {
    const params = {
      model: model(),
      status: f.status,
      label: f.label,
      thread: f.thread,
      minScore: f.minScore,
      maxScore: f.maxScore,
      limit: f.limit,
      afterKey: f.after?.key ?? null,
      afterId: f.after?.id ?? 0,
    };
    const bind = (kind: 'none' | 'key' | 'null') => {
      const stmt = queueStatement(f, kind);
      return (stmt.all(params) as (RawCommentRow & { thread_title: string })[]).map(toCommentRow);
    };
    const sortKey = (row: CommentRow) => queueSortKey(f.sort, row);
    const keyless = f.sort === 'score' && f.after?.key === null;
    if (keyless) return bind('null');
    const rows = bind(f.after ? 'key' : 'none');
    // Row values never match NULL, so the score sort reads the unscored tail separately.
    const canHaveNull = f.sort === 'score' && f.status !== 'pending' && f.minScore === undefined && f.maxScore === undefined && !f.label;
    if (canHaveNull && rows.length < f.limit && (rows.length === 0 || sortKey(rows[rows.length - 1]) !== null)) {
      const tail = queueStatement(f, 'null').all({ ...params, limit: f.limit - rows.length, afterId: Number.MAX_SAFE_INTEGER });
      rows.push(...(tail as (RawCommentRow & { thread_title: string })[]).map(toCommentRow));
    }
    return rows;
  }

  return {
    /** A comment with an excerpt of its body. */
    getComment: (id: number) => optional(commentById.get({ id, model: model() })),
    /** A comment with its whole body: one comment asked for on its own, never a list. */
    getWholeComment: (id: number) => optional(wholeCommentById.get({ id, model: model() })),
    listComments: (ids: number[]) => commentsByIds.all({ ids: JSON.stringify(ids), model: model() }).map(toCommentRow),
    listThreadComments: (threadId: number) => threadComments.all({ threadId, model: model() }).map(toCommentRow),
    /** The `limit` nearest ancestors of a comment, root side first. */
    listAncestors: (id: number, limit: number) => ancestors.all({ id, limit, model: model() }).map(toCommentRow),
    /** Up to `limit` siblings on each side of the comment, in display order. */
    listSiblings(row: CommentRow, limit: number): CommentRow[] {
      const p = { threadId: row.thread_id, parentId: row.parent_id, position: row.position, limit, model: model() };
      return [...siblingsBefore.all(p).reverse(), ...siblingsAfter.all(p)].map(toCommentRow);
    },
    listReplies: (id: number, limit: number) => replies.all({ id, limit, model: model() }).map(toCommentRow),
    /** Why readers reported a comment: each reason with how many readers gave it and when the last did, most given first. */
    listReportReasons: (commentId: number) => reportReasons.all({ commentId }),
    /** Live claims on these comments, by comment id. */
    claimsOf: (ids: number[], now: number) => new Map(claimsOf.all({ ids: JSON.stringify(ids), now }).map((r) => [r.comment_id, r])),
    /** Claims (or renews, or takes over) a comment; call inside a transaction after checking who holds it. */
    putClaim: (c: { commentId: number; moderatorId: number; now: number; expiresAt: number }) => upsertClaim.run(c),
    /** Releases the moderator's claim; false when they held none. */
    releaseClaim: (commentId: number, moderatorId: number) => deleteClaim.run({ commentId, moderatorId }).changes > 0,
    pruneClaims: (now: number) => pruneClaims.run({ now }).changes,
    /** Releases every claim the moderator holds; returns the comments released. */
    releaseClaimsOf: (moderatorId: number) => releaseAllOf.all({ moderatorId }).map((r) => r.comment_id),
    /** The latest decision on a comment and the latest edit of it: what changed it last. */
    lastChange: (commentId: number) => ({ decision: lastDecision.get({ commentId }), editedAt: lastEdit.get({ commentId })?.edited_at ?? null }),
    /** The moderator's decisions since `since` that are still the latest on their comment, newest first. */
    listUndoable: (moderatorId: number, since: number, limit: number) => undoable.all({ moderatorId, since, limit }),
    queuePage,
    getThread: (id: number) => threadById.get({ id }),
    /** Newest threads first; `afterId` is the last id of the previous page. */
    listThreads: (afterId: number | null, limit: number) => threadsPage.all({ afterId: afterId ?? Number.MAX_SAFE_INTEGER, limit }),
    threadTitles: (ids: number[]) => new Map(threadTitles.all({ ids: JSON.stringify(ids) }).map((r) => [r.id, r.title])),
    threadCounts: (ids: number[]) => new Map(threadCounts.all({ ids: JSON.stringify(ids) }).map((r) => [r.thread_id, r])),
    getDecision: (id: number) => decisionById.get({ id }),
    listDecisions: (commentId: number) => decisionsOf.all({ commentId }),
    latestDecisionId: (commentId: number) => latestDecisionId.get({ commentId })?.id,
    /** Decisions made in [from, to), in id order, for reports; page with the last id seen. */
    listDecisionsBetween: (from: number, to: number, afterId = 0, limit = 1000) => decisionsPage.all({ from, to, afterId, limit }),
    /** Appends a decision; call inside the service's transaction together with updateStatus. */
    insertDecision: (d: Omit<Parameters<typeof insertDecision.run>[0], 'rule'> & { rule?: string | null }) =>
      Number(insertDecision.run({ ...d, rule: d.rule ?? null }).lastInsertRowid),
    /** The account rules decide as, created on first use. */
    rulesAccount(now: number): { id: number; username: string; role: Role } {
      ensureRules.run({ now });
      return rulesAccount.get()!;
    },
    /** Decisions a rule made that still stand (nobody decided the comment since), newest first. */
    listRuleDecisions: (rule: string, limit: number) => ruleDecisions.all({ rule, limit }),
    updateStatus: (id: number, status: Status) => updateStatus.run({ id, status }),
    statusCounts: () => statusCounts.all(),
    countThreads: () => threadCount.get()!.n,
  };
}

export type ModerationStore = ReturnType<typeof createModerationStore>;
