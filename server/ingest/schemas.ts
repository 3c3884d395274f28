import { Type } from 'typebox';
import { COMMON_ERRORS, ErrorBody, StringEnum } from '../http.ts';
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
