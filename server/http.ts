import { Type, type Static, type TEnum, type TObject, type TSchema } from 'typebox';
import { LABELS, type Label } from './scoring/labels.ts';

/** Every error answer: `{ error: code, message }` (codes in server/errors.ts). */
export const ErrorBody = Type.Object({ error: Type.String(), message: Type.String() }, { additionalProperties: false });

/** The error answers most routes can give, for their `response` schemas. */
export const COMMON_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

/**
 * `T | null` as `type: [T, 'null']` rather than anyOf: fast-json-stringify
 * serializes anyOf by validating each value at run time, several times slower.
 */
export const Nullable = <T extends TSchema & { type: string }>(schema: T) =>
  Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });

/** One of the seven labels. */
export const LabelSchema = StringEnum(LABELS);

/** An object with one property per label, each of `schema`, and nothing else. */
export function PerLabel<T extends TSchema>(schema: T): TObject<Record<Label, T>> {
  return Type.Object(Object.fromEntries(LABELS.map((l) => [l, schema])) as Record<Label, T>, { additionalProperties: false });
}

/** Path parameter `:id`: a positive integer. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

/** A string from a fixed list; the error handler lists the allowed values. */
export function StringEnum<const T extends string[]>(values: readonly [...T]): TEnum<T> {
  return Type.Enum(values);
}
