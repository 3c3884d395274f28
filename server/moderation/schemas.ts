import { Type } from 'typebox';
import { COMMON_ERRORS, IdParams, LabelSchema, Nullable, PerLabel, StringEnum } from '../http.ts';
import { DECISION_ACTIONS, QUEUE_SORTS, STATUSES } from './statuses.ts';
import { SOURCE_STATUSES } from '../ingest/types.ts';

const closed = { additionalProperties: false } as const;

export const StatusSchema = StringEnum(STATUSES);
export const ActionSchema = StringEnum(DECISION_ACTIONS);

const LabelScoresSchema = PerLabel(Nullable(Type.Number()));

export const FlagSchema = Type.Object(
  { label: LabelSchema, score: Type.Number(), threshold: Type.Number(), thresholdVersion: Type.Integer() },
  closed,
);

/** A moderator reviewing a comment: others skip it until the claim lapses or is released. */
export const ClaimSchema = Type.Object({ moderatorId: Type.Integer(), username: Type.String(), expiresAt: Type.Integer() }, { additionalProperties: false });

const commentFields = {
  id: Type.Integer(),
  threadId: Type.Integer(),
  parentId: Nullable(Type.Integer()),
  externalId: Type.String(),
  author: Nullable(Type.String()),
  /** The whole text in GET /api/comments/:id's `comment`; elsewhere at most EXCERPT_CHARS characters (excerpt.ts). */
  body: Type.String(),
  /** `body` is an excerpt: the stored text goes on. */
  bodyTruncated: Type.Boolean(),
  /** Size of the whole text in UTF-8 bytes (known without reading it). */
  bodyBytes: Type.Integer({ minimum: 0 }),
  postedAt: Nullable(Type.Number()),
  importedAt: Type.Number(),
  status: StatusSchema,
  flagged: Type.Boolean(),
  scores: Nullable(LabelScoresSchema),
  model: Nullable(Type.String()),
  flags: Type.Array(FlagSchema),
  depth: Type.Integer(),
  replyCount: Type.Integer(),
  /** Distinct readers who reported it on the site (POST /api/v1/reports). */
  reportCount: Type.Integer({ minimum: 0 }),
  /** The site removed it; it left the review queue, its decisions stay. */
  deletedOnSite: Type.Boolean(),
  /** The site changed its text after a moderator approved it: it is pending again, flagged for that. */
  editedAfterApproval: Type.Boolean(),
  /** The platform's own verdict from the export it came in (WordPress, Disqus): a note, not a decision. */
  sourceStatus: Type.Union([StringEnum(SOURCE_STATUSES), Type.Null()]),
  /** Bumped on each change of status, text or flags: a decision names the version it saw (`expectedVersion`). */
  version: Type.Integer({ minimum: 1 }),
  /** Its author within the thread's source (the site's author id, or `name:` and the name): GET /api/authors. */
  authorKey: Nullable(Type.String()),
  /** Who is reviewing it now, until when; null when nobody holds it. */
  claim: Nullable(ClaimSchema),
};

export const CommentSchema = Type.Object(commentFields, closed);

const threadFields = {
  id: Type.Integer(),
  source: Type.String(),
  externalId: Type.String(),
  title: Type.String(),
  url: Nullable(Type.String()),
  commentCount: Type.Integer(),
  flaggedCount: Type.Integer(),
  queueCount: Type.Integer(),
  hiddenCount: Type.Integer(),
  /** The site takes no more comments on it (the news page's "This discussion is now closed"). */
  closed: Type.Boolean(),
};

export const ThreadSummarySchema = Type.Object(threadFields, closed);

export const DecisionSchema = Type.Object(
  {
    id: Type.Integer(),
    commentId: Type.Integer(),
    action: StringEnum([...DECISION_ACTIONS, 'undo'] as const),
    statusBefore: StatusSchema,
    statusAfter: StatusSchema,
    note: Nullable(Type.String()),
    /** Present, true, when `note` is null because the viewer may not read it (docs/api.md). */
    noteHidden: Type.Optional(Type.Literal(true)),
    moderator: Type.String(),
    decidedAt: Type.Number(),
    undoesId: Nullable(Type.Integer()),
    undoneById: Nullable(Type.Integer()),
    thresholdVersion: Nullable(Type.Integer()),
    model: Nullable(Type.String()),
    /** Present when a rule decided, not a person (`banned author`); `moderator` is then the rules account. */
    rule: Type.Optional(Type.String()),
  },
  closed,
);

export const ReaderReportReasonSchema = Type.Object(
  {
    /** One of the site's reasons (docs/integrations.md) or a reader's free text: untrusted. */
    reason: Type.String(),
    count: Type.Integer({ minimum: 1 }),
    lastAt: Type.Number(),
  },
  closed,
);

const Limit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });
const Cursor = Type.String({ minLength: 1, maxLength: 200 });

export const queueSchema = {
  querystring: Type.Object(
    {
      sort: Type.Optional(StringEnum(QUEUE_SORTS)),
      status: Type.Optional(StatusSchema),
      label: Type.Optional(LabelSchema),
      thread: Type.Optional(Type.Integer({ minimum: 1 })),
      minScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      maxScore: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
      /** Only comments readers reported (true); false or absent: any. */
      reported: Type.Optional(Type.Boolean()),
      cursor: Type.Optional(Cursor),
      limit: Type.Optional(Limit),
    },
    closed,
  ),
  response: {
    200: Type.Object(
      { items: Type.Array(Type.Object({ ...commentFields, threadTitle: Type.String() }, closed)), nextCursor: Nullable(Type.String()) },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const threadsSchema = {
  querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit) }, closed),
  response: {
    200: Type.Object({ items: Type.Array(ThreadSummarySchema), nextCursor: Nullable(Type.String()) }, closed),
    ...COMMON_ERRORS,
  },
};

export const threadSchema = {
  params: IdParams,
  response: {
    200: Type.Object(
      { thread: Type.Object({ ...threadFields, body: Type.String() }, closed), comments: Type.Array(CommentSchema) },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const commentSchema = {
  params: IdParams,
  response: {
    200: Type.Object(
      {
        comment: CommentSchema,
        thread: ThreadSummarySchema,
        ancestors: Type.Array(CommentSchema),
        /** Ancestors above those in `ancestors` that were left out (the whole chain is in the thread). */
        ancestorsOmitted: Type.Integer({ minimum: 0 }),
        siblings: Type.Array(CommentSchema),
        replies: Type.Array(CommentSchema),
        history: Type.Array(DecisionSchema),
        /** Why readers reported it: each reason with how many readers gave it and when the last did, most given first. */
        reports: Type.Array(ReaderReportReasonSchema),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

const Note = Type.Optional(Nullable(Type.String({ maxLength: 2000 })));
const DecisionAnswer = Type.Object({ decision: DecisionSchema, comment: CommentSchema }, closed);

/** What changed a comment since a moderator saw it: who (null: the site or the model), to what, when. */
export const ChangeSchema = Type.Object(
  {
    by: Nullable(Type.String()),
    /** `hid it`, `approved it`, `edited it on the site`, `its flags changed`… */
    what: Type.String(),
    status: StatusSchema,
    at: Nullable(Type.Integer()),
  },
  closed,
);

/** A comment that changed since the moderator saw it: its state now, and what changed it. */
export const StaleSchema = Type.Object({ comment: CommentSchema, change: ChangeSchema }, closed);

/** 409: a conflict; `current` when the comment changed since it was seen (a stale decision or undo). */
const ConflictBody = Type.Object({ error: Type.String(), message: Type.String(), current: Type.Optional(StaleSchema) }, closed);

const ExpectedVersion = Type.Optional(Type.Integer({ minimum: 1, description: 'The comment\u2019s version the moderator saw; 409 when it has changed since' }));

export const decideSchema = {
  params: IdParams,
  body: Type.Object({ action: ActionSchema, note: Note, expectedVersion: ExpectedVersion }, closed),
  response: { 200: DecisionAnswer, ...COMMON_ERRORS, 409: ConflictBody },
};

export const bulkSchema = {
  body: Type.Object(
    {
      commentIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }),
      action: ActionSchema,
      note: Note,
      /** The version of each comment as seen, in the order of `commentIds`: comments changed since are left out and listed in `changed`. */
      expectedVersions: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 })),
    },
    closed,
  ),
  response: {
    200: Type.Object(
      {
        decisions: Type.Array(DecisionSchema),
        /** Comments that changed since they were seen: not decided, with their state now. */
        changed: Type.Array(StaleSchema),
      },
      closed,
    ),
    ...COMMON_ERRORS,
    409: ConflictBody,
  },
};

export const undoSchema = { params: IdParams, response: { 200: DecisionAnswer, ...COMMON_ERRORS, 409: ConflictBody } };

export const undoableSchema = {
  response: { 200: Type.Object({ decisions: Type.Array(DecisionSchema), windowMs: Type.Integer() }, closed), ...COMMON_ERRORS },
};

const ClaimAnswer = Type.Object({ claim: Nullable(ClaimSchema) }, closed);

export const claimSchema = {
  params: IdParams,
  /** `takeOver=true`: a lead or admin takes the comment from whoever holds it. */
  querystring: Type.Object({ takeOver: Type.Optional(Type.Boolean()) }, closed),
  response: { 200: ClaimAnswer, ...COMMON_ERRORS },
};

export const releaseSchema = { params: IdParams, response: { 200: ClaimAnswer, ...COMMON_ERRORS } };

const Counts = Type.Object(
  { total: Type.Integer(), pending: Type.Integer(), done: Type.Integer(), failed: Type.Integer() },
  closed,
);

export const statsSchema = {
  response: {
    200: Type.Object(
      {
        comments: Type.Object(
          {
            total: Type.Integer(),
            flagged: Type.Integer(),
            queue: Type.Integer(),
            pending: Type.Integer(),
            approved: Type.Integer(),
            hidden: Type.Integer(),
            escalated: Type.Integer(),
          },
          closed,
        ),
        threads: Type.Integer(),
        scoring: Type.Object({ model: Nullable(Type.String()), ...Counts.properties }, closed),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const healthSchema = {
  response: {
    200: Type.Object(
      {
        ok: Type.Literal(true),
        model: Nullable(Type.String()),
        scoring: Type.Object({ pending: Type.Integer(), done: Type.Integer(), failed: Type.Integer() }, closed),
      },
      closed,
    ),
    /** Degraded: the database failed (disk full, read-only…) and no write has succeeded since. */
    503: Type.Object(
      {
        ok: Type.Literal(false),
        /** What failed, naming the database file and the cause. */
        reason: Type.String(),
        model: Nullable(Type.String()),
      },
      closed,
    ),
  },
};
