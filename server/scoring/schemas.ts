import { Type } from 'typebox';
import { COMMON_ERRORS, Nullable } from '../http.ts';

const closed = { additionalProperties: false } as const;

const CountsSchema = Type.Object({ total: Type.Integer(), pending: Type.Integer(), done: Type.Integer(), failed: Type.Integer() }, closed);

/**
 * Rescoring with the model in force: how far it is, and which model scored
 * how many comments. `model` is null when nothing scores (no scorer, none stored).
 */
export const RescoreStatusSchema = Type.Object(
  {
    model: Nullable(Type.String()),
    /** Whether this server scores in the background (false: run `npx triage rescore`). */
    scoring: Type.Boolean(),
    /** Jobs of comments that had a score of another model when queued. */
    rescore: CountsSchema,
    /** Every scoring job of the model in force, new comments included. */
    all: CountsSchema,
    scoredBy: Type.Array(Type.Object({ model: Type.String(), comments: Type.Integer() }, closed)),
  },
  closed,
);

export const getRescoreSchema = { response: { 200: RescoreStatusSchema, ...COMMON_ERRORS } };
export const postRescoreSchema = {
  response: {
    202: Type.Object({ queued: Type.Integer(), retried: Type.Integer(), status: RescoreStatusSchema }, closed),
    ...COMMON_ERRORS,
  },
};
