import { Type } from 'typebox';
import { COMMON_ERRORS, IdParams, Nullable, StringEnum } from '../http.ts';
import { CommentSchema, DecisionSchema } from '../moderation/schemas.ts';
import { AUTHOR_ACTIONS } from './store.ts';

const closed = { additionalProperties: false } as const;

/** An author: within a site (source), by the site's author id, or `name:` and the name where the site sends none. */
const AuthorRefQuery = {
  source: Type.String({ minLength: 1, maxLength: 200 }),
  key: Type.String({ minLength: 1, maxLength: 300 }),
};

export const AuthorActionSchema = Type.Object(
  {
    id: Type.Integer(),
    action: StringEnum([...AUTHOR_ACTIONS, 'undo'] as const),
    reason: Nullable(Type.String()),
    expiresAt: Nullable(Type.Integer()),
    /** The moderator; null when a rule acted. */
    by: Nullable(Type.String()),
    rule: Nullable(Type.String()),
    undoesId: Nullable(Type.Integer()),
    undoneById: Nullable(Type.Integer()),
    at: Type.Integer(),
  },
  closed,
);

const StandingSchema = Type.Object(
  { watchedUntil: Nullable(Type.Integer()), trustedUntil: Nullable(Type.Integer()), bannedUntil: Nullable(Type.Integer()) },
  closed,
);

const LogEntry = Type.Union([
  Type.Object({ kind: Type.Literal('author'), ...AuthorActionSchema.properties }, closed),
  Type.Object(
    {
      kind: Type.Literal('decision'),
      id: Type.Integer(),
      commentId: Type.Integer(),
      action: Type.String(),
      status: Type.String(),
      by: Type.String(),
      rule: Nullable(Type.String()),
      at: Type.Integer(),
    },
    closed,
  ),
]);

export const authorPageSchema = {
  querystring: Type.Object(
    { ...AuthorRefQuery, before: Type.Optional(Type.Integer({ minimum: 1 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
    closed,
  ),
  response: {
    200: Type.Object(
      {
        author: Type.Object(
          { source: Type.String(), key: Type.String(), id: Nullable(Type.String()), name: Nullable(Type.String()), firstSeenAt: Nullable(Type.Integer()) },
          closed,
        ),
        standing: StandingSchema,
        stats: Type.Object({ comments: Type.Integer(), hidden: Type.Integer(), hiddenRate: Type.Number(), inQueue: Type.Integer(), reports: Type.Integer() }, closed),
        comments: Type.Array(CommentSchema),
        /** Pass as `before` for older comments; null at the end. */
        nextBefore: Nullable(Type.Integer()),
        notes: Type.Array(AuthorActionSchema),
        /** Every action on the author and every decision on their comments, newest first. */
        log: Type.Array(LogEntry),
      },
      closed,
    ),
    ...COMMON_ERRORS,
  },
};

export const authorActSchema = {
  body: Type.Object(
    {
      ...AuthorRefQuery,
      action: StringEnum(AUTHOR_ACTIONS),
      reason: Type.String({ minLength: 1, maxLength: 500 }),
      /** When the standing lapses by itself (ms since the epoch); absent or null: until undone. */
      expiresAt: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    },
    closed,
  ),
  response: { 200: Type.Object({ action: AuthorActionSchema }, closed), ...COMMON_ERRORS },
};

export const authorUndoSchema = { params: IdParams, response: { 200: Type.Object({ action: AuthorActionSchema }, closed), ...COMMON_ERRORS } };

export const hiddenByRuleSchema = {
  response: {
    200: Type.Object({ items: Type.Array(Type.Object({ decision: DecisionSchema, comment: CommentSchema }, closed)) }, closed),
    ...COMMON_ERRORS,
  },
};
