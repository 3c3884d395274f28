import { Type } from 'typebox';
import { COMMON_ERRORS, LabelSchema } from '../http.ts';
import { queueSchema, StatusSchema } from '../moderation/schemas.ts';

const closed = { additionalProperties: false } as const;

const listFilters = {
  status: Type.Optional(StatusSchema),
  label: Type.Optional(LabelSchema),
  /** Only comments readers reported (true); false or absent: any. */
  reported: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};

/** A page of comments shaped as the queue's items, newest first. */
const CommentPageSchema = queueSchema.response[200];

export const listCommentsSchema = {
  querystring: Type.Object({ ...listFilters, thread: Type.Optional(Type.Integer({ minimum: 1 })) }, closed),
  response: { 200: CommentPageSchema, ...COMMON_ERRORS },
};

const Words = Type.String({ maxLength: 200 });

export const searchSchema = {
  querystring: Type.Object(
    {
      /** Words in the comment's text or its author's name. */
      q: Type.Optional(Words),
      /** Words in the author's name. */
      author: Type.Optional(Words),
      /** Words in the thread's title. */
      thread: Type.Optional(Words),
      /** One thread, by id. */
      threadId: Type.Optional(Type.Integer({ minimum: 1 })),
      ...listFilters,
    },
    closed,
  ),
  response: { 200: CommentPageSchema, ...COMMON_ERRORS },
};
