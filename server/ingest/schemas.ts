import { Type } from 'typebox';
import { COMMON_ERRORS, ErrorBody, Nullable, StringEnum } from '../http.ts';
import { IMPORT_FORMATS } from './formats.ts';

export const importSchema = {
  querystring: Type.Object(
    { format: Type.Optional(StringEnum(['auto', ...IMPORT_FORMATS] as const)) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      {
        import: Type.Object(
          {
            id: Type.Integer(),
            format: Type.String(),
            threads: Type.Integer(),
            commentsNew: Type.Integer(),
            commentsSeen: Type.Integer(),
            commentsEdited: Type.Integer(),
            threadsUpdated: Type.Integer(),
          },
          { additionalProperties: false },
        ),
        threadIds: Type.Array(Type.Integer()),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
    413: ErrorBody,
    415: ErrorBody,
  },
};

/** An id on the site: a comment's, a thread's, an author's. */
const SiteId = Type.String({ minLength: 1, maxLength: 200 });

/**
 * One comment as a site sends it to `POST /api/v1/comments`. Other people's
 * code is written against these names: extend, never rename.
 */
export const SiteCommentItem = Type.Object(
  {
    id: SiteId,
    thread: Type.Object(
      {
        id: SiteId,
        title: Type.Optional(Type.String({ maxLength: 1000 })),
        url: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
        closed: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    parentId: Type.Optional(Type.Union([SiteId, Type.Null()])),
    author: Type.Optional(
      Type.Union([
        Type.Object(
          { id: Type.Optional(Type.Union([SiteId, Type.Null()])), name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])) },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    text: Type.String({ maxLength: 100_000 }),
    /** An ISO 8601 time, or milliseconds since the epoch. */
    postedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0 }), Type.Null()])),
    /** Removed on the site: it leaves the queue; `false` brings it back. */
    deleted: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Comments per `POST /api/v1/comments`. */
export const SITE_BATCH_MAX = 1000;

export const SITE_OUTCOMES = ['created', 'updated', 'unchanged', 'refused'] as const;

const SiteCommentOutcome = Type.Object(
  {
    /** Where the item was in the request. */
    index: Type.Integer(),
    /** The comment's id on the site, when the item had one. */
    id: Nullable(Type.String()),
    outcome: StringEnum(SITE_OUTCOMES),
    /** Our id of the stored comment; null when refused. */
    triageId: Nullable(Type.Integer()),
    /** Why it was refused, or what changed. */
    reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const siteCommentsSchema = {
  summary: 'Send comments: new ones are stored and scored, known ones updated (upsert by the site\u2019s comment id)',
  body: Type.Object({ comments: Type.Array(SiteCommentItem, { minItems: 1, maxItems: SITE_BATCH_MAX }) }, { additionalProperties: false }),
  response: {
    200: Type.Object(
      {
        results: Type.Array(SiteCommentOutcome),
        counts: Type.Object(Object.fromEntries(SITE_OUTCOMES.map((o) => [o, Type.Integer()])) as Record<(typeof SITE_OUTCOMES)[number], ReturnType<typeof Type.Integer>>, {
          additionalProperties: false,
        }),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
    413: ErrorBody,
    429: ErrorBody,
  },
};
