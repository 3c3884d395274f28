import { Type } from 'typebox';
import { COMMON_ERRORS, ErrorBody, IdParams, Nullable } from '../http.ts';

/** A key as lists show it: its prefix, never the key. */
export const ApiKeySchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    source: Type.String(),
    /** The key's first characters (`trk_` and 8 more); no secret. */
    prefix: Type.String(),
    createdAt: Type.Integer(),
    lastUsedAt: Nullable(Type.Integer()),
    revokedAt: Nullable(Type.Integer()),
  },
  { additionalProperties: false },
);

const KeyAnswer = Type.Object({ apiKey: ApiKeySchema }, { additionalProperties: false });

export const listKeysSchema = {
  response: { 200: Type.Object({ keys: Type.Array(ApiKeySchema) }, { additionalProperties: false }), ...COMMON_ERRORS },
};

export const createKeySchema = {
  body: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 100 }),
      /** The site the key speaks for; default the name. */
      source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
  response: {
    /** `key` is in this answer only: it is not stored, and cannot be shown again. */
    200: Type.Object({ key: Type.String(), apiKey: ApiKeySchema }, { additionalProperties: false }),
    ...COMMON_ERRORS,
  },
};

export const revokeKeySchema = { params: IdParams, response: { 200: KeyAnswer, ...COMMON_ERRORS } };

/** The errors a key route can answer besides its own: too large, too many requests. */
const KEY_ERRORS = { ...COMMON_ERRORS, 413: ErrorBody, 429: ErrorBody } as const;

/** GET /api/v1/source: which site the key speaks for. */
export const sourceSchema = {
  response: {
    200: Type.Object(
      { source: Type.String(), key: Type.Object({ id: Type.Integer(), name: Type.String() }, { additionalProperties: false }) },
      { additionalProperties: false },
    ),
    ...KEY_ERRORS,
  },
};
