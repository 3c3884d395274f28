import { Type } from 'typebox';
import { COMMON_ERRORS, ErrorBody } from '../http.ts';
import { REPORT_REASONS } from './service.ts';

export const readerReportSchema = {
  summary: 'A reader reported a comment: enough reports bring it to the review queue',
  body: Type.Object(
    {
      /** The comment's id on the site. */
      commentId: Type.String({ minLength: 1, maxLength: 200 }),
      reason: Type.String({ minLength: 1, maxLength: 200, description: `One of ${REPORT_REASONS.join(', ')}, or free text` }),
      /** An opaque id of the reader on the site: the same reader reporting twice counts once. */
      reporterId: Type.String({ minLength: 1, maxLength: 200 }),
    },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Object(
      {
        commentId: Type.String(),
        triageId: Type.Integer(),
        /** False when this reader had reported the comment already. */
        counted: Type.Boolean(),
        /** Distinct readers who reported it. */
        reportCount: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    ...COMMON_ERRORS,
    413: ErrorBody,
    429: ErrorBody,
  },
};
